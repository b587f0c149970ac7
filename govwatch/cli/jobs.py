"""The scheduled jobs: crawl, monitor, report (a draft bulletin, or published with
``auto_publish``), notify (the daily digests). Plain module-level functions of a config path,
so a persistent job store can name them, and each logs one line when it starts and one when
it finishes, with counts and duration.

Each job loads the config afresh (an operator's edit takes effect at the next run) and opens
its own database connection. A crawl runs in its own child process (``govwatch.cli.app.crawl``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from govwatch.cli import app
from govwatch.config import load_config
from govwatch.logs import job_event
from govwatch.timeutil import iso_week, today

log = logging.getLogger("govwatch.jobs")
SCHEDULER = "govwatch schedule"  # who the scheduler's drafts and publications are by


@contextmanager
def _job(name: str, **fields: Any) -> Iterator[dict[str, Any]]:
    """Log start and finish (or failure) of a job; the body adds counts to the dict."""
    counts: dict[str, Any] = {}
    started = time.monotonic()
    job_event(log, name, "start", **fields)
    try:
        yield counts
    except Exception as exc:
        job_event(log, name, "error", logging.ERROR, duration=time.monotonic() - started,
                  error=f"{type(exc).__name__}: {exc}", **fields)
        raise
    job_event(log, name, "finish", duration=time.monotonic() - started, **fields, **counts)


def crawl_job(config_path: str, unit: str | None = None, source: str | None = None,
              exclude: list[tuple[str, str]] | None = None, distributed: bool = False) -> None:
    """Crawl the county (or one unit/source), skipping sources that have their own job; in
    distributed mode, queue one task per portal for the workers instead."""
    if distributed:
        return _enqueue_job(config_path, unit, source, exclude)
    with _job("crawl", unit=unit, source=source) as counts:
        config = load_config(config_path)
        db = app.open_database(config, migrate=False)  # the daemon migrated at start
        try:
            summary = app.crawl(config, db, unit_code=unit, source_name=source,
                                exclude=set(exclude or ()))
        finally:
            db.dispose()
        result = summary.result
        counts.update(sources=summary.sources, pages=result.pages if result else 0,
                      items=result.items if result else 0,
                      failed=result.sources_failed if result else 0)
        if result and result.error:
            raise RuntimeError(result.error)


def _enqueue_job(config_path: str, unit: str | None, source: str | None,
                 exclude: list[tuple[str, str]] | None) -> None:
    from govwatch.cli.distributed import enqueue_crawl

    with _job("enqueue", unit=unit, source=source) as counts:
        queued = enqueue_crawl(config_path, unit=unit, source=source,
                               exclude={(u, s) for u, s in exclude or ()})
        counts.update(portals=queued.portals, sources=queued.sources, round=queued.id)


def monitor_job(config_path: str) -> None:
    """Run every monitor as of today."""
    from monitors.runner import run_monitors

    with _job("monitor") as counts:
        config = load_config(config_path)
        db = app.open_database(config, migrate=False)  # the daemon migrated at start
        try:
            report = run_monitors(db, config, today())
        finally:
            db.dispose()
        counts.update(new=len(report.new_ids), known=len(report.known_ids),
                      **{f"new_{rule}": n for rule, n in sorted(report.new_by_rule.items())})


def report_job(config_path: str, auto_publish: bool = False) -> None:
    """Draft the bulletin of the last complete week, for reviewers to approve; with
    ``auto_publish`` (``jobs.report.auto_publish`` in the schedule), approve and publish it at
    once as ``govwatch schedule``."""
    from reports.lifecycle import draft_week, produce_week

    week = iso_week(today() - timedelta(days=7))
    with _job("report", week=week, auto_publish=auto_publish) as counts:
        config = load_config(config_path)
        db = app.open_database(config, migrate=False)  # the daemon migrated at start
        try:
            if auto_publish:
                outcome = produce_week(db, config, week, published_by=SCHEDULER,
                                       approver_signs=False)  # 签发人: the county's only
            else:
                outcome = draft_week(db, config, week, drafted_by=SCHEDULER)
        finally:
            db.dispose()
        counts.update(files=len(outcome.files), draft_files=len(outcome.draft_files),
                      published=outcome.bulletin_id is not None,
                      named=len(outcome.bulletin.listed_ids))


def notify_job(config_path: str) -> None:
    """Send today's digests (the team's and each unit's) once each, and again those that
    failed before; a failing channel is logged and recorded, never stops the others."""
    from notify import ALREADY_SENT, FAILED, SENT, run_notifications

    with _job("notify") as counts:
        config = load_config(config_path)
        db = app.open_database(config, migrate=False)  # the daemon migrated at start
        try:
            report = run_notifications(db, config, today())
        finally:
            db.dispose()
        counts.update(digests=len(report.digests), sent=report.count(SENT),
                      failed=report.count(FAILED), already_sent=report.count(ALREADY_SENT),
                      quiet_units=len(report.quiet_units))


def probe_job(config_path: str) -> None:
    """Probe every site's 首页 once (the national checks' site_unreachable)."""
    with _job("probe") as counts:
        config = load_config(config_path)
        db = app.open_database(config, migrate=False)  # the daemon migrated at start
        try:
            results = app.probe_sites(config, db)
        finally:
            db.dispose()
        counts.update(sites=len(results), failed=sum(not r.ok for _, _, r in results))


JOBS: dict[str, Callable[..., None]] = {
    "crawl": crawl_job,
    "monitor": monitor_job,
    "report": report_job,
    "notify": notify_job,
    "probe": probe_job,
}
