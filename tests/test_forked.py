"""forked.py: one function in a forked child, its result through a pipe, and no way to hang on it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from itscm_compiler.forked import Forked


def _gone(pid: int) -> bool:
    """No such process, not even a zombie (reaped)."""
    return not Path(f"/proc/{pid}").exists()


def test_the_result_comes_back_whatever_its_size() -> None:
    parent = os.getpid()
    small = Forked.start(lambda: ("hello", os.getpid()))
    assert small is not None
    text, pid = small.result()
    assert text == "hello" and pid != parent and _gone(small.pid)
    big = Forked.start(lambda: b"x" * (8 << 20))  # far more than a pipe holds: the child waits for the reader
    assert big is not None and big.result() == b"x" * (8 << 20)
    big.stop()  # harmless once reaped


def test_a_failing_child_gives_none() -> None:
    def fails() -> None:
        raise RuntimeError("boom")

    child = Forked.start(fails)
    assert child is not None and child.result() is None and _gone(child.pid)


def test_a_child_killed_while_sending_gives_none_at_once() -> None:
    # A process pool's thread waited forever for the rest of such a result.
    child = Forked.start(lambda: b"y" * (64 << 20))
    assert child is not None
    time.sleep(0.5)  # it has filled the pipe and waits for the reader
    os.kill(child.pid, signal.SIGKILL)
    started = time.monotonic()
    assert child.result() is None
    assert time.monotonic() - started < 5 and _gone(child.pid)


def test_a_stop_while_waiting_ends_the_child_too() -> None:
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    child = Forked.start(lambda: time.sleep(30))
    assert child is not None
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            child.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert _gone(child.pid)
