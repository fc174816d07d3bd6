"""Keep Python's cyclic garbage collector out of the way while an estate is built and checked.

Loading and checking a large estate builds millions of small, long-lived,
acyclic objects. The collector would walk all of them again and again (it
doubled the time of a 10,000-service run), and right after loading, its
bookkeeping still thinks the heap is small, so it would run full collections
over the whole estate. While paused, nothing is collected; on resume the
survivors are moved straight to the oldest generation (``freeze`` then
``unfreeze``) instead of being traversed.

That move does not tell the collector how large the oldest generation now
is (only a full collection does), so soon after, a full collection still
walks the whole estate: 4.7 of the 5.5 s that rendering 26,841 diagnostics
as JSON took at 50,000 services. A process that ends once its command is
done (the ``itscm`` command, see cli.py) calls :func:`keep_frozen`, and the
survivors then stay out of every later collection.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


_KEEP_FROZEN = False


def keep_frozen(keep: bool = True) -> None:
    """From now on, what survives a pause stays frozen: for a process that exits after one command.

    A library user who lints again and again keeps the default, so that
    garbage cycles among an old estate's objects are still collected; so
    does ``itscm serve``, which rebuilds on every change (``keep=False``).
    """
    global _KEEP_FROZEN
    _KEEP_FROZEN = keep


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nested blocks are free)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if not _KEEP_FROZEN:
            gc.unfreeze()
        gc.enable()


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Leave every object alive now (a loaded estate) out of the collections inside the block.

    The collector keeps running for what the block creates (rendering a site
    makes many short-lived objects), but no longer walks the whole estate in
    each full collection (a sixth of the site's rendering time at 1,000
    services). A block inside another frozen block changes nothing.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
