"""The few Git facts itscm needs, read through the ``git`` command.

* :func:`read_history`: which files under the repository changed in which
  commits since a date (one ``git log`` for all files), plus uncommitted
  changes, for the stale-against-Git rule;
* :func:`run_git`: one call, failures as :class:`GitError`, used by PR mode.

Git problems never crash a run: :func:`read_history` returns a
:class:`History` that says what it could not see.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

TIMEOUT = 60.0
UNCOMMITTED = "uncommitted"  # the ``short`` of the pseudo-commit standing for the working tree


class GitError(Exception):
    """A git command failed; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as the checks show it."""

    sha: str
    short: str
    date: dt.date
    subject: str

    def __str__(self) -> str:
        if self.short == UNCOMMITTED:
            return "the working tree (uncommitted changes)"
        return f'commit {self.short} ({self.date}, "{self.subject}")'


@dataclass
class History:
    """Changes to files since a date, or why they are unknown.

    ``changes`` maps a path (relative to the checked root, POSIX) to the
    commits that changed its content after ``since``, newest first. Commits
    that only renamed a file are not changes; history before a rename is
    filed under the new name. ``boundary`` is the oldest visible commit of a
    shallow clone when it falls after ``since``: what it and older commits
    changed is unknown.
    """

    since: dt.date
    available: bool = True
    problem: str = ""
    changes: dict[str, list[Commit]] = field(default_factory=dict)
    shallow: bool = False
    boundary: Commit | None = None

    def changed_after(self, path: str, date: dt.date) -> Commit | None:
        """The newest commit that changed ``path`` on a day after ``date``."""
        found = [c for c in self.changes.get(path, ()) if c.date > date]
        return max(found, key=lambda c: c.date) if found else None


def run_git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``git args`` in ``cwd`` with a predictable environment; raise GitError on failure."""
    return finish_git(start_git(cwd, *args), check)


def start_git(cwd: Path, *args: str) -> subprocess.Popen[str] | GitError:
    """Start ``git args`` without waiting: independent calls then run side by side."""
    return _start(cwd, args, text=True)


def start_git_bytes(cwd: Path, *args: str, feed: bytes = b"") -> subprocess.Popen[bytes] | GitError:
    """:func:`start_git` with the output as bytes (paths and contents as Git stores them), given ``feed`` as input."""
    if not feed:
        return _start(cwd, args, text=False)
    import tempfile

    with tempfile.TemporaryFile() as stdin:  # a file, not a pipe: Git reads it at its pace, nothing can block
        stdin.write(feed)
        stdin.seek(0)
        return _start(cwd, args, text=False, stdin=stdin)


def _start(cwd: Path, args: tuple[str, ...], text: bool, stdin: Any = subprocess.DEVNULL) -> Any:
    env = dict(os.environ, LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    try:
        return subprocess.Popen(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=text,
            encoding="utf-8" if text else None,
            errors="replace" if text else None,
            env=env,
        )
    except FileNotFoundError:
        return GitError("the git command is not installed")
    except OSError as exc:
        return GitError(f"git {args[0]} failed: {exc}")


def finish_git(started: subprocess.Popen[Any] | GitError, check: bool = True) -> subprocess.CompletedProcess[Any]:
    """Wait for a call from :func:`start_git`; raise GitError on failure."""
    if isinstance(started, GitError):
        raise started
    name = str(started.args[3]) if isinstance(started.args, list) and len(started.args) > 3 else "git"
    try:
        stdout, stderr = started.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        started.kill()
        started.communicate()
        raise GitError(f"git {name} failed: {exc}") from None
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM): Git must be gone before the caller
        # cleans up, or it may still be at work on what is being removed.
        started.kill()
        started.wait()
        raise
    done = subprocess.CompletedProcess(started.args, started.returncode, stdout, stderr)
    if check and done.returncode != 0:
        message = (stderr if isinstance(stderr, str) else stderr.decode("utf-8", "replace")).strip().splitlines()
        raise GitError(f"git {name}: {message[-1] if message else f'exit code {done.returncode}'}")
    return done


def read_history(root: Path, since: dt.date, today: dt.date, revision: str | None = None) -> History:
    """Files under ``root`` changed after ``since`` (commits and uncommitted changes dated ``today``).

    With ``revision``, the history as it was at that commit: its ancestors
    only, and no uncommitted changes (PR mode's base).
    """
    return start_history(root, since, today, revision)()


