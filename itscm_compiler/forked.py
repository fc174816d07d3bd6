"""One function run in a forked child, its result read back through a pipe: no threads, nothing to hang on.

For work on data this process already holds (the estate, the file list):
the child gets it from memory by forking, never pickled, and sends back
only its result. The pipe has one writer, the child: when the child dies
for any reason (a stop, the kernel's OOM killer, a crash), reading ends at
once, and the result is None. A process pool's background thread, by
contrast, waited forever for the rest of a result whose sender was killed
halfway (that hung a stopped run until the watchdog ended it).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from typing import Any, Callable

from .signals import deferred, plain_signals


def can_fork() -> bool:
    """Whether this platform forks safely (not macOS, where system libraries may not survive a fork)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


class Forked:
    """A child process computing one result; :meth:`result` waits for it, :meth:`stop` ends it."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self.read_end = read_end
        self.reaped = False

    @classmethod
    def start(cls, work: Callable[[], Any]) -> Forked | None:
        """Fork a child that runs ``work`` and pickles what it returns; None where this cannot fork."""
        if not can_fork():
            return None
        with deferred():  # a stop now waits until the child is known, to be ended
            try:
                read_end, write_end = os.pipe()
            except OSError:
                return None
            try:
                pid = os.fork()
            except OSError:
                os.close(read_end)
                os.close(write_end)
                return None
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                _child(work, read_end, write_end)
            os.close(write_end)
            return cls(pid, read_end)

    def result(self) -> Any | None:
        """What ``work`` returned, once the child is done; None when it failed or was killed."""
        chunks: list[bytes] = []
        fd, self.read_end = self.read_end, -1  # from here on closed with the file object, never twice
        try:
            with os.fdopen(fd, "rb") as pipe:
                while chunk := pipe.read(1 << 20):
                    chunks.append(chunk)
            status = self._reap()
        except OSError:
            self.stop()
            return None
        except BaseException:
            self.stop()  # a stop while waiting: the child goes too
            raise
        if status != 0 or not chunks:
            return None
        try:
            return pickle.loads(b"".join(chunks))  # noqa: S301 - our own child, through our own pipe
        except Exception:  # noqa: BLE001 - cut short: the caller does the work itself
            return None

    def stop(self) -> None:
        """End the child if it still runs, and reap it; safe to call at any time, more than once."""
        with deferred():
            if self.read_end >= 0:
                os.close(self.read_end)
                self.read_end = -1
            if not self.reaped:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self._reap()

    def _reap(self) -> int:
        if self.reaped:
            return 1
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            status = 1
        self.reaped = True
        return status


def _child(work: Callable[[], Any], read_end: int, write_end: int) -> None:  # pragma: no cover - runs in the child
    code = 1
    try:
        plain_signals()  # a stop ends the child at once; the parent cleans up
        os.close(read_end)
        payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
        code = 0
    finally:
        os._exit(code)  # never back into the parent's stack, its atexit handlers or its buffers
