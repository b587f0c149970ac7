"""Distributed crawling on Celery: Redis as the broker, one SQL database (PostgreSQL) as the
store, one task per portal.

The unit of work is a portal (a host name): a task crawls all of a portal's sources in a Scrapy
child process, so per-domain politeness (delay, concurrency) holds across the cluster. Tasks
are acknowledged late — only once the crawl is done — and a task whose worker dies is delivered
again (to another worker) once the broker's visibility timeout passes. A portal is never
crawled by two workers at once: a task holds a Redis lock on its portal, refreshed while it
runs and expiring soon after its worker dies; a redelivered task that finds the portal already
done in that round, or locked by a live worker, does not crawl it again.

Configuration (environment, the same on every machine):
``GOVWATCH_BROKER_URL`` (default ``redis://127.0.0.1:6379/0``), ``GOVWATCH_DATABASE_URL``
(the shared database), ``GOVWATCH_QUEUE`` (queue name and key prefix, default
``govwatch``: two installations may share one Redis), ``GOVWATCH_VISIBILITY_TIMEOUT``
(seconds before an unacknowledged task is redelivered; default 3600 — longer than any
portal's crawl) and
``GOVWATCH_PORTAL_LOCK_SECONDS`` (default 120).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import redis
from celery import Celery, Task

from crawler.job import portal_of
from govwatch.logs import job_event

log = logging.getLogger("govwatch.distributed")

BROKER_ENV = "GOVWATCH_BROKER_URL"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
ROUND_TTL = 7 * 24 * 3600  # how long a round remembers which portals it finished


def queue_name() -> str:
    return os.environ.get("GOVWATCH_QUEUE", "govwatch")


def broker_url() -> str:
    return os.environ.get(BROKER_ENV, DEFAULT_BROKER)


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def make_celery() -> Celery:
    visibility = _int_env("GOVWATCH_VISIBILITY_TIMEOUT", 3600)
    app = Celery("govwatch", broker=broker_url(), backend=broker_url())
    app.conf.update(
        task_acks_late=True,  # ack only after the crawl: a dead worker's task is redelivered
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds one portal at a time
        broker_transport_options={
            "visibility_timeout": visibility,
            # look for a dead worker's messages every few seconds, not every ~100 s
            "unacked_restore_interval": min(10, max(1, visibility // 2)),
            "unacked_restore_throttle": 1,
        },
        result_expires=ROUND_TTL,
        task_default_queue=queue_name(),
        task_serializer="json",
        accept_content=["json"],
        timezone="Asia/Shanghai",
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


celery_app = make_celery()


def group_by_portal(sources: list[tuple[int, str]]) -> dict[str, list[int]]:
    """``{portal: [source ids]}`` from (source id, url) pairs."""
    portals: dict[str, list[int]] = defaultdict(list)
    for source_id, url in sources:
        portals[portal_of(url)].append(source_id)
    return dict(portals)


# ----------------------------------------------------------------------------- portal lock


class PortalBusy(RuntimeError):
    """Another live worker is crawling this portal."""


@contextmanager
def portal_lock(client: redis.Redis, portal: str) -> Iterator[None]:
    """Hold ``portal`` for this worker; refreshed in the background while held."""
    ttl = _int_env("GOVWATCH_PORTAL_LOCK_SECONDS", 120)
    key, token = f"{queue_name()}:portal:{portal}", uuid.uuid4().hex
    if not client.set(key, token, nx=True, ex=ttl):
        raise PortalBusy(portal)
    stop = threading.Event()

    def refresh() -> None:
        while not stop.wait(ttl / 3):
            if client.get(key) != token.encode():
                return
            client.expire(key, ttl)

    keeper = threading.Thread(target=refresh, daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        if client.get(key) == token.encode():
            client.delete(key)


# ----------------------------------------------------------------------------- tasks


@celery_app.task(bind=True, name="govwatch.crawl_portal", max_retries=None)
def crawl_portal(self: Task, config_path: str, portal: str, source_ids: list[int],
                 reference_date: str, round_id: str) -> dict[str, int | str]:
    """Crawl one portal's sources (in a Scrapy child process) for one round."""
    from govwatch.cli import app
    from govwatch.config import load_config
    from storage import repo

    client = redis.Redis.from_url(broker_url())
    done_key = f"{queue_name()}:round:{round_id}:done"
    if client.sismember(done_key, portal):
        job_event(log, "crawl_portal", "skip", portal=portal, reason="already crawled")
        return {"portal": portal, "skipped": 1}
    try:
        with portal_lock(client, portal):
            started = time.monotonic()
            job_event(log, "crawl_portal", "start", portal=portal, sources=len(source_ids),
                      worker=self.request.hostname)
            config = load_config(config_path)
            db = app.open_database(config, migrate=False)
            try:
                with db.session() as session:  # a dead worker's runs of this portal
                    repo.interrupt_open_runs(session, source_ids)
                summary = app.crawl(config, db, source_ids=set(source_ids),
                                    reference_date=date.fromisoformat(reference_date))
            finally:
                db.dispose()
            if summary.result is None or summary.result.error:
                raise RuntimeError(summary.result.error if summary.result else "no result")
            client.sadd(done_key, portal)
            client.expire(done_key, ROUND_TTL)
            job_event(log, "crawl_portal", "finish", portal=portal,
                      duration=time.monotonic() - started, pages=summary.result.pages,
                      items=summary.result.items)
            return {"portal": portal, "pages": summary.result.pages,
                    "items": summary.result.items}
    except PortalBusy:
        job_event(log, "crawl_portal", "busy", portal=portal)
        raise self.retry(countdown=15) from None


@dataclass(frozen=True)
class Round:
    """One distributed crawl: its id, its tasks, what they cover."""

    id: str
    task_ids: list[str]
    portals: int
    sources: int


def enqueue_crawl(config_path: str, *, unit: str | None = None, source: str | None = None,
                  exclude: set[tuple[str, str]] | None = None,
                  reference_date: date | None = None) -> Round:
    """Queue one task per portal of the configured sources (of one unit or source, or all)."""
    from govwatch.cli import app
    from govwatch.config import load_config
    from govwatch.timeutil import today
    from storage import repo

    config = load_config(config_path)
    db = app.open_database(config)
    try:
        with db.session() as session:
            ids = repo.source_ids(session)
    finally:
        db.dispose()
    specs = app.source_specs(config, ids, unit_code=unit, source_name=source, exclude=exclude)
    portals = group_by_portal([(s.source_id, s.url) for s in specs])
    round_id = uuid.uuid4().hex[:12]
    day = (reference_date or today()).isoformat()
    task_ids = [crawl_portal.apply_async(args=(config_path, portal, sources, day, round_id)).id
                for portal, sources in sorted(portals.items())]
    return Round(round_id, task_ids, len(portals), len(specs))


def wait_for(task_ids: list[str], timeout: float) -> list[dict[str, int | str]]:
    """Block until every task finished; return their results."""
    from celery.result import AsyncResult

    results = []
    deadline = time.monotonic() + timeout
    for task_id in task_ids:
        remaining = max(deadline - time.monotonic(), 1)
        results.append(AsyncResult(task_id, app=celery_app).get(timeout=remaining))
    return results


def run_worker(name: str | None = None, concurrency: int = 1) -> None:
    """Run a worker in this process. Threads, not prefork: a crawl starts its own child
    process, which daemonic prefork children may not do."""
    argv = ["worker", "--loglevel=INFO", "--pool=threads", f"--concurrency={concurrency}",
            "--without-gossip", "--without-mingle"]
    if name:
        argv.append(f"--hostname={name}@%h")
    celery_app.worker_main(argv)
