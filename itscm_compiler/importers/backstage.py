"""A Backstage software catalogue (``catalog-info.yaml``) -> teams, services and components.

=============  ===================================================================
Backstage      itscm
=============  ===================================================================
Group          Team (name, description, email)
System         Service that depends on the components and resources in the system
Component      Service (owner, lifecycle, ``dependsOn``, ``consumesApis``); libraries
               and documentation are not running services and are skipped
Resource       Component (owner, type, ``dependsOn``)
API            not a document: ``consumesApis`` becomes a dependency on the providers
=============  ===================================================================

A ``metadata.annotations`` entry ``itscm.io/tier: "1"`` gives a new service
its first tier. References to entities the source does not contain are reported and written
as they are (``itscm lint`` then flags them until the document exists); no
document is invented for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import DEFAULT_MAX_FILE_SIZE
from .base import Entity, Extracted, slugify
from .source import SourceError, read_yaml

LIFECYCLES = {"experimental": "planned", "production": "production", "deprecated": "retiring"}
NOT_RUNNING = frozenset({"library", "documentation", "template"})
KIND_ORDER = ("group", "system", "component", "resource", "api")
TIER_ANNOTATION = "itscm.io/tier"
TIER_NOTE = "imported default: set the tier by hand (the import never changes it)"


@dataclass
class Raw:
    """One Backstage entity as read, with where it came from."""

    kind: str  # lower case
    namespace: str
    name: str
    data: dict[str, Any]
    where: str
    id: str = ""
    skipped: bool = False

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def label(self) -> str:
        return f"{self.data.get('kind')} {self.name}"

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}".lower()


@dataclass
class Catalogue:
    entities: dict[str, Raw] = field(default_factory=dict)  # full ref -> entity


def parse_ref(text: Any, default_kind: str, namespace: str = "default") -> str | None:
    """``[kind:][namespace/]name`` -> ``kind:namespace/name`` in lower case (Backstage refs ignore case)."""
    if not isinstance(text, str) or not text.strip():
        return None
    rest = text.strip()
    kind = default_kind
    if ":" in rest:
        kind, rest = rest.split(":", 1)
    if "/" in rest:
        namespace, rest = rest.split("/", 1)
    return f"{kind}:{namespace}/{rest}".lower()


def _line(node: Any) -> int:
    try:
        return int(node.lc.line) + 1
    except (AttributeError, TypeError):
        return 0


def _item_line(seq: Any, index: int) -> int:
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return 0


def _load(paths: list[Path], out: Extracted, max_size: int) -> Catalogue:
    catalogue = Catalogue()
    users = 0
    for path in paths:
        try:
            documents = read_yaml(path, max_size)
        except SourceError as exc:
            out.error(exc.where, exc.message)
            continue
        for number, data in enumerate(documents, 1):
            if data is None:
                continue
            where = f"{path}:{_line(data)}" if _line(data) else f"{path} (document {number})"
            if not isinstance(data, dict):
                out.error(where, f"document {number} is not a Backstage entity (not a mapping): skipped")
                continue
            api, kind = data.get("apiVersion"), data.get("kind")
            metadata = _mapping(data.get("metadata"))
            name = metadata.get("name")
            label = f"{kind or 'entity'} {name or '(no name)'}"
            if not isinstance(api, str) or not api.startswith("backstage.io/"):
                out.error(where, f"{label}: apiVersion {api!r} is not a Backstage catalogue version: skipped")
                continue
            if not isinstance(kind, str) or not isinstance(name, str) or not name:
                out.error(where, f"{label}: an entity needs a kind and metadata.name: skipped")
                continue
            if kind.lower() == "user":
                users += 1
                continue
            if kind.lower() not in KIND_ORDER:
                out.info(where, f"{label}: {kind} entities are not imported")
                continue
            namespace = str(metadata.get("namespace") or "default")
            raw = Raw(kind.lower(), namespace, name, data, where)
            if raw.ref in catalogue.entities:
                out.error(where, f"{label}: defined twice (first at {catalogue.entities[raw.ref].where}): skipped")
                continue
            catalogue.entities[raw.ref] = raw
    if users:
        out.info(", ".join(str(p) for p in paths), f"{users} User entities are not imported: add people by hand")
    return catalogue


def _assign_ids(catalogue: Catalogue, out: Extracted) -> None:
    taken: dict[str, Raw] = {}
    ordered = sorted(catalogue.entities.values(), key=lambda r: (KIND_ORDER.index(r.kind), r.namespace, r.name))
    for raw in ordered:
        if raw.kind == "api":
            continue
        base = slugify(raw.name if raw.namespace == "default" else f"{raw.namespace}-{raw.name}")
        if not base:
            out.error(raw.where, f"{raw.label}: no valid id can be made from the name: skipped")
            raw.skipped = True
            continue
        candidate = base
        if candidate in taken:
            candidate = slugify(f"{base}-{raw.kind}")
            out.warning(
                raw.where,
                f"{raw.label}: id {base!r} is already taken by {taken[base].label}: imported as {candidate!r}",
            )
        elif candidate != raw.name:
            out.info(raw.where, f"{raw.label}: imported with id {candidate!r}")
        raw.id = candidate
        taken[candidate] = raw
        if raw.kind == "component" and str(raw.spec.get("type", "")).lower() in NOT_RUNNING:
            raw.skipped = True
            out.info(raw.where, f"{raw.label}: a {raw.spec.get('type')} is not a running service: not imported")


def _target(
    catalogue: Catalogue, raw: Raw, ref_text: Any, field_name: str, default_kind: str, out: Extracted, line: int = 0
) -> str | None:
    """The id a reference resolves to; references outside the source are reported and kept by name."""
    where = f"{raw.where.rsplit(':', 1)[0]}:{line}" if line else raw.where
    ref = parse_ref(ref_text, default_kind, raw.namespace)
    if ref is None:
        out.error(where, f"{raw.label}: {field_name} has an empty or non-text entry {ref_text!r}: ignored")
        return None
    found = catalogue.entities.get(ref)
    if found is None:
        kept = slugify(ref.split("/", 1)[1])
        out.warning(
            where,
            f"{raw.label}: {field_name} names {ref_text!r}, which is not in the source: written as {kept!r} "
            "(no document is created; itscm lint reports it until one exists)",
        )
        return kept or None
    if found.skipped:
        return None
    return found.id


def _owner(catalogue: Catalogue, raw: Raw, out: Extracted) -> str | None:
    owner = raw.spec.get("owner")
    if owner is None:
        out.error(raw.where, f"{raw.label}: has no spec.owner, and itscm needs an owning team: not imported")
        return None
    ref = parse_ref(owner, "group", raw.namespace)
    if ref is not None and ref.startswith("user:"):
        out.warning(raw.where, f"{raw.label}: owner {owner!r} is a user; itscm owners are teams: set the owner by hand")
    return _target(catalogue, raw, owner, "spec.owner", "group", out)


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one: a malformed block reads as missing."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def _common(raw: Raw) -> dict[str, Any]:
    metadata = raw.data.get("metadata") or {}
    return {"name": _text(metadata.get("title")) or raw.name, "description": _text(metadata.get("description"))}


def _list(raw: Raw, key: str, out: Extracted) -> list[Any]:
    """``spec.<key>`` as a list; anything else is reported and ignored."""
    value = raw.spec.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        out.error(raw.where, f"{raw.label}: spec.{key} must be a list of entity references: ignored")
        return []
    return value


def _tier(raw: Raw, default: int, out: Extracted) -> int:
    """The first tier of a new service: the ``itscm.io/tier`` annotation, or the default."""
    annotations = (raw.data.get("metadata") or {}).get("annotations") or {}
    value = annotations.get(TIER_ANNOTATION) if isinstance(annotations, dict) else None
    if value is None:
        return default
    if str(value).isdigit() and 1 <= int(value) <= 9:
        return int(value)
    out.error(raw.where, f"{raw.label}: annotation {TIER_ANNOTATION} is {value!r}: use 1 to 9; tier {default} is used")
    return default


def read(paths: list[Path], tier: int = 3, max_size: int = DEFAULT_MAX_FILE_SIZE) -> Extracted:
    """Read catalogue files into teams, services and components."""
    out = Extracted()
    catalogue = _load(paths, out, max_size)
    _assign_ids(catalogue, out)
    providers: dict[str, list[str]] = {}
    members: dict[str, list[str]] = {}
    for raw in catalogue.entities.values():
        if raw.skipped:
            continue
        for api in _list(raw, "providesApis", out):
            ref = parse_ref(api, "api", raw.namespace)
            if ref and raw.kind == "component":
                providers.setdefault(ref, []).append(raw.id)
        system = parse_ref(raw.spec.get("system"), "system", raw.namespace)
        if system and raw.kind in ("component", "resource"):
            if system in catalogue.entities:
                members.setdefault(system, []).append(raw.id)
            else:
                out.warning(raw.where, f"{raw.label}: spec.system names {raw.spec.get('system')!r}, which is not in the source")
    for raw in sorted(catalogue.entities.values(), key=lambda r: (KIND_ORDER.index(r.kind), r.namespace, r.name)):
        if raw.skipped or raw.kind == "api":
            continue
        if raw.kind == "group":
            profile = _mapping(raw.spec.get("profile"))
            owned = _common(raw)
            owned["name"] = _text(profile.get("displayName")) or owned["name"]
            owned["email"] = _text(profile.get("email"))
            out.entities.append(Entity("Team", raw.id, raw.where, "plans/teams", owned=owned))
            continue
        owner = _owner(catalogue, raw, out)
        if owner is None:
            continue
        deps: list[str] = []
        depends_on = _list(raw, "dependsOn", out)
        for index, dep in enumerate(depends_on):
            line = _item_line(depends_on, index)
            target = _target(catalogue, raw, dep, "spec.dependsOn", "component", out, line)
            if target and target not in deps:
                deps.append(target)
        owned = {**_common(raw), "owner": owner}
        if raw.kind == "resource":
            owned["type"] = str(raw.spec.get("type") or "resource")
            out.entities.append(
                Entity("Component", raw.id, raw.where, "services/components", owned=owned, depends_on=deps)
            )
            continue
        if raw.kind == "system":
            deps = sorted(set(deps) | set(members.get(raw.ref, [])))
        for api in _list(raw, "consumesApis", out):
            ref = parse_ref(api, "api", raw.namespace)
            if ref is None:
                continue
            found = [p for p in providers.get(ref, []) if p != raw.id]
            if not found:
                what = "no component in the source provides it" if ref in catalogue.entities else "it is not in the source"
                out.warning(raw.where, f"{raw.label}: consumesApis names {api!r}, but {what}: that dependency is not imported")
            deps.extend(p for p in found if p not in deps)
        lifecycle = raw.spec.get("lifecycle")
        if lifecycle is not None:
            if str(lifecycle).lower() in LIFECYCLES:
                owned["lifecycle"] = LIFECYCLES[str(lifecycle).lower()]
            else:
                out.warning(
                    raw.where,
                    f"{raw.label}: lifecycle {lifecycle!r} is not one of {', '.join(LIFECYCLES)}: not imported",
                )
        out.entities.append(
            Entity(
                "Service", raw.id, raw.where, "services", owned=owned, initial={"tier": _tier(raw, tier, out)},
                notes={"tier": TIER_NOTE}, depends_on=deps,
            )
        )
    return out
