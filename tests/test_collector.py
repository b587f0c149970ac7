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


def test_loading_a_config_runs_no_collection(tmp_path: Path) -> None:
    """A county config's nodes, data and models are all kept until validated: the collector
    stays off while they are built (a province's YAML took 4 times as long with it), and is
    on again afterwards, also when the config is refused."""
    from govwatch.config import ConfigError, load_config

    units = "".join(
        f"  - code: U{i:04d}\n    name: 单位{i}\n    category: A\n    columns:\n"
        f"      - {{name: 通知公告, url: 'http://u{i}.gov.cn/tzgg/', kind: general}}\n"
        for i in range(600))
    good = tmp_path / "county.yaml"
    good.write_text(f"county: 测试县\nunits:\n{units}", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"county: 测试县\nunits:\n{units}  - code: 错误 代码\n    name: x\n",
                   encoding="utf-8")
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()  # every generation's count at zero: the owed collection is a young one
    gc.callbacks.append(count)
    try:
        config = load_config(good)
        with pytest.raises(ConfigError):
            load_config(bad)
    finally:
        gc.callbacks.remove(count)
    assert len(config.units) == 600
    # none while loading; the young collection owed runs when the collector is back on
    assert collections == [0, 0]
    assert gc.isenabled()
