"""Run one crawl in its own process.

Twisted's reactor cannot be restarted within a process, so every crawl — from the CLI, the
scheduler or a test — runs in fresh child processes (multiprocessing, spawn): one, or one per
core with the sources split by portal (``crawl.processes``), so a province's crawl is not
held to one core by the engine's per-page work. The parent gets
progress events through a queue and, should the child die, closes its open crawl runs as
interrupted so nothing is left 'running'.

Whatever ends a crawl, its runs are closed and the caller learns it failed:
- SIGTERM or SIGINT to the parent stops the children gracefully (Scrapy closes its spiders,
  the pipeline closes the runs as interrupted) and the result carries the signal;
- the parent dying, even by SIGKILL, ends the children too (Linux: PR_SET_PDEATHSIG), and the
  runs left open are closed by the next crawl's or monitor run's sweep (each run records its
  owner process: ``govwatch.liveness``);
- a child killed, or one that could not store what it fetched (a full disk, a database gone),
  makes the result an error with a non-zero exit code.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import os
import queue as queue_module
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from crawler.job import CrawlJob, portal_of
from govwatch.logs import quiet_logging_failures

log = logging.getLogger("govwatch.crawl")

ProgressCallback = Callable[[int, int, int, int], None]  # pages, items, sources done, failed
T = TypeVar("T")


@dataclass(frozen=True)
class CrawlResult:
    exit_code: int
    pages: int
    items: int
    sources_done: int
    sources_failed: int
    error: str | None = None


# Set to a file path, each crawl process writes its cProfile statistics to PATH.<n>.
PROFILE_ENV = "GOVWATCH_PROFILE_CRAWL"
# After SIGTERM, how long the children get to close their spiders before they are killed.
STOP_GRACE_SECONDS = 20.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel send SIGTERM to this process when its parent dies (Linux only): an
    orphaned crawl would go on crawling, writing runs nobody waits for."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            log.warning("cannot ask to be stopped with the parent process")
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _child(job: CrawlJob, events: Any, tag: int = 0, parent_pid: int | None = None) -> None:
    """Child process body: the Scrapy engine, the spiders, the storage pipeline."""
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    from crawler.progress import set_channel

    set_channel(events, tag)
    quiet_logging_failures()
    process = scrapy_process(job)
    # What exists now (modules, the job, the spiders' sources) lives as long as the crawl:
    # frozen, it is left out of the collector's full passes, each of which would otherwise
    # rescan ~180,000 objects (a sixth of a large crawl's CPU time).
    gc.freeze()
    # A page's work makes and frees thousands of containers (lxml proxies, items, requests),
    # nearly all freed by their reference counts: collecting every 700 new ones ran ~1,300
    # young-generation passes over an 8,800-page crawl (4 % of its CPU). Every 10,000, a
    # dozen; the crawl process's peak memory is the same.
    gc.set_threshold(10_000, 10, 10)
    profile_to = os.environ.get(PROFILE_ENV, "").strip()
    if profile_to:  # a developer's profile of the crawl (docs/performance.md)
        import cProfile

        with cProfile.Profile() as profile:
            process.start()
        profile.dump_stats(f"{profile_to}.{tag}")
    else:
        process.start()
    events.put(("finished", tag))


def scrapy_process(job: CrawlJob) -> Any:
    """The ``CrawlerProcess`` of a crawl process, its spiders added, ready to start."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.account import AccountSpider
    from crawler.spiders.column import ColumnSpider

    process = CrawlerProcess(dict(job.scrapy_settings))
    for spider, kind in ((ColumnSpider, "column"), (AccountSpider, "account")):
        sources = [s for s in job.sources if s.type == kind]
        if sources:
            process.crawl(spider, sources=sources, reference_date=job.reference_date,
                          window_days=job.window_days, max_pages=job.max_pages,
                          browser_available=job.browser_available)
    # Scrapy filters by level in its log handler only: its own logger is set to DEBUG and
    # each crawler it adds sets the root logger back to NOTSET, so every response's and
    # item's DEBUG records were made (caller looked up, record built) and then dropped. Set
    # once the crawlers exist, records below the level are not made at all.
    for name in ("", "scrapy"):
        logging.getLogger(name).setLevel(job.scrapy_settings.get("LOG_LEVEL", "INFO"))
    return process


def split_by_portal(job: CrawlJob, processes: int) -> list[CrawlJob]:
    """``job`` as up to ``processes`` jobs, a portal's sources never split between two
    (``share_by_portal``), the global concurrency shared out (``shared_settings``)."""
    groups = share_by_portal(job.sources, lambda spec: spec.url, processes)
    if len(groups) == 1:
        return [job]
    settings = shared_settings(job.scrapy_settings, len(groups))
    return [replace(job, sources=tuple(group), scrapy_settings=settings) for group in groups]


