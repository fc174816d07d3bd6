"""``itscm import``: Backstage, Docker Compose and threat catalogues, through the real CLI.

The imported repository is linted and the diagnostics of the reference,
schema and graph families are pinned by code and location: they are what the
import itself gets right or wrong (missing references, single points of
failure). Coverage and freshness findings about the new services (no BIA yet)
are the user's next step, not the importer's.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from itscm_compiler.pipeline import lint
from itscm_compiler.scaffold import init

from .conftest import ROOT, SHARED, run_itscm

DATA = ROOT / "tests" / "data" / "import"
ENISA = SHARED / "enisa-threat-taxonomy.csv"
TODAY = dt.date(2026, 11, 24)


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    init(root, today=TODAY)
    return root


def _pinned(root: Path) -> set[str]:
    result = lint(root, today=TODAY)
    return {f"{d.location} {d.code}" for d in result.diagnostics if d.code[0] in "YSRG"}


def _load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_compose_shared_database_is_a_single_point_of_failure_of_every_service(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = run_itscm("import", "compose", str(DATA / "docker-compose.yml"), "--owner", "example-team", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "7 created, 0 updated, 0 unchanged" in result.stdout
    # The missing mailer is reported with the file, the line and the service; nothing is invented for it.
    assert "docker-compose.yml:20: warning: service 'billing': depends_on names 'mailer'" in result.stderr
    assert not list(root.rglob("mailer.yaml"))
    db = _load(root / "services/components/db.yaml")
    assert (db["kind"], db["type"], len(db["instances"])) == ("Component", "database", 1)
    assert len(_load(root / "services/components/cache.yaml")["instances"]) == 3
    assert _load(root / "services/orders.yaml")["depends_on"] == ["db", "cache"]
    assert _load(root / "services/worker.yaml")["tier"] == 2  # from the itscm.tier label
    assert "holds data in pgdata" in (root / "services/components/db.yaml").read_text(encoding="utf-8")
    assert run_itscm("fmt", "--check", cwd=root).returncode == 0  # imported files pass the itscm-fmt hook
    # Every service on the lone database, and on the one Docker host, cannot recover without it.
    assert _pinned(root) == {
        "services/billing.yaml:11:5 G101",  # db, and docker-host through db
        "services/orders.yaml:11:5 G101",
        "services/worker.yaml:11:5 G101",
    }
    points = {
        (d.location.path, d.message.split(" is lost")[0].split("if ")[1])
        for d in lint(root, today=TODAY).diagnostics
        if d.code == "G101"
    }
    assert points == {
        (f"services/{s}.yaml", point)
        for s in ("billing", "orders", "worker")
        for point in ("component db", "site docker-host")
    }


def test_backstage_catalogue_with_a_dependency_on_a_missing_entity(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = run_itscm("import", "backstage", str(DATA / "catalog-info.yaml"), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "6 created" in result.stdout
    assert (
        "catalog-info.yaml:48: warning: Component payments-api: spec.dependsOn names 'resource:ledger-db', "
        "which is not in the source"
    ) in result.stderr
    assert "Component money-utils: a library is not a running service" in result.stderr
    assert not list(root.rglob("ledger-db.yaml")) and not list(root.rglob("money-utils.yaml"))
    system = _load(root / "services/payments.yaml")
    assert system["depends_on"] == ["checkout-web", "payments-api", "payments-db"]
    assert system["owner"] == "payments-team" and system["name"] == "Payments"
    assert system["tier"] == 1  # from the itscm.io/tier annotation
    api = _load(root / "services/payments-api.yaml")
    assert (api["lifecycle"], api["depends_on"], api["tier"]) == ("production", ["payments-db", "ledger-db"], 3)
    web = _load(root / "services/checkout-web.yaml")
    assert (web["lifecycle"], web["depends_on"]) == ("planned", ["payments-api"])  # consumesApis -> provider
    assert _load(root / "services/components/payments-db.yaml")["owner"] == "platform"
    team = _load(root / "plans/teams/payments-team.yaml")
    assert (team["name"], team["email"]) == ("Payments team", "payments@example.com")
    assert run_itscm("fmt", "--check", cwd=root).returncode == 0
    assert _pinned(root) == {
        "services/payments-api.yaml:13:5 R001",  # ledger-db: reported, not invented
        "services/payments-api.yaml:12:5 G101",  # payments-db: no instances known, one point
        "services/checkout-web.yaml:11:5 G101",
        "services/payments.yaml:13:5 G101",
    }


def test_invalid_backstage_entities_are_reported_by_file_line_and_entity(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = run_itscm("import", "backstage", str(DATA / "bad-catalog.yaml"), cwd=root)
    assert result.returncode == 1
    errors = result.stderr
    assert "bad-catalog.yaml:1: error: Component (no name): an entity needs a kind and metadata.name" in errors
    assert "bad-catalog.yaml:8: error: Component not-backstage: apiVersion 'example.com/v1'" in errors
    assert "bad-catalog.yaml:13: error: Resource orphan-queue: has no spec.owner" in errors
    assert "bad-catalog.yaml:20: info: Component Odd_Name.v2: imported with id 'odd-name-v2'" in errors
    assert "Component Odd_Name.v2: lifecycle 'sunset' is not one of" in errors
    assert "Component Odd_Name.v2: owner 'user:jdoe' is a user" in errors
    assert "Location more: Location entities are not imported" in errors
    assert "Traceback" not in errors
    assert _load(root / "services/odd-name-v2.yaml")["owner"] == "jdoe"


def test_unreadable_sources_exit_2_with_the_file_named(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (tmp_path / "not-compose.yml").write_text("version: '3'\n", encoding="utf-8")
    compose = run_itscm("import", "compose", str(tmp_path / "not-compose.yml"), "--owner", "t", cwd=root)
    assert compose.returncode == 2 and "not-compose.yml: error: not a Compose file" in compose.stderr
    (tmp_path / "broken.yaml").write_text("kind: [\n", encoding="utf-8")
    broken = run_itscm("import", "backstage", str(tmp_path / "broken.yaml"), cwd=root)
    assert broken.returncode == 2 and "broken.yaml:2: error: not a readable YAML file: " in broken.stderr
    assert "at line 2, column 1" in broken.stderr  # the parser's own problem and place, not its context
    (tmp_path / "threats.csv").write_text("ref,title\nx,y\n", encoding="utf-8")
    csv = run_itscm("import", "threats", str(tmp_path / "threats.csv"), cwd=root)
    assert csv.returncode == 2
    assert "threats.csv:1: error: the header has no column for id (column 'id'), category" in csv.stderr
    bad_map = run_itscm("import", "threats", str(tmp_path / "threats.csv"), "--map", "ident=ref", cwd=root)
    assert bad_map.returncode == 2 and "write FIELD=COLUMN" in bad_map.stderr
    unowned = run_itscm("import", "compose", str(DATA / "docker-compose.yml"), cwd=root)
    assert unowned.returncode == 2 and "service 'web' has no owner: pass --owner TEAM" in unowned.stderr
    assert "Traceback" not in compose.stderr + broken.stderr + csv.stderr + bad_map.stderr + unowned.stderr


def _comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#") or " # " in line]


def test_reimport_updates_what_the_source_owns_and_keeps_hand_edits(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    source = tmp_path / "docker-compose.yml"
    shutil.copy(DATA / "docker-compose.yml", source)
    assert run_itscm("import", "compose", str(source), "--owner", "example-team", cwd=root).returncode == 0

    # A person sets the tier, documents why, adds a soft dependency on a
    # supplier and a redundancy; and places the database instance in a real site.
    orders = root / "services/orders.yaml"
    text = orders.read_text(encoding="utf-8")
    text = text.replace(
        "tier: 3  # imported default: set the tier by hand (the import never changes it)",
        "# Orders stop the warehouse: agreed with operations on 2026-11-02.\ntier: 1  # critical",
    )
    text = text.replace("  - cache\n", "  - cache\n  # the payment gateway only slows checkout down\n  - {id: example-db, mode: soft}\n")
    text += "recovery:\n  strategy: warm    # restart from the image\n  estimated_time: 30m\n"
    orders.write_text(text, encoding="utf-8")
    db = root / "services/components/db.yaml"
    db.write_text(
        db.read_text(encoding="utf-8").replace("site: docker-host", "site: primary-dc  # moved by hand"),
        encoding="utf-8",
    )
    edited_orders, edited_db = orders.read_text(encoding="utf-8"), db.read_text(encoding="utf-8")

    # Unchanged source: nothing is written, not one byte.
    again = run_itscm("import", "compose", str(source), "--owner", "example-team", cwd=root)
    assert again.returncode == 0 and "0 file(s) written" in again.stdout, again.stdout + again.stderr
    assert orders.read_text(encoding="utf-8") == edited_orders

    # The source changes: orders no longer uses the cache, the database gets a replica.
    changed = source.read_text(encoding="utf-8")
    changed = changed.replace("      cache:\n        condition: service_started\n", "")
    changed = changed.replace("  db:\n    image: postgres:16\n", "  db:\n    image: postgres:16\n    deploy:\n      replicas: 2\n")
    source.write_text(changed, encoding="utf-8")
    third = run_itscm("import", "compose", str(source), "--owner", "example-team", cwd=root)
    assert third.returncode == 0, third.stderr
    assert "2 updated" in third.stdout

    after = orders.read_text(encoding="utf-8")
    data = _load(orders)
    assert data["tier"] == 1 and data["recovery"]["estimated_time"] == "30m"
    assert data["depends_on"] == ["db", {"id": "example-db", "mode": "soft"}]
    assert _comment_lines(after) == _comment_lines(edited_orders)  # byte for byte, every comment line
    db_after = _load(db)
    assert [i["site"] for i in db_after["instances"]] == ["primary-dc", "primary-dc"]
    assert "site: primary-dc  # moved by hand" in db.read_text(encoding="utf-8")
    assert _comment_lines(db.read_text(encoding="utf-8")) == _comment_lines(edited_db)


def test_enisa_taxonomy_imports_with_its_defects_reported(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    args = ("import", "threats", str(ENISA), "--map", "id=value", "--map", "name=expanded", "--catalogue", "ENISA")
    result = run_itscm(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    report = result.stderr
    # The duplicate threat in two categories: reported once, with both places.
    assert (
        "enisa-threat-taxonomy.csv:126: warning: threat 'man-in-the-middle-session-hijacking' is listed again "
        "(line 85, category 'eavesdropping-interception-hijacking'); this row puts it in 'nefarious-activity-abuse'"
    ) in report
    assert (
        "enisa-threat-taxonomy.csv:23: warning: threat id 'loss-of-information-due-to-configuration-or-installation "
        "error' is not a valid id (spaces): imported as 'loss-of-information-due-to-configuration-or-installation-error'"
    ) in report
    assert (
        "enisa-threat-taxonomy.csv:74: warning: threat id 'Outage-of-short-range-wireless-networks' is not a valid id "
        "(capitals): imported as 'outage-of-short-range-wireless-networks'"
    ) in report
    assert "imported as disaster-threat" in report  # the threat "disaster" in the category "disaster"
    estate = lint(root, today=TODAY)
    threats = [d for d in estate.estate.by_kind["Threat"] if d.model.source == "ENISA"]
    categories = estate.estate.by_kind["ThreatCategory"]
    assert len(threats) == 167  # 169 rows, less the duplicate and the same threat written twice
    assert len(categories) == 8  # "outages" merges with the scaffold's own category
    assert {d.code for d in estate.diagnostics if d.code[0] in "YSR"} <= {"R101"}  # unused threats only
    assert all(len(d.id) <= 80 for d in threats)
    assert run_itscm("fmt", "--check", cwd=root).returncode == 0
    second = run_itscm(*args, cwd=root)
    assert "0 created, 0 updated, 175 unchanged; 0 file(s) written" in second.stdout


HOSTILE = {
    "compose": (
        "c.yml",
        b"services:\n  1:\n    image: [a]\n    depends_on: db\n  web:\n    depends_on: {x: 1}\n"
        b"    deploy: 3\n    labels: [itscm.tier=99, foo]\n",
    ),
    "backstage": (
        "b.yaml",
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a, title: [x]}\n"
        b"spec: {owner: g, dependsOn: resource:x, consumesApis: {a: 1}, lifecycle: [1]}\n---\n- list\n---\n42\n",
    ),
    "threats": ("t.csv", b"id,category\nx\x00,y\n\"open,quote\n"),
}


@pytest.mark.parametrize("source", sorted(HOSTILE))
def test_hostile_sources_are_reported_never_a_traceback(source: str, tmp_path: Path) -> None:
    name, content = HOSTILE[source]
    extra = ("--owner", "t") if source == "compose" else ()
    (tmp_path / name).write_bytes(content)
    result = run_itscm("import", source, str(tmp_path / name), "--out", str(tmp_path / "out"), *extra, cwd=tmp_path)
    assert result.returncode in (0, 1, 2)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert f"{name}:" in result.stderr  # every report names the source file
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\xff\xfe\x00\x01" * 100)
    result = run_itscm("import", source, str(garbage), *extra, cwd=tmp_path)
    assert result.returncode == 2 and "garbage.bin" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("postgres:16", "database"),
        ("bitnami/postgresql:15", "database"),
        ("docker.io/library/mariadb:11@sha256:0123", "database"),
        ("localhost:5000/redis:7", "cache"),
        ("rabbitmq:3-management", "queue"),
        ("nginx-unprivileged", "proxy"),
        ("prometheuscommunity/postgres-exporter", None),  # beside a database, not one
        ("mongo-express", None),
        ("registry.example.com/shop/orders:1.2", None),  # an application: a Service
    ],
)
def test_compose_image_suggests_the_component_type(image: str, expected: str | None) -> None:
    from itscm_compiler.importers.compose import _component_type

    assert _component_type(image) == expected


def test_backstage_reimport_follows_the_catalogue_and_keeps_hand_written_fields(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    catalogue = tmp_path / "catalog-info.yaml"
    shutil.copy(DATA / "catalog-info.yaml", catalogue)
    assert run_itscm("import", "backstage", str(catalogue), cwd=root).returncode == 0
    api = root / "services/payments-api.yaml"
    edited = api.read_text(encoding="utf-8").replace(
        "tier: 3  # imported default: set the tier by hand (the import never changes it)",
        "tier: 1  # card payments stop without it",
    ).replace("  - ledger-db\n", "  - ledger-db\n  - example-db  # reporting copy, added by hand\n")
    edited += "# RTO agreed in the BIA review of 2026-11-02\nrecovery:\n  strategy: hot\n  estimated_time: 15m\n"
    api.write_text(edited, encoding="utf-8")

    # The catalogue renames the API, drops its dependency on the database and moves ownership.
    text = catalogue.read_text(encoding="utf-8")
    text = text.replace("  name: payments-api\n  description: Public payments API.", "  name: payments-api\n  title: Payments API\n  description: Public payments API.")
    text = text.replace("    - resource:payments-db\n    - resource:ledger-db\n", "    - resource:ledger-db\n")
    text = text.replace("  owner: group:payments-team\n  system: payments\n  providesApis", "  owner: platform\n  system: payments\n  providesApis")
    catalogue.write_text(text, encoding="utf-8")
    again = run_itscm("import", "backstage", str(catalogue), cwd=root)
    assert again.returncode == 0, again.stderr
    assert "0 created, 1 updated, 5 unchanged" in again.stdout

    data = _load(api)
    assert (data["name"], data["owner"], data["tier"]) == ("Payments API", "platform", 1)
    assert data["depends_on"] == ["ledger-db", "example-db"]  # the source's own entity gone, the hand-added one kept
    assert data["recovery"] == {"strategy": "hot", "estimated_time": "15m"}
    assert _comment_lines(api.read_text(encoding="utf-8")) == _comment_lines(edited)


def test_compose_ids_that_would_clash_are_reported_not_merged(tmp_path: Path) -> None:
    source = tmp_path / "compose.yml"
    source.write_text("services:\n  my_db:\n    image: postgres\n  my-db:\n    image: mysql\n", encoding="utf-8")
    result = run_itscm("import", "compose", str(source), "--owner", "t", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert "compose.yml:4: error: service 'my-db' would get the id 'my-db' of service 'my_db'" in result.stderr
    assert _load(tmp_path / "out/services/components/my-db.yaml")["description"].startswith("Container image postgres")
    bad_site = run_itscm("import", "compose", str(source), "--owner", "t", "--site", "Bad Site", cwd=tmp_path)
    assert bad_site.returncode == 2 and "'Bad Site' is not a valid site id" in bad_site.stderr


DATE_LIKE = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: ops}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: 2026-02-30
  annotations: {itscm.io/tier: "2", build: %s}
spec: {type: service, lifecycle: production, owner: group:default/ops, dependsOn: [component:2026-02-03]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: 2026-02-03}
spec: {type: service, lifecycle: production, owner: ops}
"""


