"""The collector pause: restored after the block, a caller's own pause left alone; the last
collection at exit skipped."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

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


def test_the_last_collection_at_exit_is_skipped(tmp_path: Path) -> None:
    """At exit the objects still alive are frozen before the interpreter's last collection."""
    script = tmp_path / "probe.py"
    script.write_text(
        "import atexit, gc\n"
        "from govwatch.collector import skip_collection_at_exit\n"
        # atexit runs last-registered first: this check runs after the freeze
        "atexit.register(lambda: print(gc.get_freeze_count() >= 1000))\n"
        "skip_collection_at_exit()\n"
        "skip_collection_at_exit()\n"
        "kept = [[i] for i in range(1000)]\n",
        encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "True"
