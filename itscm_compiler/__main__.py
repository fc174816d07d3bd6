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


if __name__ == "__main__":
    sys.exit(run())
