"""Crawl throughput: ``govwatch crawl`` against a bare Scrapy spider over the same fixture,
like for like.

Both crawl the fixture portal served by ``bench.server`` in its own process, with the same
Scrapy politeness settings, one after the other, on equal resources: govwatch as configured
by default (a crawl process per core, sources shared out by portal) against the bare spider
shared out the same way over as many processes; then, unless told not to, both in one process.
Each pair runs ``repeats`` times, govwatch first and the bare spider first in turn, and each
side's runs are pooled: a machine whose speed drifts favours neither side.
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
from functools import partial
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


def new_store(fixture: CrawlFixture, work: Path, env: dict[str, str], *, concurrency: int,
              processes: int | None, check_links: bool) -> tuple[list[str], Path, float]:
    """The fixture's county config written under ``work`` (``bench-crawl.yaml``, its store in
    ``data``) and ``govwatch init`` run on it: the command that runs govwatch on that config,
    the config, and how long the init took."""
    work.mkdir(parents=True, exist_ok=True)
    config_path = work / "bench-crawl.yaml"
    fixture.write_config(config_path, (work / "data").resolve(), concurrency=concurrency,
                         max_pages=fixture.pages, processes=processes,
                         check_links=check_links)
    govwatch = [sys.executable, "-m", "govwatch", "--config", str(config_path)]
    init = watch([*govwatch, "init"], env=env, log=work / "init.log")
    if init.returncode:
        raise RuntimeError(f"govwatch init failed; see {work / 'init.log'}")
    return govwatch, config_path, init.seconds


def _govwatch_crawl(fixture: CrawlFixture, work: Path, server: FixtureServer,
                    env: dict[str, str], *, concurrency: int, processes: int | None = None,
                    check_links: bool = True, say: Any = print) -> tuple[Path, dict[str, Any]]:
    """``govwatch init`` and ``govwatch crawl`` of the fixture into a new store under
    ``work``; the config written and the figures."""
    shape = f"{processes} crawl process{'es' if processes != 1 else ''}" if processes else \
        "a crawl process per core"
    say(f"  crawl: govwatch init ({fixture.units * fixture.columns + fixture.accounts} "
        "sources)…")
    govwatch, config_path, init_seconds = new_store(
        fixture, work, env, concurrency=concurrency, processes=processes,
        check_links=check_links)
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
        "init_seconds": round(init_seconds, 2),
        "crawl_processes": count,
        # the crawl processes run side by side: their peaks added up
        "crawl_process_peak_rss_mb": round(peaks, 1),
        "crawl_process_peak_rss_mb_each": round(gw.peak_of(CRAWL_CHILD_MARKER), 1),
        "cli_peak_rss_mb": round(max((mb for cmd, mb in gw.peaks.values()
                                      if CRAWL_CHILD_MARKER not in cmd), default=0), 1),
        "stored": _stored(work / "data" / "govwatch.db"),
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
        check_links: bool = True, repeats: int = 2, say: Any = print) -> dict[str, Any]:
    """Serve the fixture and crawl it like for like: with govwatch as configured by default
    (a crawl process per core) and with the bare spider over as many processes; then, with
    ``one_process``, both in one process. Each pair runs ``repeats`` times, in turn govwatch
    first and the bare spider first (``alternated``). The figures, pooled, and their ratios."""
    work.mkdir(parents=True, exist_ok=True)
    env = clean_env()
    processes = os.cpu_count() or 1  # what govwatch crawl uses when not configured
    result: dict[str, Any] = {
        "fixture": {"portals": fixture.portals, "units": fixture.units,
                    "columns_per_unit": fixture.columns, "pages_per_column": fixture.pages,
                    "accounts": fixture.accounts, "expected_pages": fixture.expected_pages},
        "concurrent_requests_per_domain": concurrency, "check_links": check_links,
        "repeats": repeats,
    }

    def folder(name: str, repeat: int) -> Path:
        # the first run where the bench always wrote it; later ones beside it
        return (work if repeat == 0 else work / f"repeat-{repeat + 1}") / name

    shared: dict[str, Any] = {}
    with FixtureServer(fixture, work / "server.log") as server:
        def govwatch(repeat: int, crawl_processes: int | None, name: str) -> dict[str, Any]:
            config_path, figures = _govwatch_crawl(
                fixture, folder(name, repeat), server, env, concurrency=concurrency,
                processes=crawl_processes, check_links=check_links, say=say)
            if "crawl_cfg" not in shared:
                result["init_seconds"] = figures["init_seconds"]
                # the operator's later commands need the config: load time of it, once
                started = time.monotonic()
                shared["crawl_cfg"] = load_config(config_path).settings.crawl.model_dump(
                    mode="json")
                result["config_load_seconds"] = round(time.monotonic() - started, 2)
            return figures

        def bare(repeat: int, bare_processes: int, name: str) -> dict[str, Any]:
            return _bare_crawl(fixture, folder(name, repeat), server, env,
                               shared["crawl_cfg"], processes=bare_processes, say=say)

        modes = [("", None, processes, ".", "bare")]
        if one_process:
            modes.append(("_one_process", 1, 1, "one-process", "bare-one-process"))
        for suffix, crawl_processes, bare_processes, gw_name, bare_name in modes:
            ours, theirs = alternated(
                repeats, partial(govwatch, crawl_processes=crawl_processes, name=gw_name),
                partial(bare, bare_processes=bare_processes, name=bare_name))
            result[f"govwatch{suffix}"], result[f"bare{suffix}"] = pooled(ours), pooled(theirs)
            result.update({f"{key}{suffix}": value for key, value in _ratios(
                result[f"govwatch{suffix}"], result[f"bare{suffix}"]).items()})
            result[f"pairs{suffix}"] = [_ratios(a, b) for a, b in zip(ours, theirs, strict=True)]
    result["same_pages"] = all(
        run["pages"] == fixture.expected_pages for key, side in result.items()
        if key.startswith(("govwatch", "bare")) for run in side.get("runs", [side]))
    return result


def alternated(repeats: int, first: Any, second: Any) -> tuple[list[Any], list[Any]]:
    """``first(r)`` and ``second(r)`` for r in 0 … repeats - 1, in the order AB, BA, AB, …: a
    machine whose speed drifts while they run favours neither side (this one's moved by a
    fifth within minutes). Their results, each side's in its runs' order."""
    ours: list[Any] = []
    theirs: list[Any] = []
    for repeat in range(repeats):
        if repeat % 2 == 0:
            ours.append(first(repeat))
            theirs.append(second(repeat))
        else:
            theirs.append(second(repeat))
            ours.append(first(repeat))
    return ours, theirs


_MEAN_OF_RUNS = ("command_seconds", "fetch_seconds", "cpu_seconds", "crawl_cpu_seconds",
                 "cpu_per_1000_pages", "crawl_cpu_per_1000_pages", "init_seconds")
_MOST_OF_RUNS = ("crawl_process_peak_rss_mb", "crawl_process_peak_rss_mb_each",
                 "cli_peak_rss_mb", "peak_rss_mb")


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's runs as one: times and CPU averaged, pages per second from the average
    times (the same pages each run), peak memory the highest; each run's own figures kept."""
    if len(runs) == 1:
        return runs[0]
    one = {**runs[0], "runs": runs}
    for key in _MEAN_OF_RUNS:
        if key in one:
            one[key] = round(sum(run[key] for run in runs) / len(runs), 2)
    for key in _MOST_OF_RUNS:
        if key in one:
            one[key] = max(run[key] for run in runs)
    one["pages_per_s_fetch"] = round(one["pages"] / one["fetch_seconds"], 1)
    one["pages_per_s_end_to_end"] = round(one["pages"] / one["command_seconds"], 1)
    one["same_pages"] = all(run["pages"] == one["pages"] for run in runs)
    return one


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
