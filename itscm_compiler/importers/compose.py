"""Docker Compose files -> services and components with instance counts.

Containers running a data store, cache, queue, search engine or proxy image
(or labelled ``itscm.kind: component``) become Components, with one instance
per replica placed in the site the project runs in: a lone database container
is then a single point of failure for every service on it. The other
containers become Services. ``depends_on`` becomes hard dependencies.

Labels a container may carry: ``itscm.kind`` (service or component),
``itscm.id``, ``itscm.owner``, ``itscm.tier``, ``itscm.type``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..config import DEFAULT_MAX_FILE_SIZE
from .base import Entity, Extracted, is_slug, slugify
from .source import SourceError, read_yaml

# Image names (without registry, path or tag) -> component type.
COMPONENT_IMAGES: dict[str, str] = {
    **dict.fromkeys(
        ("postgres", "postgresql", "postgis", "mysql", "mariadb", "mongo", "mongodb", "mssql", "oracle", "cockroach",
         "cassandra", "couchdb", "influxdb", "timescaledb", "clickhouse", "neo4j", "percona", "db2"),
        "database",
    ),
    **dict.fromkeys(("redis", "valkey", "memcached", "keydb", "dragonfly"), "cache"),
    **dict.fromkeys(("rabbitmq", "kafka", "nats", "activemq", "artemis", "zookeeper", "pulsar", "mosquitto"), "queue"),
    **dict.fromkeys(("elasticsearch", "opensearch", "solr", "meilisearch"), "search"),
    **dict.fromkeys(("minio", "seaweedfs"), "storage"),
    **dict.fromkeys(("nginx", "traefik", "haproxy", "envoy", "caddy", "httpd"), "proxy"),
    **dict.fromkeys(("etcd", "consul", "vault"), "platform"),
}


def image_base(image: str) -> str:
    """``registry.example.com/library/postgres:16@sha256:...`` -> ``postgres``."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[0].lower()


# Tools that sit beside a data store without being one: postgres-exporter, mongo-express.
NOT_A_STORE = frozenset({"exporter", "ui", "admin", "express", "commander", "insight", "operator", "client", "cli", "backup"})


def _component_type(image: str | None) -> str | None:
    """The component type an image suggests (``postgres:16`` -> database), or None for an application."""
    if not image:
        return None
    base = image_base(image)
    words = re.split(r"[-_.]", base)
    if NOT_A_STORE.intersection(words[1:]):
        return None
    return COMPONENT_IMAGES.get(base) or COMPONENT_IMAGES.get(words[0])


def _labels(service: dict[str, Any]) -> dict[str, str]:
    labels = service.get("labels") or {}
    if isinstance(labels, list):  # ["key=value", ...]
        return dict(str(item).split("=", 1) for item in labels if "=" in str(item))
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _line(node: Any, key: Any = None) -> int:
    try:
        if key is not None:
            return int(node.lc.key(key)[0]) + 1
        return int(node.lc.line) + 1
    except (AttributeError, KeyError, TypeError):
        return 0


def _where(path: Path, line: int) -> str:
    return f"{path}:{line}" if line else str(path)


