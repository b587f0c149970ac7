"""Crawl throughput: ``govwatch crawl`` against a bare Scrapy spider over the same fixture,
like for like.

Both crawl the fixture portal served by ``bench.server`` in its own process, with the same
Scrapy politeness settings, one after the other, on equal resources: govwatch as configured
by default (a crawl process per core, sources shared out by portal) against the bare spider
shared out the same way over as many processes; then, unless told not to, both in one process.
Throughput is pages per second, counted by the server (list pages and feeds it answered) and
timed two ways:
- fetch window: from the first page to the last request the server answered (the crawl
  itself, and for govwatch the link checks that follow it: their requests are no pages, but
  their time is govwatch's);
- end to end: the whole command, from process start to exit (``govwatch crawl`` also loads
  the config, syncs it to the database, spawns its crawl processes, closes 24,000 crawl runs
  and checks the links it kept; the bare spider only starts Scrapy).
CPU seconds per 1,000 pages are counted too, less noisy than throughput on a shared machine:
the kernel's count for each command's whole process tree, and govwatch's crawl processes
alone. The crawl processes' peak RSS (VmHWM) is polled while they run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.fixture import CrawlFixture
from bench.procs import watch
from govwatch.config import load_config

CRAWL_CHILD_MARKER = "spawn_main"  # multiprocessing's spawned crawl process


def _throughput(stats: dict[str, Any], command_seconds: float) -> dict[str, Any]:
    """Pages the server answered, per second of its fetch window and of the whole command."""
    pages = stats["lists"] + stats["feeds"]
    return {"pages": pages, "command_seconds": round(command_seconds, 2),
            "fetch_seconds": round(_window(stats), 2),
            "pages_per_s_fetch": round(pages / _window(stats), 1),
            "pages_per_s_end_to_end": round(pages / command_seconds, 1)}


def _cpu(stats: dict[str, Any], command: float, crawl: float) -> dict[str, Any]:
    """CPU seconds, of the whole command and of its crawl processes, and per 1,000 pages."""
    pages = max(stats["lists"] + stats["feeds"], 1)
    return {"cpu_seconds": round(command, 1), "crawl_cpu_seconds": round(crawl, 1),
            "cpu_per_1000_pages": round(command / pages * 1000, 2),
            "crawl_cpu_per_1000_pages": round(crawl / pages * 1000, 2)}


def clean_env() -> dict[str, str]:
    """The environment for the commands under test: never someone else's database/config."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GOVWATCH_DATABASE_URL", "GOVWATCH_CONFIG")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:  # loopback only
        return json.loads(response.read())


class FixtureServer:
    """``bench.server`` in its own process, for a ``with`` block."""

    def __init__(self, fixture: CrawlFixture, log: Path) -> None:
        self.fixture = fixture
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.control = f"http://{fixture.hosts[0]}:{fixture.port}"

    def __enter__(self) -> FixtureServer:
        f = self.fixture
        cmd = [sys.executable, "-m", "bench.server", "--reference", f.reference.isoformat(),
               "--portals", str(f.portals), "--units", str(f.units), "--columns",
               str(f.columns), "--pages", str(f.pages), "--accounts", str(f.accounts),
               "--port", str(f.port)]
        self.handle = self.log.open("wb")
        self.proc = subprocess.Popen(cmd, stdout=self.handle, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.stats()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"fixture server did not start; see {self.log}") from None
                time.sleep(0.2)

    def __exit__(self, *_: Any) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.handle.close()

    def stats(self) -> dict[str, Any]:
        return _get(f"{self.control}/__stats")

    def reset(self) -> None:
        _get(f"{self.control}/__reset")


def _window(stats: dict[str, Any]) -> float:
    if stats["first"] is None or stats["last"] is None:
        return 0.0
    return max(stats["last"] - stats["first"], 1e-6)


