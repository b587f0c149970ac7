"""``python -m bench`` (``make bench``): run the benchmarks at scale 1 and 2, print the table,
write ``data/bench/results.json``.

Examples::

    python -m bench                      # crawl at scale 1, stages at scales 1 and 2 (~40 min)
    python -m bench --crawl-scales all   # the crawls at scale 2 too (+ ~25 min)
    python -m bench --quick              # scale 1 only, no CLI runs of the stages
    python -m bench --only crawl --scales 1 --units 400 --accounts 800
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import py_compile
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import crawlbench, instructions, stages
from bench.fixture import CrawlFixture
from bench.store import StoreFixture
from govwatch.timeutil import today

TARGETS = {
    "crawl_ratio": ("govwatch / bare Scrapy pages per s, same processes", ">= 0.85"),
    "crawl_ratio_one_process": ("govwatch / bare Scrapy pages per s, 1 process each",
                                ">= 0.85"),
    "crawl_peak_rss_mb": ("crawl process peak RSS (MB)", "< 500"),
    "monitors_seconds": ("all monitors (s)", "< 10"),
    "score_seconds": ("score (s)", "< 5"),
    "report_seconds": ("report weekly (s)", "< 5"),
}


def _machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem,
            "python": platform.python_version(), "platform": platform.platform()}


def machine_speed(rounds: int = 2_000_000) -> float:
    """CPU seconds of a fixed pure-Python loop: how quick the machine is at the moment. A
    shared virtual machine's speed swings by half within an hour, so figures of separate runs
    compare only alongside this; ratios within one run compare as they are."""
    started = time.process_time()
    total = 0
    for i in range(rounds):
        total += i * i % 7
    return round(time.process_time() - started, 3)


def _last_sunday() -> Any:
    day = today() - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def compile_project() -> int:
    """Byte-compile the project's modules, as installing a package does (pip compiles what it
    installs; the dependencies are). A checkout run with PYTHONDONTWRITEBYTECODE set — this
    machine's default — would otherwise compile every module of govwatch at each command's
    start (~0.25 s of a CLI run), which no installed govwatch does. Python still checks each
    compiled file against its source, so a changed module is never run stale."""
    root = Path(__file__).resolve().parents[1]
    packages = [folder for folder in root.iterdir() if (folder / "__init__.py").is_file()]
    files = [path for package in packages for path in package.rglob("*.py")]
    for path in files:
        py_compile.compile(str(path), doraise=True)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,2", help="comma-separated factors (default 1,2)")
    parser.add_argument("--crawl-scales", default="1",
                        help="the scales at which the crawl runs too (default 1: a scale-2 "
                             "crawl of 88,000 pages takes ~15 min; 'all' for every scale)")
    parser.add_argument("--quick", action="store_true",
                        help="scale 1 only, and the stages in process only (no CLI runs)")
    parser.add_argument("--only", choices=("crawl", "stages"), help="run one half only")
    parser.add_argument("--no-cli", action="store_true",
                        help="skip the govwatch monitor/score/report CLI runs over the store")
    parser.add_argument("--portals", type=int, default=100)
    parser.add_argument("--units", type=int, default=2000, help="crawl fixture units")
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--accounts", type=int, default=4000)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--concurrency", type=int, default=8,
                        help="concurrent_requests_per_domain for both crawlers (default 8)")
    parser.add_argument("--store-units", type=int, default=5000,
                        help="store units (×12 sources; default 5,000 → 60,000)")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("data/bench"))
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default <work>/results.json)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and crawl data")
    parser.add_argument("--no-one-process", action="store_true",
                        help="skip the second govwatch crawl in one crawl process")
    parser.add_argument("--no-link-checks", action="store_true",
                        help="govwatch crawls without keeping and checking pages' links "
                             "(to measure what the link checks cost)")
    parser.add_argument("--repeats", type=int, default=2,
                        help="crawl each pair this many times, govwatch and the bare spider "
                             "first in turn; figures pooled (default 2: AB then BA)")
    parser.add_argument("--no-instructions", action="store_true",
                        help="skip counting instructions a page under callgrind (valgrind; "
                             "skipped anyway where it is not installed)")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="JSON",
                        help="combine result files of separate runs, print the table, exit")
    args = parser.parse_args(argv)
    if args.merge:
        merged = merge([json.loads(f.read_text(encoding="utf-8")) for f in args.merge])
        _save(args.out or args.work / "results.json", merged)
        print(table(merged))
        return 0
    scales = [1] if args.quick else [int(x) for x in args.scales.split(",") if x.strip()]
    cli = not (args.quick or args.no_cli)
    out = args.out or args.work / "results.json"
    as_of = _last_sunday()
    crawl_base = CrawlFixture(as_of, args.portals, args.units, args.columns, args.pages,
                              args.accounts, args.port)
    store_base = StoreFixture(as_of, args.store_units, args.items)
    results: dict[str, Any] = {
        "machine": _machine(), "as_of": as_of.isoformat(), "scales": {},
        "settings": {"concurrent_requests_per_domain": args.concurrency, "download_delay": 0,
                     "autothrottle": False, "max_pages": args.pages, "obey_robots": True},
    }
    compiled = compile_project()
    print(f"byte-compiled govwatch's modules ({compiled} files)", flush=True)
    results["machine"]["loop_cpu_seconds_before"] = machine_speed()
    started = time.monotonic()
    for scale in scales:
        print(f"== scale {scale}", flush=True)
        here: dict[str, Any] = results["scales"].setdefault(str(scale), {})
        crawl_scales = {int(x) for x in args.crawl_scales.split(",") if x.strip().isdigit()}
        crawl_here = args.crawl_scales == "all" or scale in crawl_scales or args.only == "crawl"
        if args.only in (None, "crawl") and crawl_here:
            work = args.work / f"crawl-x{scale}"
            shutil.rmtree(work, ignore_errors=True)
            here["crawl"] = crawlbench.run(crawl_base.scaled(scale), work,
                                           concurrency=args.concurrency,
                                           one_process=not args.no_one_process,
                                           check_links=not args.no_link_checks,
                                           repeats=max(1, args.repeats))
            if not args.no_instructions and scale == 1:
                if instructions.available():
                    here["crawl"]["instructions"] = instructions.run(
                        crawl_base, work / "instructions", concurrency=args.concurrency,
                        check_links=not args.no_link_checks)
                else:
                    print("  crawl: valgrind is not installed: no instruction counts")
            if not args.keep:
                shutil.rmtree(work / "instructions", ignore_errors=True)
                for data in [*work.glob("data"), *work.glob("*/data"), *work.glob("*/*/data")]:
                    shutil.rmtree(data, ignore_errors=True)  # the crawls' stores
        if args.only in (None, "stages"):
            work = args.work / f"store-x{scale}"
            shutil.rmtree(work, ignore_errors=True)
            here["stages"] = stages.run(store_base.scaled(scale), work, cli=cli)
            if not args.keep:
                for name in ("govwatch.db", "govwatch.db-wal", "govwatch.db-shm"):
                    (work / name).unlink(missing_ok=True)
        _save(out, results)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    results["machine"]["loop_cpu_seconds_after"] = machine_speed()
    _save(out, results)
    print(table(results))
    print(f"\nresults: {out}")
    return 0


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Results of several runs as one: scales and their halves side by side."""
    merged: dict[str, Any] = {**runs[0], "scales": {}, "runs": len(runs)}
    merged["total_seconds"] = round(sum(r.get("total_seconds", 0) for r in runs), 1)
    for run in runs:
        for scale, halves in run["scales"].items():
            merged["scales"].setdefault(scale, {}).update(halves)
    return merged