def test_names_that_look_like_dates_and_huge_numbers_import_as_written(tmp_path: Path) -> None:
    # Backstage and Compose read YAML 1.2: these are text there, as they are for itscm.
    root = _repo(tmp_path)
    source = tmp_path / "dates.yaml"
    source.write_text(DATE_LIKE % ("9" * 5000), encoding="utf-8")
    result = run_itscm("import", "backstage", str(source), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "3 created" in result.stdout
    assert _load(root / "services/2026-02-30.yaml")["depends_on"] == ["2026-02-03"]
    compose = tmp_path / "compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx\n    labels: {build: %s}\n" % ("7" * 5000), encoding="utf-8")
    result = run_itscm("import", "compose", str(compose), "--owner", "ops", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "set_int_max_str_digits" not in result.stderr


def test_an_unreadable_file_in_the_repository_is_named_with_its_problem(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "services" / "broken.yaml").write_text("# notes\n---\nid: x\nname: [a\n", encoding="utf-8")
    result = run_itscm("import", "backstage", str(DATA / "catalog-info.yaml"), cwd=root)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if "broken.yaml" in line)
    # The line counts the "---" that is set aside before parsing.
    assert "at line 5, column 1" in line and "documents in it are not updated" in line, line


def test_sources_are_read_within_the_size_limit_and_may_be_pipes(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    # A pipe is a source like any other: `... | itscm import compose /dev/stdin`.
    compose = "services:\n  web:\n    image: nginx\n"
    piped = subprocess.run(
        [sys.executable, "-m", "itscm_compiler", "import", "compose", "/dev/stdin", "--owner", "ops"],
        input=compose, capture_output=True, text=True, cwd=root, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert piped.returncode == 0 and "created" in piped.stdout, piped.stdout + piped.stderr
    # An endless device or a file above max_file_size is refused, not read into memory.
    (root / ".itscm.yaml").write_text("max_file_size: 1KB\n", encoding="utf-8")
    big = tmp_path / "big.csv"
    big.write_text("category,value,expanded\n" + "a,b,c\n" * 400, encoding="utf-8")
    for command, source in (("compose", "/dev/zero"), ("backstage", "/dev/zero"), ("threats", str(big))):
        result = run_itscm("import", command, source, cwd=root, timeout=60)
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"{source}: error: " in result.stderr and "larger than the limit of 1 KB" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_named_pipe_in_the_repository_is_skipped_not_waited_for(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    os.mkfifo(root / "services" / "pipe.yaml")
    result = run_itscm("import", "backstage", str(DATA / "catalog-info.yaml"), cwd=root, timeout=60)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if "pipe.yaml" in line)
    assert "not a regular file" in line and "documents in it are not updated" in line, line


def test_files_written_by_an_import_keep_their_permissions_and_new_ones_follow_the_umask(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    source = tmp_path / "docker-compose.yml"
    shutil.copy(DATA / "docker-compose.yml", source)
    first = run_itscm("import", "compose", str(source), "--owner", "example-team", cwd=root)
    assert first.returncode == 0, first.stderr
    orders = root / "services/orders.yaml"
    umask = os.umask(0o022)
    os.umask(umask)
    assert orders.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temporary file's 0600
    # A name the source owns, changed by hand: the next import writes it back, and the file keeps 0640.
    orders.write_text(orders.read_text(encoding="utf-8").replace("name: ", "name: Old ", 1), encoding="utf-8")
    orders.chmod(0o640)
    third = run_itscm("import", "compose", str(DATA / "docker-compose.yml"), "--owner", "example-team", cwd=root)
    assert third.returncode == 0 and "1 updated" in third.stdout, third.stdout + third.stderr
    assert orders.stat().st_mode & 0o777 == 0o640
    assert not list(root.rglob(".*.itscm-tmp")) and not list(root.rglob(".orders.yaml.*"))