def _stored(db_path: Path) -> dict[str, Any]:
    """What the govwatch crawl stored: runs by outcome, pages, items."""
    with sqlite3.connect(db_path) as conn:
        outcomes = dict(conn.execute("SELECT outcome, count(*) FROM crawl_run GROUP BY outcome"))
        pages = conn.execute("SELECT coalesce(sum(pages), 0) FROM crawl_run").fetchone()[0]
        items = conn.execute("SELECT count(*) FROM item").fetchone()[0]
        snapshots = conn.execute("SELECT count(*) FROM snapshot").fetchone()[0]
    return {"runs_by_outcome": outcomes, "pages": pages, "items": items,
            "snapshots": snapshots}


def _govwatch_crawl(fixture: CrawlFixture, work: Path, server: FixtureServer,
                    env: dict[str, str], *, concurrency: int, processes: int | None = None,
                    check_links: bool = True, say: Any = print) -> tuple[Path, dict[str, Any]]:
    """``govwatch init`` and ``govwatch crawl`` of the fixture into a new store under
    ``work``; the config written and the figures."""
    work.mkdir(parents=True, exist_ok=True)
    data_dir = work / "data"
    config_path = work / "bench-crawl.yaml"
    fixture.write_config(config_path, data_dir.resolve(), concurrency=concurrency,
                         max_pages=fixture.pages, processes=processes,
                         check_links=check_links)
    govwatch = [sys.executable, "-m", "govwatch", "--config", str(config_path)]
    shape = f"{processes} crawl process{'es' if processes != 1 else ''}" if processes else \
        "a crawl process per core"
    say(f"  crawl: govwatch init ({fixture.units * fixture.columns + fixture.accounts} "
        "sources)…")
    init = watch([*govwatch, "init"], env=env, log=work / "init.log")
    if init.returncode:
        raise RuntimeError(f"govwatch init failed; see {work / 'init.log'}")
    say(f"  crawl: govwatch crawl ({fixture.expected_pages} pages, {shape})…")
    server.reset()
    gw = watch([*govwatch, "crawl", "--as-of", fixture.reference.isoformat()], env=env,
               log=work / "crawl.log")
    stats = server.stats()
    if gw.returncode:
        raise RuntimeError(f"govwatch crawl failed; see {work / 'crawl.log'}")
    count, peaks = gw.total_of(CRAWL_CHILD_MARKER)
    return config_path, {
        **_throughput(stats, gw.seconds),
        **_cpu(stats, gw.cpu_seconds, gw.cpu_of(CRAWL_CHILD_MARKER)),
        "init_seconds": round(init.seconds, 2),
        "crawl_processes": count,
        # the crawl processes run side by side: their peaks added up
        "crawl_process_peak_rss_mb": round(peaks, 1),
        "crawl_process_peak_rss_mb_each": round(gw.peak_of(CRAWL_CHILD_MARKER), 1),
        "cli_peak_rss_mb": round(max((mb for cmd, mb in gw.peaks.values()
                                      if CRAWL_CHILD_MARKER not in cmd), default=0), 1),
        "stored": _stored(data_dir / "govwatch.db"),
    }


def bare_spec(fixture: CrawlFixture, crawl_cfg: dict[str, Any], *, processes: int,
              log_file: Path) -> dict[str, Any]:
    """What ``python -m bench.bare`` reads: the fixture, the crawl config, the processes."""
    return {"reference": fixture.reference.isoformat(), "portals": fixture.portals,
            "units": fixture.units, "columns": fixture.columns, "pages": fixture.pages,
            "accounts": fixture.accounts, "port": fixture.port, "crawl": crawl_cfg,
            "processes": processes, "log_file": str(log_file.resolve())}


