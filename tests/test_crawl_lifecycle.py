"""A crawl run is always closed — finished, failed or interrupted — whatever ends the crawl.

Each test runs the real `govwatch crawl` command against the demo portal and ends it the hard
way: SIGKILL of the whole process group, SIGKILL of the parent alone, SIGTERM, SIGKILL of the
Scrapy child, a full disk (a real tmpfs), PostgreSQL refusing connections mid-crawl. Afterwards
no run is left 'running' (closed by the crawl itself, or by the sweep the next crawl or
monitor run makes), the command's exit status says it failed, nothing stored is lost, and no
crawl process is left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from storage.models import CrawlRun, Item

from .conftest import AS_OF, DEMO_CONFIG, POSTGRES_ADMIN, ROOT, config_text_in

ENV = {"GOVWATCH_CACHE_DIR": "off", "PYTHONIOENCODING": "utf-8"}


def _county(folder: Path, data_dir: Path) -> Path:
    """The demo county, crawled slowly (one request at a time, a delay between them) so a
    crawl can be ended midway, with its data in ``data_dir``."""
    replaced = (config_text_in(DEMO_CONFIG, data_dir)
                .replace("download_delay: 0,", "download_delay: 0.4,")
                .replace("concurrent_requests_per_domain: 8,",
                         "concurrent_requests_per_domain: 1,"))
    assert replaced.count(str(data_dir)) == 1 and "download_delay: 0.4" in replaced
    path = folder / "county.yaml"
    path.write_text(replaced, encoding="utf-8")
    return path


def _govwatch(config: Path, *args: str, env: dict[str, str] | None = None,
              **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "govwatch", "--config", str(config), *args], cwd=ROOT,
        env={**os.environ, **ENV, **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, **popen)  # type: ignore[call-overload]


def _counts(url: str) -> tuple[dict[str, int], int]:
    """Crawl runs by outcome, and stored items."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            runs = dict(conn.execute(select(CrawlRun.outcome, func.count())
                                     .group_by(CrawlRun.outcome)).all())
            items = conn.execute(select(func.count()).select_from(Item)).scalar_one()
    except Exception:  # not created yet, or locked for a moment
        return {}, 0
    finally:
        engine.dispose()
    return runs, items


