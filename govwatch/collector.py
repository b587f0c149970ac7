"""The cyclic garbage collector, paused for work that builds many objects and frees none.

Every 700 allocations of container objects trigger a young collection, and every few of those
a full one that rescans everything alive. A province's config alone is millions of objects,
so while a command holds it every full collection costs more, and a stage that builds
hundreds of thousands of rows triggers more of them: time that grows faster than the store
(syncing 120,000 sources took 3.3 times as long as 60,000), spent finding nothing — rows,
facts and findings are kept to the end of the stage and freed by reference counting.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; it is switched back on afterwards only
    if it was on before (a caller's own pause is left alone)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def skip_collection_at_exit() -> None:
    """Have the objects still alive at interpreter exit frozen (``gc.freeze``) first.

    The interpreter's last act is a full collection over everything alive — once a province's
    config is loaded, millions of objects, ~0.4 s after every command, to find nothing; frozen
    objects are left out of it. Registered once however often it is called.
    """
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True


_registered = False