def start_history(root: Path, since: dt.date, today: dt.date, revision: str | None = None) -> Callable[[], History]:
    """Start reading the history; the returned function waits for Git and parses what it said.

    The three calls do not depend on each other: started together, they cost
    one process start of latency instead of three, and started early they run
    while the checks do (the pre-commit case, where Git is most of the time).
    """
    facts_call = start_git(root, "rev-parse", "--show-prefix", "--is-shallow-repository", "--git-path", "shallow")
    log_call = start_git(root, *_log_args(since, revision))
    status_call = start_git(root, *_STATUS_ARGS) if revision is None else None
    return lambda: _finish_history(root, since, today, facts_call, log_call, status_call)


def _finish_history(
    root: Path,
    since: dt.date,
    today: dt.date,
    facts_call: subprocess.Popen[str] | GitError,
    log_call: subprocess.Popen[str] | GitError,
    status_call: subprocess.Popen[str] | GitError | None,
) -> History:
    history = History(since)
    try:
        facts = finish_git(facts_call)
    except GitError as exc:
        for call in (log_call, status_call):
            if isinstance(call, subprocess.Popen):
                call.kill()
                call.communicate()
        history.available = False
        history.problem = "not inside a Git repository" if "not a git repository" in str(exc) else str(exc)
        return history
    prefix, shallow, shallow_file = (facts.stdout.splitlines() + ["", "", ""])[:3]
    history.shallow = shallow.strip() == "true"
    grafts: set[str] = set()
    if history.shallow:
        try:
            grafts = set((root / shallow_file).read_text(encoding="ascii").split())
        except OSError:
            pass
    try:
        _read_log(finish_git(log_call, check=False), history, grafts)
        if status_call is not None:
            _read_status(finish_git(status_call), prefix.strip(), today, history)
    except GitError as exc:
        history.available = False
        history.problem = str(exc)
    return history


def _log_args(since_date: dt.date, revision: str | None = None) -> tuple[str, ...]:
    # --since only prunes the walk (a day early, for time zones); dates are
    # compared exactly below. Commit (not author) dates: when a change landed.
    since = since_date - dt.timedelta(days=1) if since_date > dt.date.min else since_date
    return (
        "log",
        "--relative",
        f"--since={since.isoformat()}T00:00:00",
        "--format=%x1e%H%x1f%h%x1f%cs%x1f%s",
        "--name-status",
        "-M",
        "-z",
        *((revision,) if revision else ()),
        "--",
        ".",
    )


_STATUS_ARGS = ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", ".")


def _read_log(done: subprocess.CompletedProcess[str], history: History, grafts: set[str]) -> None:
    if done.returncode != 0:
        if "does not have any commits" in done.stderr:
            return
        raise GitError(f"git log: {done.stderr.strip() or done.returncode}")
    renamed: dict[str, str] = {}  # old path -> current path, learnt walking back in time
    for chunk in done.stdout.split("\x1e")[1:]:
        header, _, body = chunk.partition("\0")
        sha, short, date, subject = (header.split("\x1f") + ["", "", "", ""])[:4]
        try:
            commit = Commit(sha, short, dt.date.fromisoformat(date), subject)
        except ValueError:
            continue
        if sha in grafts:
            # The shallow boundary looks like a root commit adding every file:
            # what it really changed is unknown.
            if commit.date > history.since and (history.boundary is None or commit.date > history.boundary.date):
                history.boundary = commit
            continue
        if commit.date <= history.since:
            continue
        tokens = body.lstrip("\n").split("\0")
        i = 0
        while i < len(tokens):
            status = tokens[i].strip()
            if not status:
                i += 1
                continue
            if status[0] in "RC":
                old, new = tokens[i + 1], tokens[i + 2] if i + 2 < len(tokens) else ""
                i += 3
                current = renamed.get(new, new)
                if status[0] == "R":
                    renamed[old] = current
                if status[1:] != "100":
                    history.changes.setdefault(current, []).append(commit)
                continue
            path = tokens[i + 1] if i + 1 < len(tokens) else ""
            i += 2
            if path:
                history.changes.setdefault(renamed.get(path, path), []).append(commit)


def _read_status(done: subprocess.CompletedProcess[str], prefix: str, today: dt.date, history: History) -> None:
    """Uncommitted changes count as changed today: the gate flags them before the commit."""
    pseudo = Commit("", UNCOMMITTED, today, "")
    for entry in done.stdout.split("\0"):
        if len(entry) < 4 or entry[:2] in ("!!",) or "D" in entry[:2]:
            continue
        path = entry[3:]
        if prefix and path.startswith(prefix):
            path = path[len(prefix) :]
        history.changes.setdefault(path, []).insert(0, pseudo)
