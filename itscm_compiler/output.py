"""Standard output that arrives whole, or says it could not.

Python's buffered writer returns a short count when the descriptor takes
only part of the data, and the text stream above it ignores the count: with
a report redirected to a file on a full disk (or past a file size limit),
what did not fit was dropped without an error, and a CI job kept a cut-short
report with lint's ordinary exit code. The ``itscm`` command therefore
writes standard output through :class:`WholeWriter`, which writes every byte
or raises an OSError that says the output is incomplete (the CLI reports
it, exit 2), once. Two more cases are handled on the way:

* a reader that went away (``itscm lint | head``) is not a failure: the rest
  is dropped and the command ends as it would have;
* a descriptor shared in non-blocking mode (some CI runners) is waited on
  when full, instead of failing part-way;
* a file name's bytes that are not UTF-8 are written as they are, and a
  character the output's encoding cannot show as its escape (``ERRORS``).
"""

from __future__ import annotations

import codecs
import io
import os
import select
import sys


ERRORS = "itscm-output"


def _bytes_or_escape(error: UnicodeError) -> tuple[bytes, int]:
    """Encoding errors on output: a file name's own bytes, else the character's escape.

    A name that is not UTF-8 is read with its bytes escaped as surrogates; it
    is printed byte for byte, as ``ls`` prints it (Python's surrogateescape).
    A character the output's encoding cannot show (an ASCII or Latin-1
    locale, a name in Cyrillic) is written as its escape, as Python's stderr
    does (backslashreplace), not an encoding error that ends the run.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = bytearray()
    for char in error.object[error.start : error.end]:
        code = ord(char)
        out += bytes((code - 0xDC00,)) if 0xDC80 <= code <= 0xDCFF else char.encode("unicode_escape")
    return bytes(out), error.end


codecs.register_error(ERRORS, _bytes_or_escape)


class WholeWriter(io.RawIOBase):
    """A raw writer on a descriptor: every byte is written, or the first failure is raised."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.dropping = False  # the reader left, or a failure was reported: nothing more to write

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(data)
        view = memoryview(data).cast("B")
        while view and not self.dropping:
            try:
                view = view[os.write(self.fd, view) :]
            except BlockingIOError:
                select.select([], [self.fd], [])
            except BrokenPipeError:
                self.dropping = True  # the reader has all it wanted
            except OSError as exc:
                self.dropping = True  # said once; what follows is dropped
                raise OSError(exc.errno, f"cannot write the output: {exc.strerror or exc}; it is incomplete") from None
        return size


def whole_stdout() -> None:
    """Make ``sys.stdout`` write through a :class:`WholeWriter` (for the ``itscm`` command only)."""
    stream = sys.stdout
    try:
        fd = stream.fileno()
        stream.flush()
    except (AttributeError, OSError, ValueError):
        return  # not a descriptor (a test's capture), or already closed: left as it is
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(WholeWriter(fd)),
        encoding=stream.encoding,
        errors=ERRORS if stream.errors == "strict" else stream.errors,
        line_buffering=bool(stream.line_buffering),
    )