def read(
    paths: list[Path], owner: str | None, site: str, tier: int, prefix: str = "", max_size: int = DEFAULT_MAX_FILE_SIZE
) -> Extracted:
    """Read Compose files; later files override earlier ones, as ``docker compose -f a -f b`` does."""
    out = Extracted()
    if not is_slug(site):
        out.error("--site", f"{site!r} is not a valid site id: use lower-case letters, digits and hyphens")
        return out
    merged: dict[str, tuple[Path, Any]] = {}  # compose name -> (file, merged service mapping)
    lines: dict[str, int] = {}  # compose name -> line of its key, for messages
    order: list[str] = []
    for path in paths:
        try:
            documents = read_yaml(path, max_size)
        except SourceError as exc:
            out.error(exc.where, exc.message)
            continue
        if len(documents) > 1:
            out.error(str(path), f"{len(documents)} YAML documents: a Compose file has one")
            continue
        data = documents[0] if documents else None
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, dict):
            out.error(str(path), "not a Compose file: there is no `services:` mapping")
            continue
        for key, service in services.items():
            name = str(key)
            if not isinstance(service, dict):
                out.error(_where(path, _line(services, key)), f"service {name!r} is not a mapping: skipped")
                continue
            lines[name] = _line(services, key)
            if name in merged:
                base = dict(merged[name][1])
                base.update(service)
                merged[name] = (path, base)
            else:
                merged[name] = (path, service)
                order.append(name)
    ids: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for name in order:
        path, service = merged[name]
        where = _where(path, lines[name])
        labels = _labels(service)
        wanted = labels.get("itscm.id") or prefix + slugify(name)
        if not is_slug(wanted):
            out.error(where, f"service {name!r}: cannot derive an id ({wanted!r}): set label itscm.id")
            continue
        clash = next((other for other, used in ids.items() if used == wanted), None)
        if clash is not None:
            out.error(where, f"service {name!r} would get the id {wanted!r} of service {clash!r}: set label itscm.id; skipped")
            continue
        if wanted != prefix + name:
            out.info(where, f"service {name!r} is imported with id {wanted!r}")
        ids[name] = wanted
        kind = labels.get("itscm.kind", "").lower()
        if kind not in ("", "service", "component"):
            out.error(where, f"service {name!r}: label itscm.kind is {kind!r}: use service or component")
            kind = ""
        image = service.get("image")
        ctype = labels.get("itscm.type") or _component_type(image if isinstance(image, str) else None)
        kinds[name] = "Component" if kind == "component" or (kind != "service" and ctype) else "Service"
    for name in order:
        if name not in ids:
            continue
        path, service = merged[name]
        where = _where(path, lines[name])
        labels = _labels(service)
        deps: list[str] = []
        raw = service.get("depends_on") or []
        if not isinstance(raw, (list, dict)):
            out.error(where, f"service {name!r}: depends_on must be a list or a mapping of service names: ignored")
            raw = []
        for dep in raw:
            if str(dep) in ids:
                deps.append(ids[str(dep)])
            else:
                out.warning(
                    _where(path, _line(service, "depends_on") or lines[name]),
                    f"service {name!r}: depends_on names {str(dep)!r}, which is not a service of these Compose "
                    "files: the dependency is not imported (add the file that defines it)",
                )
        team = labels.get("itscm.owner") or owner
        if not team:
            out.error(where, f"service {name!r} has no owner: pass --owner TEAM or add the label itscm.owner")
            continue
        entity = Entity(
            kind=kinds[name],
            id=ids[name],
            where=where,
            folder="services" if kinds[name] == "Service" else "services/components",
            owned={"name": str(name)},
            initial={"owner": team},
            depends_on=deps,
        )
        image = service.get("image") if isinstance(service.get("image"), str) else None
        if kinds[name] == "Component":
            replicas = _replicas(service, where, name, out)
            entity.instances = replicas
            entity.site = site
            entity.initial["type"] = labels.get("itscm.type") or _component_type(image) or "application"
            entity.owned["description"] = _describe(image, service)
            volumes = _named_volumes(service)
            if volumes:
                entity.notes["type"] = (
                    f"holds data in {', '.join(volumes)}: add a backup block (frequency, last_restore_test)"
                )
        else:
            entity.initial["tier"] = _tier(labels.get("itscm.tier"), tier, where, name, out)
            entity.notes["tier"] = "imported default: set the tier by hand (the import never changes it)"
            entity.owned["description"] = _describe(image, service)
            if _replicas(service, where, name, out) > 1:
                out.info(where, f"service {name!r} runs several replicas; model them as a Component to count instances")
        out.entities.append(entity)
    if any(e.kind == "Component" for e in out.entities):
        # Compose runs every container on one host: a shared failure domain.
        out.entities.append(
            Entity(
                kind="Site",
                id=site,
                where=str(paths[0]),
                folder="services/sites",
                initial={"name": "Docker host", "type": "other"},
                notes={"type": "the host the Compose project runs on: set its type, parent or supplier by hand"},
            )
        )
    return out


def _replicas(service: dict[str, Any], where: str, name: str, out: Extracted) -> int:
    deploy = service.get("deploy") or {}
    value = deploy.get("replicas", service.get("scale", 1)) if isinstance(deploy, dict) else service.get("scale", 1)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    out.error(where, f"service {name!r}: replicas {value!r} is not a number: counted as 1")
    return 1


def _tier(label: str | None, default: int, where: str, name: str, out: Extracted) -> int:
    if label is None:
        return default
    if label.isdigit() and 1 <= int(label) <= 9:
        return int(label)
    out.error(where, f"service {name!r}: label itscm.tier is {label!r}: use 1 to 9; tier {default} is used")
    return default


def _named_volumes(service: dict[str, Any]) -> list[str]:
    found = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            found.append(volume.split(":", 1)[0])
        elif isinstance(volume, dict) and volume.get("source"):
            found.append(str(volume["source"]))
    return found


def _describe(image: Any, service: dict[str, Any]) -> str:
    if image:
        return f"Container image {image} (Docker Compose)."
    if service.get("build"):
        return "Container built from source (Docker Compose)."
    return "Container (Docker Compose)."
