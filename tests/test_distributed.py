"""Distributed mode against the real Redis and PostgreSQL on 127.0.0.1: two Celery workers
share a crawl split by portal, each portal is crawled once, the findings equal a single-machine
SQLite run, and a worker killed mid-task has its portal crawled again by the other."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from demo_portal import DemoPortal

from .conftest import REDIS_URL, _unavailable, county

AS_OF = date(2021, 9, 8)
@pytest.fixture()
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:
        _unavailable("Redis", exc)
    return REDIS_URL


def env_for(database_url: str | None, redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    # a queue of this test's own: another test run on the same Redis must not take its tasks
    env.update(PYTHONIOENCODING="utf-8", GOVWATCH_BROKER_URL=redis_url,
               GOVWATCH_QUEUE=f"govwatch-test-{uuid.uuid4().hex[:8]}", **extra)
    if database_url:
        env["GOVWATCH_DATABASE_URL"] = database_url
    return env


def govwatch(config: Path, env: dict[str, str], *args: str, timeout: float = 600
             ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "govwatch", "--config", str(config), *args],
                          capture_output=True, text=True, env=env, cwd=config.parent,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def start_worker(config: Path, env: dict[str, str], name: str, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "govwatch", "--config", str(config), "worker", "--name", name],
        stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=config.parent,
        start_new_session=True)  # its own process group: killing it kills its crawl too


def stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def findings(database_url: str) -> set[tuple[str, str, str, str]]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select f.rule, u.code, coalesce(s.name, ''), f.period from finding f "
            "join unit u on u.id = f.unit_id left join source s on s.id = f.source_id"))
        found = {tuple(r) for r in rows}
    engine.dispose()
    return found


def runs_per_source(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select u.code || ' ' || s.name, count(r.id) from source s "
            "join unit u on u.id = s.unit_id join crawl_run r on r.source_id = s.id "
            "group by u.code, s.name"))
        counts = {name: n for name, n in rows}
    engine.dispose()
    return counts


def test_two_workers_crawl_each_portal_once_like_one_machine(
        portals: dict[str, DemoPortal], postgres_url: str, redis_url: str,
        tmp_path: Path) -> None:
    config = county(tmp_path, portals)
    # the single-machine reference: SQLite, one crawl process
    sqlite_env = env_for(None, redis_url)
    govwatch(config, sqlite_env, "crawl", "--as-of", AS_OF.isoformat())
    govwatch(config, sqlite_env, "monitor", "--as-of", AS_OF.isoformat())
    expected = findings(f"sqlite:///{tmp_path / 'data' / 'govwatch.db'}")
    assert len(expected) > 10

    env = env_for(postgres_url, redis_url)
    govwatch(config, env, "init")
    workers = [start_worker(config, env, name, tmp_path / f"{name}.log")
               for name in ("w1", "w2")]
    try:
        queued = govwatch(config, env, "crawl", "--distributed", "--wait", "10",
                          "--as-of", AS_OF.isoformat())
        assert "已排队：3 个网站" in queued.stdout and "全部完成：3 个网站" in queued.stdout
    finally:
        for worker in workers:
            stop(worker)
    govwatch(config, env, "monitor", "--as-of", AS_OF.isoformat())
    assert findings(postgres_url) == expected
    assert set(runs_per_source(postgres_url).values()) == {1}  # every source crawled once
    logs = [(tmp_path / f"{name}.log").read_text() for name in ("w1", "w2")]
    started = [log.count("job=crawl_portal event=start") for log in logs]
    assert sum(started) == 3 and all(started), started  # both workers took portals


def test_a_killed_worker_has_its_portal_crawled_by_the_other(
        portals: dict[str, DemoPortal], postgres_url: str, redis_url: str,
        tmp_path: Path) -> None:
    # one portal, slowed down so that the first worker can be killed in the middle
    config = county(tmp_path, portals, units=("A01", "A02"), download_delay=0.5)
    env = env_for(postgres_url, redis_url, GOVWATCH_VISIBILITY_TIMEOUT="5",
                  GOVWATCH_PORTAL_LOCK_SECONDS="6")
    govwatch(config, env, "init")
    first = start_worker(config, env, "doomed", tmp_path / "doomed.log")
    second = None
    engine = create_engine(postgres_url)
    try:
        govwatch(config, env, "crawl", "--distributed", "--as-of", AS_OF.isoformat())
        deadline = time.monotonic() + 60
        running = 0
        while time.monotonic() < deadline and not running:
            with engine.connect() as conn:
                running = conn.execute(text(
                    "select count(*) from crawl_run where outcome = 'running'")).scalar()
            time.sleep(0.2)
        assert running, (tmp_path / "doomed.log").read_text()[-2000:]
        stop(first, signal.SIGKILL)  # the worker and its crawl die mid-task
        second = start_worker(config, env, "survivor", tmp_path / "survivor.log")
        deadline = time.monotonic() + 120
        finished = False
        while time.monotonic() < deadline and not finished:
            with engine.connect() as conn:
                outcomes = dict(conn.execute(text(
                    "select outcome, count(*) from crawl_run group by outcome")).all())
            # the survivor's own finish line, not only "nothing running": between marking the
            # dead worker's runs interrupted and opening its own, nothing is running
            survivor_log = (tmp_path / "survivor.log").read_text()
            finished = ("running" not in outcomes and outcomes.get("ok", 0) > 0
                        and "job=crawl_portal event=finish" in survivor_log)
            time.sleep(0.5)
        assert finished, (outcomes, (tmp_path / "survivor.log").read_text()[-3000:])
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        engine.dispose()
    assert outcomes.get("interrupted", 0) > 0  # what the dead worker left, marked as such
    survivor = (tmp_path / "survivor.log").read_text()
    assert "job=crawl_portal event=finish portal=127.0.0.1" in survivor
