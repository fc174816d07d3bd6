"""Hostile input: generated estates, mutated at random, and explicit nasty cases.

``itscm lint`` never raises, exits 0 or 1, and every diagnostic points to a
file that exists and a line inside it. CI runs a modest number of examples;
set ITSCM_HYPOTHESIS_EXAMPLES for more.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itscm_compiler.bulk import load_all
from itscm_compiler.cli import cli
from itscm_compiler.config import load_config
from itscm_compiler.discovery import discover
from itscm_compiler.pipeline import lint

from .conftest import ROOT, write_tree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402

TODAY = dt.date(2026, 11, 24)
EXAMPLES = int(os.environ.get("ITSCM_HYPOTHESIS_EXAMPLES", "12"))
_LOCATION = re.compile(r"^\s*(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): ")
_TEMPLATE: Path | None = None


def _template(tmp_root: Path) -> Path:
    """One generated estate per test session, copied for every example."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = tmp_root / "template"
        generate(_TEMPLATE, services=12, seed=11)
    return _TEMPLATE


def run_cli(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", "--root", str(root), "--today", TODAY.isoformat()])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def assert_locations_exist(root: Path, output: str) -> int:
    """Every ``path:line:col`` printed names an existing file (or the repository) and a line inside it."""
    checked = 0
    for line in output.splitlines():
        match = _LOCATION.match(line)
        if match is None:
            continue
        path = root / match["path"]
        number = int(match["line"])
        assert path.exists() or path.is_symlink(), line
        assert number >= 1 and int(match["col"]) >= 1, line
        if path.is_file() and not path.is_symlink():
            lines = path.read_bytes().split(b"\n")
            assert number <= max(1, len(lines)), f"{line} (file has {len(lines)} lines)"
        checked += 1
    return checked


# -- mutations ------------------------------------------------------------------

ODD_TEXT = st.one_of(
    st.text(min_size=0, max_size=40),
    st.sampled_from(["\u202e", "\ufeff", "\x85", "\u2028", "\u0000", "\U0001f4a5" * 50, "é" * 3, "\ud7ff"]),
    st.integers(min_value=1, max_value=300_000).map(lambda n: "x" * n),
)
SWAPS = ["[]", "{}", "42", "true", "null", "'x'", "[1, [2, [3]]]", "2026-02-30", "-1", "1e400", "!!binary AAAA", "*nope", "&a x",
         "9" * 5000, "[" + "1" * 4301 + "]", "!!int " + "7" * 4400]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if ".itscm-cache" not in p.parts)


def _read(path: Path) -> str:
    """A file's text; undecodable bytes (an earlier mutation) survive a write back."""
    return path.read_text(encoding="utf-8", errors="surrogateescape")


def _mutate(root: Path, data: st.DataObject) -> None:
    files = _files(root)
    if not files:
        return
    target = data.draw(st.sampled_from(files), label="file")
    text = _read(target)
    what = data.draw(st.sampled_from(["delete", "rename-id", "break", "insert", "swap", "cycle", "truncate", "bytes", "encoding"]))
    if what == "delete":
        target.unlink()
    elif what == "rename-id":
        new = data.draw(ODD_TEXT, label="id")
        target.write_text(re.sub(r"(?m)^id: .*$", lambda _: "id: " + json.dumps(new), text, count=1), encoding="utf-8", errors="surrogateescape")
    elif what == "break":
        at = data.draw(st.integers(0, len(text)))
        junk = data.draw(st.sampled_from([": [", "{", "\t", "\n  - ", "'", '"', "---\n", "? ", "@", "%YAML 9.9\n", "key: value\n key2"]))
        target.write_text(text[:at] + junk + text[at:], encoding="utf-8", errors="surrogateescape")
    elif what == "insert":
        value = data.draw(ODD_TEXT, label="value")
        target.write_text(text + "description: " + json.dumps(value) + "\n", encoding="utf-8", errors="surrogateescape")
    elif what == "swap":
        values = list(re.finditer(r"(?m)^(\s*[a-z_]+): (\S.*)$", text))
        if values:
            m = data.draw(st.sampled_from(values))
            swap = data.draw(st.sampled_from(SWAPS))
            target.write_text(text[: m.start(2)] + swap + text[m.end(2) :], encoding="utf-8", errors="surrogateescape")
    elif what == "cycle":
        services = [p for p in files if p.name.startswith("svc-")]
        if len(services) >= 2:
            a, b = data.draw(st.lists(st.sampled_from(services), min_size=2, max_size=2, unique=True))
            for source, other in ((a, b), (b, a)):
                body = _read(source)
                other_id = re.search(r"(?m)^id: (\S+)", _read(other))
                if other_id and "depends_on:\n" in body:
                    new_body = body.replace("depends_on:\n", f"depends_on:\n  - {other_id.group(1)}\n", 1)
                    source.write_text(new_body, encoding="utf-8", errors="surrogateescape")
    elif what == "truncate":
        raw = target.read_bytes()
        target.write_bytes(raw[: data.draw(st.integers(0, len(raw)))])
    elif what == "bytes":
        target.write_bytes(data.draw(st.binary(max_size=200)))
    elif what == "encoding":  # saved by another editor: UTF-16 or UTF-32, with or without a byte order mark
        encoding = data.draw(st.sampled_from(["utf-16", "utf-16-be", "utf-32", "utf-32-le", "latin-1"]))
        target.write_bytes(text.encode(encoding, errors="replace"))


HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _mutated_copy(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, name: str) -> Path:
    """A fresh copy of the generated estate, damaged one to four times."""
    root = tmp_path_factory.mktemp(name)
    shutil.rmtree(root)
    shutil.copytree(_template(tmp_path_factory.getbasetemp()), root)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        _mutate(root, data)
    return root


@HOSTILE
@given(data=st.data())
def test_mutated_estates_never_crash_the_linter(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = _mutated_copy(tmp_path_factory, data, "mutated")
    code, output = run_cli(root)
    assert code in (0, 1), output
    assert " X001 " not in output, output
    assert_locations_exist(root, output)
    # The caches filled by that run change nothing: the load cache alone
    # (stored results dropped), then the stored result.
    shutil.rmtree(root / ".itscm-cache" / "v2" / "results", ignore_errors=True)
    assert run_cli(root) == (code, output)
    assert list((root / ".itscm-cache").rglob("*.res"))
    assert run_cli(root) == (code, output)


@HOSTILE
@given(data=st.data())
def test_mutated_estates_never_crash_fmt_and_formatting_is_stable(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = _mutated_copy(tmp_path_factory, data, "formatted")
    before = {path: path.read_bytes() for path in _files(root)}
    formatted = False
    for args in (["fmt", "--check"], ["fmt"], ["fmt", "--check"]):
        result = CliRunner().invoke(cli, [*args, "--root", str(root)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code in (0, 1), result.output
        assert "internal error" not in result.output, result.output
        if args == ["fmt", "--check"] and formatted:  # after fmt: nothing more to change
            assert result.output.splitlines()[-1].startswith("0 of "), result.output
        if args == ["fmt"]:
            changed = {path for path, raw in before.items() if path.read_bytes() != raw}
            reported = {root / line.split(": ")[0] for line in result.output.splitlines() if line.endswith(": reformatted")}
            assert changed == reported, result.output  # only the files it names were rewritten
            formatted = True


# -- explicit cases ---------------------------------------------------------------

SERVICE = "apiVersion: itscm/v1\nkind: Service\nid: {id}\nowner: team-a\ntier: 2\n"


def _codes(root: Path) -> list[str]:
    code, output = run_cli(root)
    assert code in (0, 1), output
    assert_locations_exist(root, output)
    return [line.split()[2] for line in output.splitlines() if _LOCATION.match(line) and not line.startswith(" ")]


def test_alias_bomb_is_refused_quickly(repo: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    write_tree(repo, {"bomb.yaml": "\n".join(lines) + "\n"})
    start = time.perf_counter()
    assert "Y004" in _codes(repo)
    assert time.perf_counter() - start < 20


def test_a_100_mb_file_is_refused_above_the_limit(repo: Path) -> None:
    big = repo / "services" / "huge.yaml"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as handle:
        handle.write(b"description: ")
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            handle.write(chunk)
    code, output = run_cli(repo)
    assert code == 1
    assert "Y006" in output and "100.0 MB" in output and "8.0 MB" in output, output


def test_10000_levels_of_nesting(repo: Path) -> None:
    write_tree(
        repo,
        {
            "flow.yaml": "[" * 10_000 + "]" * 10_000 + "\n",
            "block.yaml": "- " * 10_000 + "x\n",
            "mapping.yaml": "value: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
        },
    )
    assert sorted(_codes(repo)) == ["Y004", "Y004", "Y004"]
    # Each points at level 201, the first past the limit, even where libyaml's own
    # limit of 1,000 levels stopped reading first: the 201st bracket or dash, and
    # the 200th brace after the top-level mapping.
    _, output = run_cli(repo)
    assert "flow.yaml:1:201: error Y004" in output, output
    assert "block.yaml:1:401: error Y004" in output, output
    assert f"mapping.yaml:1:{len('value: ') + 4 * 199 + 1}: error Y004" in output, output


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loops_and_links_out_of_the_repository_are_reported_not_followed(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.yaml": SERVICE.format(id="secret")})
    write_tree(repo, {"services/a.yaml": SERVICE.format(id="svc-a")})
    (repo / "services" / "loop").symlink_to(repo / "services")
    (repo / "services" / "self.yaml").symlink_to("self.yaml")
    (repo / "services" / "out").symlink_to(outside)
    (repo / "services" / "secret.yaml").symlink_to(outside / "secret.yaml")
    (repo / "services" / "dangling.yaml").symlink_to(repo / "nowhere.yaml")
    result = lint(repo, today=TODAY)
    links = sorted(d.location.path for d in result.diagnostics if d.code == "Y009")
    assert links == [
        "services/dangling.yaml",
        "services/loop",
        "services/out",
        "services/secret.yaml",
        "services/self.yaml",
    ]
    assert result.estate.files == ["services/a.yaml"]
    assert "secret" not in result.estate.by_id


def test_paths_with_spaces_and_non_ascii_names(repo: Path) -> None:
    write_tree(
        repo,
        {
            "services/my services/paiement sécurisé.yaml": SERVICE.format(id="paiement") + "bogus: 1\n",
            "services/日本/サービス.yaml": SERVICE.format(id="nihon"),
        },
    )
    code, output = run_cli(repo)
    assert code == 1
    assert "services/my services/paiement sécurisé.yaml:6:1: error S003" in output, output
    assert_locations_exist(repo, output)


def test_a_file_deleted_while_being_read(repo: Path) -> None:
    write_tree(repo, {"services/a.yaml": SERVICE.format(id="svc-a"), "services/b.yaml": SERVICE.format(id="svc-b")})
    config = load_config(repo)
    found = discover(config)
    (repo / "services" / "b.yaml").unlink()  # gone between discovery and reading
    loaded = load_all(repo, list(found.files), config)
    assert [(f.location.path, f.code) for f in loaded.findings] == [("services/b.yaml", "Y005")]
    assert [d.id for d in loaded.documents] == ["svc-a"]


def test_a_syntax_error_at_the_end_of_a_file_without_final_newline_stays_inside_it(repo: Path) -> None:
    write_tree(repo, {"services/a.yaml": "apiVersion: itscm/v1\nk"})
    code, output = run_cli(repo)
    assert code == 1
    assert "services/a.yaml:2:2: error Y001" in output, output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_with_a_yaml_name_is_reported_not_waited_on(repo: Path) -> None:
    write_tree(repo, {"services/a.yaml": SERVICE.format(id="svc-a")})
    os.mkfifo(repo / "services" / "pipe.yaml")  # no writer will ever come
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1")
    done = subprocess.run(
        [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(repo), "--today", TODAY.isoformat()],
        capture_output=True, text=True, env=env, timeout=120,
    )  # a hang fails here, after the timeout, instead of stopping the suite
    assert done.returncode == 1, done.stderr
    assert "services/pipe.yaml:1:1: error Y005 not a regular file" in done.stdout, done.stdout


def test_an_integer_too_long_to_read_is_reported_wherever_it_is_written(repo: Path) -> None:
    long = "1" * 5000
    write_tree(
        repo,
        {
            # Each file takes another reader: plain lines, a flow list, a key,
            # a tag, and an anchor (only the general reader takes anchors).
            "services/a.yaml": SERVICE.format(id="svc-a") + f"tags: [x, {long}]\n",
            "services/b.yaml": SERVICE.format(id="svc-b").replace("tier: 2", f"tier: {long}"),
            "services/c.yaml": SERVICE.format(id="svc-c") + f"? {long}\n: x\n",  # longer than a simple key may be
            "services/d.yaml": SERVICE.format(id="svc-d") + f"description: !!int {long}\n",
            "services/e.yaml": SERVICE.format(id="svc-e") + f"name: &n x\ntags: [*n, {long}]\n",
            "services/f.yaml": SERVICE.format(id="svc-f") + "tags: [" + "9" * 4300 + "]\n",  # at the limit: read
        },
    )
    code, output = run_cli(repo)
    assert code == 1
    found = {line.split(":")[0]: line for line in output.splitlines() if " Y003 " in line}
    assert found.keys() == {f"services/{name}.yaml" for name in "abcde"}, output
    assert "services/a.yaml:6:11: error Y003 an integer of 5,000 digits: itscm reads at most 4,300" in output, output
    assert "services/b.yaml:5:7: error Y003" in output and "services/c.yaml:6:3: error Y003" in output, output
    assert all(len(line) < 300 for line in output.splitlines()), output  # no message quotes the number whole
    assert_locations_exist(repo, output)


def test_an_interpreter_limit_below_ours_is_a_diagnostic_too(repo: Path) -> None:
    # Python refuses to convert more digits than PYTHONINTMAXSTRDIGITS (at
    # least 640); a number within itscm's own limit must not crash it either.
    write_tree(repo, {"services/a.yaml": SERVICE.format(id="svc-a").replace("tier: 2", "tier: " + "2" * 1000)})
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1", PYTHONINTMAXSTRDIGITS="640")
    done = subprocess.run(
        [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(repo), "--today", TODAY.isoformat()],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "services/a.yaml:5:7: error Y003 an integer of 1,000 digits" in done.stdout, done.stdout


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("utf-16", "UTF-16 (little-endian)"),  # with a byte order mark, as editors save "Unicode"
        ("utf-16-be", "UTF-16 (big-endian)"),  # without one: told from where the zero bytes fall
        ("utf-32-le", "UTF-32 (little-endian)"),
    ],
)
def test_a_file_saved_as_utf16_or_utf32_is_named_so(repo: Path, encoding: str, named: str) -> None:
    (repo / "services").mkdir()
    (repo / "services" / "a.yaml").write_bytes(SERVICE.format(id="svc-a").encode(encoding))
    (repo / "services" / "b.yaml").write_bytes(b"\x00\x00\x00\x00\x01binary")
    code, output = run_cli(repo)
    assert code == 1
    assert f"services/a.yaml:1:1: error Y005 encoded as {named}, not UTF-8: save the file as UTF-8" in output, output
    assert "services/b.yaml:1:1: error Y005 binary file with a YAML name" in output, output


def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(repo: Path) -> None:
    services = os.path.join(os.fsencode(repo), b"services")
    os.mkdir(services)
    try:  # Linux file systems take any bytes; some others refuse such a name
        with open(os.path.join(services, b"caf\xe9.yaml"), "wb") as handle:
            handle.write(DANGLING_SITE.encode())
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    # A UTF-8 terminal: Python's output stream is strict there, unlike under the C locale.
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1", PYTHONIOENCODING="utf-8")
    outputs = {}
    for fmt in ("text", "json", "sarif", "github"):
        done = subprocess.run(
            [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(repo), "--format", fmt],
            capture_output=True, env=env, timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr == b"", done.stderr
        outputs[fmt] = done.stdout
    assert b"services/caf\xe9.yaml:5:9: error R001 " in outputs["text"]  # the name's own bytes, as ls prints it
    assert b"::error file=services/caf\xe9.yaml,line=5,col=9," in outputs["github"]
    (found,) = json.loads(outputs["json"])["diagnostics"]
    assert os.fsencode(found["path"]) == b"services/caf\xe9.yaml"
    (result,) = json.loads(outputs["sarif"])["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/caf%E9.yaml"


DANGLING_SITE = "apiVersion: itscm/v1\nkind: Site\nid: dc-1\ntype: zone\nparent: nope\n"


def test_a_configuration_with_50000_unknown_rule_codes_is_reported_not_hung_on(repo: Path) -> None:
    # Each code's position used to be looked up in a table rebuilt for every
    # code, and each code got a difflib suggestion: 20,000 codes took 349 s.
    rules = "".join(f"  R{i:06d}: off\n" for i in range(50_000))
    write_tree(repo, {"a.yaml": "apiVersion: itscm/v1\nkind: Site\nid: a\ntype: zone\n", ".itscm.yaml": f"rules:\n{rules}"})
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1")
    done = subprocess.run(
        [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(repo), "--format", "json"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # a hang fails here, after the timeout, instead of stopping the suite
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["diagnostics"]
    assert len(found) == 50_000 and {d["code"] for d in found} == {"Y010"}
    assert (found[0]["line"], found[-1]["line"]) == (2, 50_001)
    suggested = [d for d in found if "did you mean" in d["message"]]
    assert 0 < len(suggested) <= 100  # a suggestion for the first few only


@pytest.mark.parametrize("shape", ["pipe", "folder", "link to nothing", "huge"])
def test_a_configuration_that_is_no_file_is_an_error_not_a_wait_or_a_default(shape: str, repo: Path) -> None:
    # .itscm.yaml and mkdocs.yml: before, a pipe or a folder was taken for no
    # configuration at all (the defaults, silently).
    write_tree(repo, {"a.yaml": "apiVersion: itscm/v1\nkind: Site\nid: a\ntype: zone\n"})
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1")
    for name, command, said in (
        (".itscm.yaml", ["lint"], ".itscm.yaml:1:1: error cannot read the configuration: "),
        ("mkdocs.yml", ["build", "--out", str(repo.parent / "site")], "itscm: mkdocs.yml: cannot read it: "),
    ):
        target = repo / name
        if shape == "pipe":
            os.mkfifo(target)
        elif shape == "folder":
            target.mkdir()
        elif shape == "link to nothing":
            target.symlink_to(repo / "nowhere.yaml")
        else:
            target.write_text("#" * (9 << 20), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "itscm_compiler", *command, "--root", str(repo)],
            capture_output=True, text=True, env=env, timeout=120,
        )  # a wait fails here, after the timeout
        assert done.returncode == 2, done.stdout + done.stderr
        assert said in done.stderr and "Traceback" not in done.stderr, done.stderr
        if target.is_dir() and not target.is_symlink():
            target.rmdir()
        else:
            target.unlink()


@pytest.mark.parametrize(
    "name, shown",
    [
        ("red\x1b[31mX.yaml", "red\\x1b[31mX.yaml"),  # colours, or hides, what follows in a terminal or CI log
        ("two\nlines.yaml", "two\\nlines.yaml"),  # would split a path:line:col line in two
        ("back\u202eward.yaml", "back\\u202eward.yaml"),  # a right-to-left override reorders the line
        (b"c1\x9b.yaml", "c1\\udc9b.yaml"),  # not UTF-8: a byte a Latin-1 terminal reads as an escape
    ],
)
def test_file_names_with_control_characters_are_shown_escaped(name: str | bytes, shown: str, repo: Path) -> None:
    # Git stores any byte but "/" and NUL in a name: a pull request can bring such a file.
    services = os.path.join(os.fsencode(repo), b"services")
    os.mkdir(services)
    try:
        with open(os.path.join(services, os.fsencode(name)), "wb") as handle:
            handle.write(DANGLING_SITE.replace("id: ", "id:   ").encode())  # fmt has something to say too
    except OSError:
        pytest.skip("this file system refuses the name")
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1", PYTHONIOENCODING="utf-8")
    for command in (["lint"], ["lint", "--format", "github"], ["fmt", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "itscm_compiler", *command, "--root", str(repo)],
            capture_output=True, env=env, timeout=120,
        )
        out = done.stdout + done.stderr
        expected = shown.replace("\\n", "%0A") if "github" in command else shown  # GitHub's own escape: it finds the file
        assert f"services/{expected}".encode() in out, (command, out)
        raw = os.fsencode(name)
        assert raw not in out and b"\x1b" not in out and b"\x9b" not in out, (command, out)
    # Machine formats keep the real name (JSON escapes the characters its own way).
    done = subprocess.run(
        [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(repo), "--format", "json"],
        capture_output=True, env=env, timeout=120,
    )
    (found,) = json.loads(done.stdout)["diagnostics"]
    assert os.fsencode(found["path"]) == b"services/" + os.fsencode(name)
