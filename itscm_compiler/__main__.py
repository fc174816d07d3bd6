"""The ``itscm`` command's first code: Ctrl-C and SIGTERM are handled before anything heavy is imported.

Importing the CLI (click, then the library) takes a noticeable moment; a stop
that came meanwhile would print Python's KeyboardInterrupt traceback.
"""

from __future__ import annotations

import os
import signal
import sys


def run() -> None:
    """Entry point of the ``itscm`` command and of ``python -m itscm_compiler``."""
    from .signals import Terminated, describe, install, stopped

    _standard_streams()
    install()
    try:
        from .cli import run as command
    except (KeyboardInterrupt, Terminated):  # stopped while starting: nothing was done yet
        signum = stopped() or signal.SIGINT
        try:
            os.write(2, f"itscm: {describe(signum)}\n".encode())
        finally:
            os._exit(128 + signum)
    command()


_STREAMS = ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w"))


def _standard_streams() -> None:
    """Give a closed standard stream (``itscm lint >&-``) the null device.

    Python leaves ``sys.stdout`` None then, and the CLI's messages and exit
    failed on it; worse, the next file itscm opened (a cache pack) would get
    descriptor 1, and a Git process started then would write into it.
    """
    for fd, name, mode in _STREAMS:
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, encoding="utf-8", errors="backslashreplace", closefd=False))


if __name__ == "__main__":
    run()
