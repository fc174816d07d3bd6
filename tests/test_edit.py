"""``itscm fmt`` and ``itscm review``: comment-preserving edits through ruamel.yaml round-trip."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from itscm_compiler.fmt import format_text

from .conftest import ROOT, run_itscm, write_tree

PEOPLE = """\
apiVersion: itscm/v1
kind: Person
id: ann
name: Ann
---
apiVersion: itscm/v1
kind: Person
id: bob
name: Bob
---
apiVersion: itscm/v1
kind: Team
id: ops
members: [ann, bob]
"""

# Every comment form: before the first ---, at the end of lines, standalone at
# odd indentation, in a flow context, after a block scalar; and text that only
# looks like a comment (inside a block scalar and inside quotes).
PLAN = """\
# yaml-language-server: $schema=../schema/itscm.schema.json
# The payments disaster-recovery plan.
---
apiVersion: itscm/v1   # always v1
kind: Plan
id: payments-dr
name: "Payments: DR # not a comment"    # quoted on purpose
roles:
    - id: lead   # the incident lead
      primary: 'ann'
        # backup chosen by the board
      backup: bob
procedure:
- id: s1
  title: Fail over # first
  instructions: |
    # not a comment: part of the text


    run `failover --now`   # also text
  waits_for: [ ]   # nothing to wait for
# after the procedure


# two blank lines above collapse to one
---
apiVersion: itscm/v1
kind: Plan
id: orders-dr
# no review block yet
services: []
"""

PLAN_COMMENTS = [
    "# yaml-language-server: $schema=../schema/itscm.schema.json",
    "# The payments disaster-recovery plan.",
    "# always v1",
    "# quoted on purpose",
    "# the incident lead",
    "# backup chosen by the board",
    "# first",
    "# nothing to wait for",
    "# after the procedure",
    "# two blank lines above collapse to one",
    "# no review block yet",
]

FORMATTED = """\
# yaml-language-server: $schema=../schema/itscm.schema.json
# The payments disaster-recovery plan.
apiVersion: itscm/v1   # always v1
kind: Plan
id: payments-dr
name: "Payments: DR # not a comment"    # quoted on purpose
roles:
  - id: lead     # the incident lead
    primary: 'ann'
    # backup chosen by the board
    backup: bob
procedure:
  - id: s1
    title: Fail over # first
    instructions: |
      # not a comment: part of the text


      run `failover --now`   # also text
    waits_for: []  # nothing to wait for
# after the procedure

# two blank lines above collapse to one
---
apiVersion: itscm/v1
kind: Plan
id: orders-dr
# no review block yet
services: []
"""


def comment_lines(text: str) -> list[str]:
    """The comments of the fixtures above: ``#`` after a space or at a line start, outside the block text."""
    found = []
    for line in text.splitlines():
        if "not a comment: part" in line or "also text" in line:
            continue
        match = re.search(r"(?:^|\s)(#.*)$", line.replace("# not a comment\"", ""))
        if match:
            found.append(match.group(1))
    return found


def estate(repo: Path) -> Path:
    return write_tree(repo, {"plans/people.yaml": PEOPLE, "plans/dr.yaml": PLAN})


def test_fixture_comments_are_what_we_think() -> None:
    assert comment_lines(PLAN) == PLAN_COMMENTS


def test_fmt_exact_layout_keeps_every_comment_and_is_idempotent() -> None:
    once = format_text(PLAN)
    assert once == FORMATTED
    assert comment_lines(once) == PLAN_COMMENTS
    assert format_text(once) == once