def _save(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def figures(scale: dict[str, Any]) -> dict[str, float | None]:
    """The headline figures of one scale."""
    crawl, st = scale.get("crawl", {}), scale.get("stages", {})
    gw, bare = crawl.get("govwatch", {}), crawl.get("bare", {})
    one, bare_one = crawl.get("govwatch_one_process", {}), crawl.get("bare_one_process", {})
    counted = crawl.get("instructions", {})
    return {
        "crawl_pages": gw.get("pages"),
        "crawl_processes": gw.get("crawl_processes"),
        "crawl_govwatch_pps": gw.get("pages_per_s_fetch"),
        "crawl_bare_pps": bare.get("pages_per_s_fetch"),
        "crawl_ratio": crawl.get("ratio_fetch"),
        "crawl_ratio_end_to_end": crawl.get("ratio_end_to_end"),
        "crawl_govwatch_cpu": gw.get("crawl_cpu_per_1000_pages"),
        "crawl_govwatch_command_cpu": gw.get("cpu_per_1000_pages"),
        "crawl_bare_cpu": bare.get("cpu_per_1000_pages"),
        "crawl_ratio_cpu": crawl.get("ratio_cpu"),
        "crawl_command_seconds": gw.get("command_seconds"),
        "crawl_peak_rss_mb": gw.get("crawl_process_peak_rss_mb"),
        "crawl_one_pps": one.get("pages_per_s_fetch"),
        "crawl_bare_one_pps": bare_one.get("pages_per_s_fetch"),
        "crawl_ratio_one_process": crawl.get("ratio_fetch_one_process"),
        "crawl_one_cpu": one.get("crawl_cpu_per_1000_pages"),
        "crawl_bare_one_cpu": bare_one.get("cpu_per_1000_pages"),
        "crawl_ratio_cpu_one_process": crawl.get("ratio_cpu_one_process"),
        "crawl_one_peak_rss_mb": one.get("crawl_process_peak_rss_mb"),
        "crawl_govwatch_instructions": _thousands(counted.get("govwatch_per_page")),
        "crawl_bare_instructions": _thousands(counted.get("bare_per_page")),
        "crawl_ratio_instructions": counted.get("ratio"),
        "monitors_seconds": st.get("monitors_seconds"),
        "score_seconds": st.get("score_seconds"),
        "report_seconds": st.get("report_seconds"),
        "config_load_seconds": st.get("config_load_seconds"),
        "config_load_cached_seconds": st.get("config_load_cached_seconds"),
        "config_sync_seconds": st.get("config_sync_seconds"),
        "cli_monitor_seconds": st.get("cli_monitor_seconds"),
        "cli_score_seconds": st.get("cli_score_seconds"),
        "cli_report_seconds": st.get("cli_report_seconds"),
        "cli_monitor_cpu_seconds": st.get("cli_monitor_cpu_seconds"),
        "cli_score_cpu_seconds": st.get("cli_score_cpu_seconds"),
        "cli_report_cpu_seconds": st.get("cli_report_cpu_seconds"),
    }


def _thousands(count: float | None) -> float | None:
    return None if count is None else round(count / 1000, 1)


LABELS = {
    "crawl_pages": "crawl: pages (lists + feeds)",
    "crawl_processes": "crawl: processes, each side",
    "crawl_govwatch_pps": "crawl: govwatch pages/s",
    "crawl_bare_pps": "crawl: bare Scrapy pages/s",
    "crawl_ratio": "crawl: ratio govwatch/bare",
    "crawl_ratio_end_to_end": "crawl: ratio, whole commands",
    "crawl_govwatch_cpu": "crawl: govwatch CPU s/1000 pages",
    "crawl_govwatch_command_cpu": "crawl: … whole command",
    "crawl_bare_cpu": "crawl: bare CPU s/1000 pages",
    "crawl_ratio_cpu": "crawl: CPU ratio bare/govwatch",
    "crawl_command_seconds": "crawl: govwatch crawl command (s)",
    "crawl_peak_rss_mb": "crawl: crawl processes' peak RSS (MB)",
    "crawl_one_pps": "crawl: govwatch pages/s, 1 process",
    "crawl_bare_one_pps": "crawl: bare pages/s, 1 process",
    "crawl_ratio_one_process": "crawl: ratio, 1 process each",
    "crawl_one_cpu": "crawl: govwatch CPU s/1000, 1 proc",
    "crawl_bare_one_cpu": "crawl: bare CPU s/1000, 1 proc",
    "crawl_ratio_cpu_one_process": "crawl: CPU ratio, 1 process",
    "crawl_one_peak_rss_mb": "crawl: peak RSS, 1 process (MB)",
    "crawl_govwatch_instructions": "crawl: govwatch k instr/page, 1 proc",
    "crawl_bare_instructions": "crawl: bare k instructions/page",
    "crawl_ratio_instructions": "crawl: instr. ratio bare/govwatch",
    "monitors_seconds": "store: all monitors (s)",
    "score_seconds": "store: score (s)",
    "report_seconds": "store: report weekly, 4 formats (s)",
    "config_load_seconds": "store: load county YAML (s)",
    "config_load_cached_seconds": "store: load county YAML, cached (s)",
    "config_sync_seconds": "store: migrate + sync config (s)",
    "cli_monitor_seconds": "CLI: monitor, slowest of 3 (s)",
    "cli_score_seconds": "CLI: score, slowest of 3 (s)",
    "cli_report_seconds": "CLI: report weekly, slowest of 3 (s)",
    "cli_monitor_cpu_seconds": "CLI: monitor, CPU s (most of 3)",
    "cli_score_cpu_seconds": "CLI: score, CPU s (most of 3)",
    "cli_report_cpu_seconds": "CLI: report weekly, CPU s (most of 3)",
}
TARGET_OF = {"crawl_ratio": ">= 0.85", "crawl_ratio_one_process": ">= 0.85",
             "crawl_peak_rss_mb": "< 500", "monitors_seconds": "< 10",
             "score_seconds": "< 5", "report_seconds": "< 5", "cli_score_seconds": "< 5",
             "cli_report_seconds": "< 5", "cli_monitor_seconds": "< 10",
             "config_load_seconds": "< 5"}


def table(results: dict[str, Any]) -> str:
    """The short table: one row per figure, one column per scale, growth and target."""
    scales = sorted(results["scales"], key=int)
    rows = {s: figures(results["scales"][s]) for s in scales}
    head = ["figure".ljust(38)] + [f"x{s}".rjust(9) for s in scales]
    if len(scales) > 1:
        head.append("growth".rjust(8))
    head.append("target".rjust(8))
    lines = [" ".join(head), "-" * len(" ".join(head))]
    machine = results.get("machine", {})
    if "loop_cpu_seconds_before" in machine:
        lines.insert(0, "machine speed: a fixed Python loop took "
                     f"{machine['loop_cpu_seconds_before']:.2f} s of CPU before the run, "
                     f"{machine.get('loop_cpu_seconds_after', 0):.2f} s after (lower is "
                     "quicker; compare separate runs only alongside it)")
    for key, label in LABELS.items():
        values = [rows[s].get(key) for s in scales]
        if all(v is None for v in values):
            continue
        cells = [label.ljust(38)] + [("—" if v is None else f"{v:,.2f}"
                                      if isinstance(v, float) else f"{v:,}").rjust(9)
                                     for v in values]
        if len(scales) > 1:
            a, b = values[0], values[-1]
            cells.append((f"×{b / a:.2f}" if a and b else "").rjust(8))
        cells.append(TARGET_OF.get(key, "").rjust(8))
        lines.append(" ".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