def _wait_for(condition: Callable[[], bool], seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _midway(url: str) -> Callable[[], bool]:
    """True once the crawl has stored items while runs are still open."""
    def check() -> bool:
        runs, items = _counts(url)
        return runs.get("running", 0) > 0 and items > 0
    return check


def _children(pid: int) -> list[int]:
    """The crawl processes (multiprocessing spawn children, not its resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with open(task / "children", encoding="ascii") as handle:
            found += [int(p) for p in handle.read().split()]
    return [p for p in found
            if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _sweep_with_monitor(config: Path, env: dict[str, str] | None = None) -> None:
    done = _govwatch(config, "monitor", "--as-of", AS_OF.isoformat(), env=env)
    _out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err[-2000:]


@pytest.fixture()
def county(demo_portal: object, tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "data"
    return _county(tmp_path, data_dir), f"sqlite:///{data_dir / 'govwatch.db'}"


needs_proc = pytest.mark.skipif(not Path("/proc/self/task").exists(),
                                reason="reads child processes from /proc (Linux)")


@needs_proc
def test_a_crawl_killed_outright_leaves_no_run_running(county: tuple[Path, str]) -> None:
    config, url = county
    crawl = _govwatch(config, "crawl", "--as-of", AS_OF.isoformat(), start_new_session=True)
    _wait_for(_midway(url))
    os.killpg(crawl.pid, signal.SIGKILL)  # the parent and its Scrapy child at once
    crawl.communicate(timeout=30)
    runs, items = _counts(url)
    assert runs.get("running", 0) > 0  # nobody could close them
    _sweep_with_monitor(config)
    after, items_after = _counts(url)
    assert "running" not in after and after["interrupted"] >= runs["running"]
    assert items_after >= items > 0


@needs_proc
def test_the_scrapy_child_dies_with_its_parent(county: tuple[Path, str]) -> None:
    config, url = county
    crawl = _govwatch(config, "crawl", "--as-of", AS_OF.isoformat(), start_new_session=True)
    _wait_for(_midway(url))
    children = _children(crawl.pid)
    assert children
    os.kill(crawl.pid, signal.SIGKILL)  # the parent alone
    crawl.communicate(timeout=30)
    _wait_for(lambda: not any(_alive(pid) for pid in children), seconds=30)
    _sweep_with_monitor(config)
    assert "running" not in _counts(url)[0]


@needs_proc
def test_sigterm_stops_the_crawl_and_says_it_failed(county: tuple[Path, str]) -> None:
    config, url = county
    crawl = _govwatch(config, "crawl", "--as-of", AS_OF.isoformat(), start_new_session=True)
    _wait_for(_midway(url))
    children = _children(crawl.pid)
    crawl.send_signal(signal.SIGTERM)
    _out, err = crawl.communicate(timeout=60)
    assert crawl.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert "抓取进程异常结束" in err and "SIGTERM" in err and "Traceback" not in err
    assert not any(_alive(pid) for pid in children)
    runs, _ = _counts(url)
    assert "running" not in runs and runs.get("interrupted", 0) > 0  # closed, no sweep needed


@needs_proc
def test_a_killed_child_fails_the_command(county: tuple[Path, str]) -> None:
    config, url = county
    crawl = _govwatch(config, "crawl", "--as-of", AS_OF.isoformat(), start_new_session=True)
    _wait_for(_midway(url))
    children = _children(crawl.pid)
    assert children
    for child in children:
        os.kill(child, signal.SIGKILL)
    _out, err = crawl.communicate(timeout=60)
    assert crawl.returncode != 0 and "抓取进程异常结束" in err, (crawl.returncode, err[-2000:])
    assert "running" not in _counts(url)[0]


# --------------------------------------------------------------------- storage that fails


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)
    return done.returncode == 0


def test_a_full_disk_stops_the_crawl_and_keeps_what_was_stored(demo_portal: object,
                                                               tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "6m"):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        data_dir = disk / "data"
        config = _county(tmp_path, data_dir)
        url = f"sqlite:///{data_dir / 'govwatch.db'}"
        first = _govwatch(config, "crawl", "--as-of", AS_OF.isoformat(), "--unit", "A02")
        first.communicate(timeout=300)
        _, stored = _counts(url)
        assert first.returncode == 0 and stored > 0
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(0, free - 48 * 1024))
        crawl = _govwatch(config, "crawl", "--as-of", AS_OF.isoformat())
        out, err = crawl.communicate(timeout=300)
        assert crawl.returncode != 0, (out[-1000:], err[-2000:])
        assert "Traceback" not in err
        # the crawl itself ran into the full disk, and said so
        assert "抓取进程异常结束" in err and "无法保存" in err, err[-2000:]
        (disk / "filler").unlink()
        _sweep_with_monitor(config)
        runs, items = _counts(url)
        assert "running" not in runs
        assert items >= stored
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_postgresql_gone_mid_crawl_is_a_failure_not_a_success(
        demo_portal: object, tmp_path: Path, postgres_url: str) -> None:
    config = _county(tmp_path, tmp_path / "data")
    env = {"GOVWATCH_DATABASE_URL": postgres_url}
    name = postgres_url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        crawl = _govwatch(config, "crawl", "--as-of", AS_OF.isoformat(), env=env)
        _wait_for(_midway(postgres_url))
        with admin.connect() as conn:  # the database goes away under the crawl
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": name})
        out, err = crawl.communicate(timeout=300)
        assert crawl.returncode != 0, (out[-1000:], err[-2000:])
        assert "Traceback" not in err and "无法连接数据库" in err, err[-2000:]
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        _sweep_with_monitor(config, env)
        assert "running" not in _counts(postgres_url)[0]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