def share_by_portal(things: Sequence[T], url_of: Callable[[T], str],
                    processes: int) -> list[list[T]]:
    """``things`` (sources, or anything with a URL) in up to ``processes`` groups, a portal's
    never split between two: largest portals first, each to the group with the fewest so
    far. Per-domain politeness (delay, concurrency per portal) then holds as in one process.
    """
    portals: dict[str, list[T]] = {}
    for thing in things:
        portals.setdefault(portal_of(url_of(thing)), []).append(thing)
    parts = max(1, min(processes, len(portals)))
    if parts == 1:
        return [list(things)]
    groups: list[list[T]] = [[] for _ in range(parts)]
    for members in sorted(portals.values(), key=len, reverse=True):
        min(groups, key=len).extend(members)
    return groups


def shared_settings(settings: Mapping[str, Any], parts: int) -> dict[str, Any]:
    """Scrapy settings for one of ``parts`` processes crawling side by side: the global
    concurrency shared out so that all of them together keep it (never below the
    per-domain limit)."""
    shared = dict(settings)
    if "CONCURRENT_REQUESTS" in shared and parts > 1:
        shared["CONCURRENT_REQUESTS"] = max(-(-shared["CONCURRENT_REQUESTS"] // parts),
                                            shared.get("CONCURRENT_REQUESTS_PER_DOMAIN", 1))
    return shared


def run_crawl(job: CrawlJob, on_progress: ProgressCallback | None = None,
              processes: int = 1) -> CrawlResult:
    """Crawl ``job.sources`` in child processes (up to ``processes``, split by portal);
    block until they end."""
    ctx = multiprocessing.get_context("spawn")
    events = ctx.Queue()
    children = [ctx.Process(target=_child, args=(part, events, tag, os.getpid()),
                            name="govwatch-crawl")
                for tag, part in enumerate(split_by_portal(job, processes))]
    counts: dict[tuple[int, str], tuple[int, int, int, int]] = {}
    pages = items = done = failed = 0
    finished: set[int] = set()
    errors: list[str] = []
    with _stopping_children_on_signal(children) as stopped_by:
        for child in children:
            child.start()
        while True:
            try:
                event = events.get(timeout=0.2)
            except queue_module.Empty:
                if not any(child.is_alive() for child in children):
                    break
                continue
            if event[0] == "progress":
                counts[event[1]] = event[2:]
                pages, items, done, failed = (sum(c[i] for c in counts.values())
                                              for i in range(4))
                if on_progress:
                    on_progress(pages, items, done, failed)
            elif event[0] == "error":
                errors.append(event[2])
            elif event[0] == "finished":
                finished.add(event[1])
                if len(finished) == len(children):
                    break
        for child in children:
            child.join()
    exit_code = next((c.exitcode for c in children if c.exitcode), 0) or 0
    error = None
    if stopped_by:
        exit_code = 128 + stopped_by[0]
        error = f"抓取被信号 {signal.Signals(stopped_by[0]).name} 中止"
    elif errors:
        exit_code = exit_code or 1
        error = "；".join(dict.fromkeys(errors))
    elif exit_code or len(finished) < len(children):
        exit_code = exit_code or 1
        error = f"抓取进程异常退出（退出码 {exit_code}）"
    if error:
        log.error(error)
        close_orphaned_runs(job.database_url)
    return CrawlResult(exit_code, pages, items, done, failed, error)


@contextmanager
def _stopping_children_on_signal(children: list[Any]) -> Iterator[list[int]]:
    """While crawling, SIGTERM and SIGINT stop the children (gracefully, then by force)
    instead of leaving them to crawl on as orphans. Yields the signals received.

    Only the main thread may handle signals: elsewhere (the scheduler's job threads) the
    children still die with this process (``_die_with_parent``)."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum: int, _frame: Any) -> None:
        if received:  # a second signal: no more patience
            for child in children:
                if child.is_alive():
                    child.kill()
            return
        received.append(signum)
        log.warning("signal %s: stopping the crawl", signal.Signals(signum).name)
        threading.Thread(target=_stop_children, args=(children,), daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_children(children: list[Any]) -> None:
    for child in children:
        if child.is_alive():
            child.terminate()  # Scrapy: a graceful shutdown, spiders closed, runs closed
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()


def close_orphaned_runs(database_url: str) -> int:
    """Close the crawl runs whose process is gone (this crawl's dead children, or any
    earlier crawl killed outright); never raises: the database may be what failed."""
    from govwatch.liveness import owner_gone
    from storage import repo
    from storage.db import Database

    db = Database(database_url)
    try:
        with db.session() as session:
            return repo.sweep_orphaned_runs(session, owner_gone)
    except Exception as exc:  # a dead database must not hide the crawl's own error
        log.error("cannot close the crawl runs left open: %s", exc)
        return 0
    finally:
        db.dispose()


def log_file_for(data_dir: str) -> Path:
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "crawl.log"