def _bare_crawl(fixture: CrawlFixture, work: Path, server: FixtureServer,
                env: dict[str, str], crawl_cfg: dict[str, Any], *, processes: int,
                say: Any = print) -> dict[str, Any]:
    """The bare spider over the fixture in ``processes`` processes (shared out by portal as
    ``govwatch crawl`` shares its sources); its figures."""
    shape = f"{processes} process{'es' if processes != 1 else ''}"
    say(f"  crawl: bare Scrapy spider ({shape})…")
    work.mkdir(parents=True, exist_ok=True)
    spec = bare_spec(fixture, crawl_cfg, processes=processes, log_file=work / "bare-scrapy.log")
    (work / "bare-spec.json").write_text(json.dumps(spec), encoding="utf-8")
    server.reset()
    bare = watch([sys.executable, "-m", "bench.bare", str(work / "bare-spec.json"),
                  str(work / "bare-result.json")], env=env, log=work / "bare.log")
    stats = server.stats()
    if bare.returncode:
        raise RuntimeError(f"bare spider failed; see {work / 'bare.log'}")
    own = json.loads((work / "bare-result.json").read_text(encoding="utf-8"))
    return {
        **_throughput(stats, bare.seconds),
        # the bare command is its crawl: its CPU is the crawl's
        **_cpu(stats, bare.cpu_seconds, bare.cpu_seconds),
        "crawl_processes": own["processes"],
        "peak_rss_mb": round(max(own["peak_rss_mb"], bare.peak_of("bench.bare")), 1),
    }


def run(fixture: CrawlFixture, work: Path, *, concurrency: int, one_process: bool = True,
        check_links: bool = True, say: Any = print) -> dict[str, Any]:
    """Serve the fixture and crawl it like for like: with govwatch as configured by default
    (a crawl process per core) and with the bare spider over as many processes; then, with
    ``one_process``, both in one process. The figures and their ratios."""
    work.mkdir(parents=True, exist_ok=True)
    env = clean_env()
    processes = os.cpu_count() or 1  # what govwatch crawl uses when not configured
    result: dict[str, Any] = {
        "fixture": {"portals": fixture.portals, "units": fixture.units,
                    "columns_per_unit": fixture.columns, "pages_per_column": fixture.pages,
                    "accounts": fixture.accounts, "expected_pages": fixture.expected_pages},
        "concurrent_requests_per_domain": concurrency, "check_links": check_links,
    }
    with FixtureServer(fixture, work / "server.log") as server:
        config_path, result["govwatch"] = _govwatch_crawl(
            fixture, work, server, env, concurrency=concurrency, check_links=check_links,
            say=say)
        result["init_seconds"] = result["govwatch"]["init_seconds"]
        # the operator's later commands need the config: load time of this config, once
        started = time.monotonic()
        crawl_cfg = load_config(config_path).settings.crawl.model_dump(mode="json")
        result["config_load_seconds"] = round(time.monotonic() - started, 2)
        result["bare"] = _bare_crawl(fixture, work / "bare", server, env, crawl_cfg,
                                     processes=processes, say=say)
        if one_process:
            _, result["govwatch_one_process"] = _govwatch_crawl(
                fixture, work / "one-process", server, env, concurrency=concurrency,
                processes=1, check_links=check_links, say=say)
            result["bare_one_process"] = _bare_crawl(
                fixture, work / "bare-one-process", server, env, crawl_cfg, processes=1,
                say=say)
    result.update(_ratios(result["govwatch"], result["bare"]))
    if one_process:
        result.update({f"{key}_one_process": value for key, value in _ratios(
            result["govwatch_one_process"], result["bare_one_process"]).items()})
    result["same_pages"] = all(
        r["pages"] == fixture.expected_pages for key, r in result.items()
        if key.startswith(("govwatch", "bare")))
    return result


def _ratios(govwatch: dict[str, Any], bare: dict[str, Any]) -> dict[str, float]:
    """govwatch against the bare spider on equal resources: throughput (fetch window, whole
    command) and CPU per page (the bare spider's CPU over govwatch's: 1 is as cheap)."""
    return {
        "ratio_fetch": round(govwatch["pages_per_s_fetch"] / bare["pages_per_s_fetch"], 3),
        "ratio_end_to_end": round(govwatch["pages_per_s_end_to_end"]
                                  / bare["pages_per_s_end_to_end"], 3),
        "ratio_cpu": round(bare["cpu_per_1000_pages"]
                           / max(govwatch["crawl_cpu_per_1000_pages"], 1e-9), 3),
    }
