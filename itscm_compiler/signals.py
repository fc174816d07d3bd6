"""Ctrl-C and SIGTERM: a stopped run unwinds through every cleanup, and says nothing else.

The ``itscm`` command calls :func:`install`: Ctrl-C raises KeyboardInterrupt
and SIGTERM (a cancelled CI job, ``timeout``) raises :class:`Terminated`, so
every ``finally`` runs (by default Python dies on SIGTERM at once, leaving
PR mode's copy of the base and the workers' spill files behind). Then:

* a forked worker has nothing to clean up: it dies of the signal, quietly
  (:func:`plain_signals`, and the handlers themselves in a child);
* a cleanup must not be cut short by the exception it is cleaning up
  after, or by a second signal: inside :class:`deferred` a signal is held
  and raised when the block ends;
* a stop raised inside a callback that Python cannot propagate from (a
  validator run by pydantic-core) would be printed as "Exception ignored"
  and lost: it is signalled again;
* when a worker dies, CPython 3.11's process pool prints an
  InvalidStateError from its manager thread: not shown.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

_STOPS = (signal.SIGINT, signal.SIGTERM)
_main_pid = 0  # the process install() ran in
_depth = [0]  # deferred blocks open
_held: list[int] = []  # signals received inside them
_raised: list[int] = []  # stops raised in this process, in order


class Terminated(BaseException):
    """SIGTERM, raised where the command was.

    Not a SystemExit: code that runs other tools in-process (MkDocs) turns
    their SystemExit into an error of its own.
    """


def install() -> None:
    """For the ``itscm`` command (see the module's docstring); a library caller keeps its own handlers."""
    global _main_pid
    _main_pid = os.getpid()
    signal.signal(signal.SIGTERM, _on_signal)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with Ctrl-C ignored
        signal.signal(signal.SIGINT, _on_signal)
    sys.unraisablehook = _unraisable
    threading.excepthook = _thread_error


def plain_signals() -> None:
    """Start of a worker process: Ctrl-C and SIGTERM end it at once, with no traceback."""
    for stop in _STOPS:
        signal.signal(stop, signal.SIG_DFL)


class deferred:  # noqa: N801 - used like a function: ``with deferred():``
    """Run the block to its end even if Ctrl-C or SIGTERM comes meanwhile; the stop is raised after it."""

    def __enter__(self) -> None:
        _depth[0] += 1  # first: the shorter the way in, the smaller the window

    def __exit__(self, *exc: object) -> None:
        _depth[0] -= 1
        if _depth[0] == 0 and _held:
            signum = _held[0]
            _held.clear()
            raise _stop(signum)


def hold() -> None:
    """The command has ended: from here on a stop is only held, and what it printed stands.

    Called by ``itscm`` once its command returns; a stop that lands while
    the exit is being reported must not print a traceback there.
    """
    _depth[0] += 1  # a deferred block that is never left


def stopped() -> int | None:
    """The signal a stop was raised for in this run, if any.

    A stop can be turned into something else on its way up: pydantic-core
    reports a KeyboardInterrupt in a callback as a SchemaError, a loader or
    a rule may take it for a failure of its own. Whatever the run ends
    with, it was stopped.
    """
    return _raised[0] if _raised else None


def handled() -> None:
    """The command took the stop as its normal end (Ctrl-C ends a preview): the run ends as it says."""
    _raised.clear()
    if hasattr(signal, "SIGALRM"):
        signal.setitimer(signal.ITIMER_REAL, 0)


def describe(signum: int) -> str:
    return "interrupted" if signum == signal.SIGINT else "terminated"


GRACE = 30.0  # seconds a stopped run has to clean up before it exits regardless


def _stop(signum: int) -> BaseException:
    if not _raised and hasattr(signal, "SIGALRM"):
        # A stop can still land where Python leaves a lock taken (a library's
        # own locks, logging's), and the run would wait for it forever. An
        # alarm, not a thread: starting one takes locks of its own. A wait
        # on a lock is interrupted by it.
        signal.signal(signal.SIGALRM, lambda alarm, frame: _give_up(signum))
        signal.setitimer(signal.ITIMER_REAL, GRACE)
    _raised.append(signum)
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def _give_up(signum: int) -> None:
    try:
        os.write(2, f"itscm: {describe(signum)}; cleaning up took more than {GRACE:.0f} s, stopped there\n".encode())
    finally:
        os._exit(128 + signum)


def _on_signal(signum: int, frame: Any) -> None:
    if os.getpid() != _main_pid:  # a forked child that has not reset its handlers yet
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _depth[0]:
        _held.append(signum)
        return
    raise _stop(signum)


def _unraisable(args: Any) -> None:
    if issubclass(args.exc_type, (KeyboardInterrupt, Terminated)):
        signum = signal.SIGINT if issubclass(args.exc_type, KeyboardInterrupt) else signal.SIGTERM
        # From another thread, a moment later: raised here, it would be ignored again.
        threading.Timer(0.01, os.kill, (os.getpid(), signum)).start()
        return
    sys.__unraisablehook__(args)


def _thread_error(args: Any) -> None:
    kind = args.exc_type
    if kind.__name__ == "InvalidStateError" and kind.__module__.startswith("concurrent.futures"):
        return  # a dead worker's pool failing futures it had already cancelled (CPython 3.11)
    threading.__excepthook__(args)
