"""The collector pause: restored after the block, a caller's own pause left alone."""

from __future__ import annotations

import gc

import pytest

from govwatch.collector import collector_paused


def test_collector_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # paused by someone else: left so
    finally:
        gc.enable()