def test_fmt_cli_check_then_write_then_check(repo: Path) -> None:
    estate(repo)
    lint_before = _findings(repo)
    done = run_itscm("fmt", "--check", "--root", str(repo))
    assert done.returncode == 1
    assert "plans/dr.yaml: would reformat" in done.stdout
    assert "people.yaml" not in done.stdout
    assert (repo / "plans/dr.yaml").read_text(encoding="utf-8") == PLAN  # --check writes nothing
    done = run_itscm("fmt", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    assert (repo / "plans/dr.yaml").read_text(encoding="utf-8") == FORMATTED
    again = run_itscm("fmt", "--check", "--root", str(repo))
    assert again.returncode == 0 and "0 of 2 file(s)" in again.stdout
    # The data did not change: lint finds the same problems (lines may move).
    assert _findings(repo) == lint_before


def _findings(repo: Path) -> list[tuple[str, str, str]]:
    done = run_itscm("lint", "--format", "json", "--root", str(repo), "--today", "2026-11-24")
    return [(d["code"], d["path"], d["fingerprint"]) for d in json.loads(done.stdout)["diagnostics"]]


def test_fmt_leaves_a_broken_file_alone(repo: Path) -> None:
    broken = "apiVersion: itscm/v1\nkind: Plan\nid: x\nroles: [a, b\n"
    write_tree(repo, {"plans/broken.yaml": broken, "plans/empty.yaml": "# only a comment\n"})
    done = run_itscm("fmt", "--root", str(repo))
    assert done.returncode == 1
    assert "plans/broken.yaml: cannot format: YAML problem at 5:1 (YAML syntax error" in done.stderr
    assert (repo / "plans/broken.yaml").read_text(encoding="utf-8") == broken
    assert (repo / "plans/empty.yaml").read_text(encoding="utf-8") == "# only a comment\n"


def test_fmt_paths_limit_what_is_formatted(repo: Path) -> None:
    estate(repo)
    write_tree(repo, {"services/s.yaml": "apiVersion: itscm/v1\nkind: Site\nid: dc\n\n\n"})
    done = run_itscm("fmt", "services", "--root", str(repo), cwd=repo)
    assert done.returncode == 0
    assert (repo / "services/s.yaml").read_text(encoding="utf-8") == "apiVersion: itscm/v1\nkind: Site\nid: dc\n"
    assert (repo / "plans/dr.yaml").read_text(encoding="utf-8") == PLAN


def test_fmt_given_paths_touches_only_estate_documents(repo: Path) -> None:
    estate(repo)
    tool = "repos:\n-   repo: local\n\n\n"
    write_tree(repo, {".pre-commit-config.yaml": tool, "mkdocs.yml": "site_name:   x\n\n\n"})
    done = run_itscm("fmt", ".pre-commit-config.yaml", "mkdocs.yml", "plans/dr.yaml", "--root", str(repo), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["plans/dr.yaml: reformatted", "1 of 1 file(s) reformatted"]
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == tool
    assert (repo / "mkdocs.yml").read_text(encoding="utf-8") == "site_name:   x\n\n\n"


def test_fmt_check_passes_on_the_example_estate() -> None:
    done = run_itscm("fmt", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_review_updates_the_block_keeping_comments_and_quoting(repo: Path) -> None:
    text = FORMATTED.replace(
        "# after the procedure\n",
        "review:\n  # reviewed yearly\n  last_reviewed: '2025-01-10'  # quoted stays quoted\n  by: ann\n"
        "  status: approved\n# after the procedure\n",
    )
    write_tree(repo, {"plans/people.yaml": PEOPLE, "plans/dr.yaml": text})
    done = run_itscm("review", "payments-dr", "--by", "bob", "--date", "2026-11-20", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "plans/dr.yaml: review of payments-dr recorded: 2026-11-20 by bob\n"
    after = (repo / "plans/dr.yaml").read_text(encoding="utf-8")
    assert after == text.replace("'2025-01-10'", "'2026-11-20'").replace("  by: ann\n", "  by: bob\n")
    assert comment_lines(after) == comment_lines(text)


def test_review_creates_the_block_when_missing(repo: Path) -> None:
    estate(repo)
    done = run_itscm("review", "orders-dr", "--by", "ann", "--date", "2026-11-21", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    after = (repo / "plans/dr.yaml").read_text(encoding="utf-8")
    assert after == FORMATTED + "review:\n  last_reviewed: 2026-11-21\n  by: ann\n"
    assert comment_lines(after) == PLAN_COMMENTS
    lint = run_itscm("lint", "--root", str(repo), "--today", "2026-11-24")
    # The new block is valid (no schema error) and counts (the plan is no longer unreviewed).
    assert not re.search(r"plans/dr.yaml:\S+ error S\d+", lint.stdout), lint.stdout
    assert not re.search(r"F\d+ plan 'orders-dr'", lint.stdout), lint.stdout
    assert re.search(r"F\d+ plan 'payments-dr'", lint.stdout), lint.stdout  # the check is real
    again = run_itscm("review", "orders-dr", "--by", "ann", "--date", "2026-11-21", "--root", str(repo))
    assert again.returncode == 0 and "already recorded" in again.stdout


def test_review_refuses_unknown_plan_and_person(repo: Path) -> None:
    estate(repo)
    done = run_itscm("review", "payments-d", "--by", "ann", "--root", str(repo))
    assert done.returncode == 2
    assert "no plan 'payments-d': did you mean 'payments-dr'?" in done.stderr
    done = run_itscm("review", "ann", "--by", "ann", "--root", str(repo))
    assert done.returncode == 2 and "'ann' is a Person, not a plan" in done.stderr
    done = run_itscm("review", "payments-dr", "--by", "bobb", "--root", str(repo))
    assert done.returncode == 2 and "no person 'bobb': did you mean 'bob'?" in done.stderr
    done = run_itscm("review", "payments-dr", "--by", "bob", "--date", "20/11/2026", "--root", str(repo))
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr
    assert (repo / "plans/dr.yaml").read_text(encoding="utf-8") == PLAN


def test_lint_never_imports_the_round_trip_machinery(repo: Path) -> None:
    estate(repo)
    code = (
        "import sys; from pathlib import Path; from itscm_compiler.pipeline import lint; "
        f"lint(Path({str(repo)!r})); "
        "bad = [m for m in ('itscm_compiler.roundtrip', 'itscm_compiler.fmt', 'itscm_compiler.review') "
        "if m in sys.modules]; "
        "assert not bad, bad"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_fmt_on_hostile_files_refuses_quickly_and_changes_nothing(repo: Path) -> None:
    bomb = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 9)}]" for i in range(1, 9)]
    files = {
        "plans/bomb.yaml": "\n".join(bomb) + "\n",
        "plans/deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "plans/tabs.yaml": "a:\n\t- b\n",
    }
    write_tree(repo, files)
    done = run_itscm("fmt", "--root", str(repo), timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for rel, text in files.items():
        assert f"{rel}: cannot format: YAML problem at " in done.stderr
        assert (repo / rel).read_text(encoding="utf-8") == text


def test_fmt_and_review_keep_text_that_only_looks_like_a_date(repo: Path) -> None:
    # YAML 1.2 strings to itscm; ruamel.yaml resolves them as timestamps and
    # could not build them, which stopped fmt and review with an internal error.
    odd = "description:   2026-13-45   # not a date\ntags: [2026-02-31, x]\n"
    text = FORMATTED.replace("roles:\n", odd + "roles:\n", 1)
    write_tree(repo, {"plans/people.yaml": PEOPLE, "plans/dr.yaml": text})
    done = run_itscm("fmt", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    formatted = text.replace("description:   2026-13-45   # not a date", "description: 2026-13-45     # not a date")
    assert (repo / "plans/dr.yaml").read_text(encoding="utf-8") == formatted
    assert run_itscm("fmt", "--check", "--root", str(repo)).returncode == 0
    done = run_itscm("review", "payments-dr", "--by", "ann", "--date", "2026-11-20", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    after = (repo / "plans/dr.yaml").read_text(encoding="utf-8")
    assert "review:\n  last_reviewed: 2026-11-20\n  by: ann\n" in after
    assert "description: 2026-13-45     # not a date\ntags: [2026-02-31, x]\n" in after
    # A real timestamp that is not a real time stays as written too.
    write_tree(repo, {"plans/dr.yaml": formatted.replace("tags: [2026-02-31, x]", "tags: [x]\nstamp: 2026-02-28T25:00:00")})
    assert run_itscm("fmt", "--check", "--root", str(repo)).returncode == 0


def test_fmt_and_review_accept_yaml_1_2_text_that_libyaml_refuses(repo: Path) -> None:
    # A plain `a:b` inside a flow list is one string in YAML 1.2, which lint
    # reads; libyaml (YAML 1.1) refuses it, and fmt said it could not write
    # the file back.
    text = FORMATTED.replace("roles:\n", "tags:   [team:payments, x]   # kept\nroles:\n", 1)
    write_tree(repo, {"plans/people.yaml": PEOPLE, "plans/dr.yaml": text})
    done = run_itscm("fmt", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    assert "tags: [team:payments, x]     # kept\nroles:\n" in (repo / "plans/dr.yaml").read_text(encoding="utf-8")
    assert run_itscm("fmt", "--check", "--root", str(repo)).returncode == 0
    done = run_itscm("review", "payments-dr", "--by", "ann", "--date", "2026-11-20", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    assert "tags: [team:payments, x]" in (repo / "plans/dr.yaml").read_text(encoding="utf-8")


def test_fmt_and_review_keep_windows_line_ends(repo: Path) -> None:
    # A file committed with CRLF line ends came back with LF: review turned a
    # one-line change into a diff of every line, and fmt --check flagged files
    # already in canonical layout.
    text = FORMATTED.replace(
        "# after the procedure\n", "review:\n  last_reviewed: 2025-01-10\n  by: ann\n# after the procedure\n"
    )
    write_tree(repo, {"plans/people.yaml": PEOPLE})
    (repo / "plans/dr.yaml").write_bytes(text.replace("\n", "\r\n").encode())
    check = run_itscm("fmt", "--check", "--root", str(repo))
    assert check.returncode == 0, check.stdout + check.stderr
    done = run_itscm("review", "payments-dr", "--by", "bob", "--date", "2026-11-20", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    reviewed = text.replace("2025-01-10", "2026-11-20").replace("  by: ann\n", "  by: bob\n")
    assert (repo / "plans/dr.yaml").read_bytes() == reviewed.replace("\n", "\r\n").encode()
    messy = reviewed.replace("payments-dr\n", "payments-dr   \n\n\n\n", 1)  # trailing spaces, blank lines
    assert format_text(messy) != messy  # the precondition: there is something to lay out
    (repo / "plans/dr.yaml").write_bytes(messy.replace("\n", "\r\n").encode())
    assert run_itscm("fmt", "--root", str(repo)).returncode == 0
    assert (repo / "plans/dr.yaml").read_bytes() == format_text(messy).replace("\n", "\r\n").encode()
