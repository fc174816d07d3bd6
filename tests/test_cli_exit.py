"""The ``itscm`` command exits without tearing down its heap: output and exit codes must survive."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402


def _itscm(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1")
    return subprocess.run(
        [sys.executable, "-m", "itscm_compiler", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_a_large_report_through_a_pipe_arrives_whole(tmp_path: Path) -> None:
    generate(tmp_path, services=150, seed=2)
    done = _itscm("lint", "--root", str(tmp_path), "--today", "2026-11-24", "--format", "json")
    assert done.returncode == 1  # the generated estate has deliberate errors
    report = json.loads(done.stdout)  # every byte was flushed before the fast exit
    assert len(report["diagnostics"]) > 100
    assert len(done.stdout) > 64 * 1024  # larger than a pipe's buffer


def test_exit_codes_are_kept() -> None:
    assert _itscm("--version").returncode == 0
    assert _itscm("lint").returncode == 0  # the example estate is clean
    usage = _itscm("no-such-command")
    assert usage.returncode == 2
    assert "no-such-command" in usage.stderr


def test_what_a_command_built_stays_out_of_later_collections(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With keep_frozen (what the itscm command sets), a pause leaves its survivors frozen.

    Otherwise the collector, which never learnt how large the heap grew,
    soon walks all of it in a full collection (seconds at 50,000 services).
    """
    import gc

    from itscm_compiler import gcpause

    assert gc.get_freeze_count() == 0 and gc.isenabled()
    with gcpause.gc_paused():
        built = [[i] for i in range(1000)]
    assert gc.get_freeze_count() == 0  # the library default: nothing stays frozen
    monkeypatch.setattr(gcpause, "_KEEP_FROZEN", False)
    gcpause.keep_frozen()
    try:
        with gcpause.gc_paused():
            built = [[i] for i in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(built)
        gc.collect()
        assert gc.get_freeze_count() >= len(built)  # a full collection leaves them alone
    finally:
        gc.unfreeze()


def test_serve_keeps_old_estates_collectable(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``itscm serve`` rebuilds (and lints) on every change: it must not keep each estate frozen for good."""
    from itscm_compiler import gcpause
    from itscm_compiler.site import serve as serve_module

    monkeypatch.setattr(gcpause, "_KEEP_FROZEN", True)  # what the itscm command sets at its start

    def no_site(*args: object, **kwargs: object) -> None:
        raise serve_module.BuildError("no site in this test")

    monkeypatch.setattr(serve_module, "build_site", no_site)
    assert serve_module.serve(ROOT, "127.0.0.1", 0) == 2  # nothing built: it stops before serving
    assert gcpause._KEEP_FROZEN is False


STOPS = [(signal.SIGINT, 130, "itscm: interrupted"), (signal.SIGTERM, 143, "itscm: terminated")]


@pytest.mark.parametrize(("stop", "code", "said"), STOPS, ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("since", [False, True], ids=["lint", "pr-mode"])
def test_a_stopped_run_exits_cleanly_and_leaves_nothing_behind(
    tmp_path: Path, stop: signal.Signals, code: int, said: str, since: bool
) -> None:
    # Ctrl-C in a terminal, and a cancelled CI job, signal the whole process
    # group: the command, its workers and its Git processes.
    estate, scratch = tmp_path / "estate", tmp_path / "tmp"
    scratch.mkdir()
    generate(estate, services=1500, seed=2)  # about a second of cold lint here: time to be stopped
    args = ["lint", "--root", str(estate)]
    if since:
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "init", "-q"], cwd=estate, check=True)
        subprocess.run([*git, "add", "-A"], cwd=estate, check=True)
        subprocess.run([*git, "commit", "-qm", "base"], cwd=estate, check=True)
        args += ["--since", "HEAD"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1", TMPDIR=str(scratch))
    stopped = 0
    # In PR mode, later too: while the base is checked out and checked.
    for delay in (0.5, 1.2, 1.8, 2.4) if since else (0.5, 0.35, 0.7):
        proc = subprocess.Popen(
            [sys.executable, "-m", "itscm_compiler", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        time.sleep(delay)
        try:
            os.killpg(proc.pid, stop)
        except ProcessLookupError:  # already done: not stopped this time
            pass
        _, stderr = proc.communicate(timeout=120)
        assert "Traceback" not in stderr, stderr
        if proc.returncode in (0, 1):
            continue  # it finished before the signal
        assert proc.returncode == code, stderr
        assert stderr.strip().splitlines()[-1] == said, stderr
        stopped += 1
        time.sleep(0.2)
        assert _in_session(proc.pid) == [], "processes left running"
        assert list(scratch.iterdir()) == []  # no spill files, no base checkout
        if since:
            worktrees = subprocess.run(["git", "worktree", "list"], cwd=estate, capture_output=True, text=True)
            assert worktrees.stdout.count("\n") == 1, worktrees.stdout  # the base checkout is unregistered
    assert stopped, "no run was stopped: the estate is checked too fast for this test"


def _in_session(session: int) -> list[int]:
    """The processes still running in ``session`` (from /proc: no procps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize(("stop", "code", "said"), STOPS, ids=["ctrl-c", "sigterm"])
def test_a_stop_as_the_command_returns_is_said_without_a_traceback(stop: signal.Signals, code: int, said: str) -> None:
    # Seen in CI: Ctrl-C landed just after the command had returned, in
    # run()'s own frame, and came out as a traceback. Here the command is a
    # C function that signals the process, so Python runs the handler at
    # the first instruction after the call: in run(), not in the command.
    script = f"""
import functools, os, signal
from itscm_compiler import cli
cli.main = functools.partial(os.kill, os.getpid(), signal.{stop.name})
cli.run()
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    assert (done.returncode, done.stderr) == (code, said + "\n")


@pytest.mark.parametrize(("stop", "code", "said"), STOPS, ids=["ctrl-c", "sigterm"])
def test_a_stop_while_the_command_starts_is_said_without_a_traceback(stop: signal.Signals, code: int, said: str) -> None:
    # Importing the CLI takes a moment; a stop then came out as Python's
    # KeyboardInterrupt traceback. Here the process signals itself as click is
    # about to be imported, through the entry point the installed command uses.
    script = f"""
import os, signal, sys
class Stop:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            os.kill(os.getpid(), signal.{stop.name})
        return None
sys.meta_path.insert(0, Stop())
sys.argv = ["itscm", "--help"]
from itscm_compiler.__main__ import run
run()
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (code, "", said + "\n")


def test_a_stop_while_the_outcome_is_reported_leaves_the_outcome() -> None:
    # Once the command has returned, what it printed is whole: a stop that
    # comes while run() flushes it is held, and the command's exit code stands.
    script = """
import functools, os, signal, sys
from itscm_compiler import cli
class Out:
    def __init__(self, real):
        self.real = real
    def write(self, text):
        return self.real.write(text)
    flush = staticmethod(functools.partial(os.kill, os.getpid(), signal.SIGINT))
def command():
    print("the whole report")
    sys.exit(1)
sys.stdout = Out(sys.stdout)
cli.main = command
cli.run()
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (1, "the whole report\n", "")


def test_a_stopped_run_whose_cleanup_hangs_still_ends() -> None:
    # A stop can land where Python leaves a lock taken (bpo-29988); the run
    # must end even then, with the stop's exit code, after a grace period.
    code = """
import os, signal, threading, time
from itscm_compiler import signals
signals.GRACE = 1.0
signals.install()
stuck = threading.Lock()
try:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)
except signals.Terminated:
    stuck.acquire()
    stuck.acquire()  # a cleanup waiting for a lock nobody will release
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 143
    assert done.stderr == "itscm: terminated; cleaning up took more than 1 s, stopped there\n"
    assert time.monotonic() - started < 30  # the grace period, not the sleep


OUT_OF_MEMORY = """
import resource, sys
import itscm_compiler.cli, itscm_compiler.engine, itscm_compiler.bulk, itscm_compiler.loader, itscm_compiler.estate
import itscm_compiler.analysis, itscm_compiler.reporters
from itscm_compiler.rules import RULES
# Room for a few megabytes more than the process holds now: the estate does not fit.
used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (used + 24 * 2**20, resource.getrlimit(resource.RLIMIT_AS)[1]))
sys.argv = ["itscm", *sys.argv[1:]]
itscm_compiler.cli.main()
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc to size the limit")
def test_running_out_of_memory_is_said_as_such(tmp_path: Path) -> None:
    # Not "internal error ... please report this", and no rule "crashed" (X001).
    generate(tmp_path, services=600, seed=2)
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1", ITSCM_WORKERS="1")
    done = subprocess.run(
        [sys.executable, "-c", OUT_OF_MEMORY, "lint", "--root", str(tmp_path), "--today", "2026-11-24"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr
    assert done.stderr.startswith("itscm: out of memory: "), done.stderr
    assert "Traceback" not in done.stderr and "X001" not in done.stdout


def test_a_current_folder_deleted_under_the_shell_is_named(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    script = "import os, sys; os.rmdir(os.getcwd()); sys.argv = ['itscm', *sys.argv[1:]]; from itscm_compiler.__main__ import run; run()"
    for command in (["lint"], ["graph"], ["fmt", "--check"]):
        gone.mkdir()
        done = subprocess.run([sys.executable, "-c", script, *command], cwd=gone, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.startswith("itscm: the current folder no longer exists"), (command, done.stderr)
