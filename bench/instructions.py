"""Instructions a page, like for like: ``govwatch crawl`` and the bare spider in one process
each, counted by callgrind (valgrind) instead of timed.

On a shared virtual machine pages per second, and even CPU seconds, move by a fifth between
runs of the same code; the instructions a process executes for the same pages do not. Each
side crawls a small fixture (two portals) at two sizes under ``valgrind --tool=callgrind``;
the difference of the two counts over the difference of the pages is the cost of a page,
without the start-up both sizes share (imports, config, Scrapy's set-up). For govwatch the
count is its crawl process's and its link checks' (the processes it spawns, as its CPU
figure counts them); for the bare spider, its process's. The two sides run side by side, each
with its own fixture server: counts do not depend on what else runs.

Instructions are not seconds (a cache miss costs more than an addition), so this is beside
the timed ratio, not instead of it: the figure to compare a change by.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.crawlbench import CRAWL_CHILD_MARKER, FixtureServer, bare_spec, clean_env, new_store
from bench.fixture import CrawlFixture
from govwatch.config import load_config

SIZES = (40, 120)  # units of the two fixtures (2 portals, 10 columns, 2 accounts a unit)
PORTALS = 2
VALGRIND = "valgrind"


def available() -> bool:
    """Whether valgrind is installed (Debian's package ``valgrind``)."""
    return shutil.which(VALGRIND) is not None


def _counted(cmd: list[str], work: Path, env: dict[str, str]) -> dict[str, int]:
    """Run ``cmd`` and its children under callgrind; each process's command line and its
    instruction count."""
    out = work / "callgrind"
    out.mkdir(parents=True, exist_ok=True)
    with (work / "valgrind.log").open("wb") as log:
        done = subprocess.run(
            [VALGRIND, "--tool=callgrind", "--trace-children=yes",
             f"--callgrind-out-file={out}/callgrind.%p", "--dump-instr=no", *cmd],
            stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
    if done.returncode:
        raise RuntimeError(f"{cmd[2:4]} under valgrind failed; see {work / 'valgrind.log'}")
    counts: dict[str, int] = {}
    for path in sorted(out.glob("callgrind.*")):
        text = path.read_text(encoding="utf-8", errors="replace")
        command = re.search(r"^cmd: (.*)$", text, re.M)
        total = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
        if command and total:
            counts[f"{path.suffix[1:]} {command.group(1)}"] = int(total.group(1))
    return counts


def _govwatch(fixture: CrawlFixture, work: Path, server: FixtureServer, env: dict[str, str],
              concurrency: int, check_links: bool) -> int:
    """Instructions of ``govwatch crawl``'s crawl and link-check processes over the fixture."""
    govwatch, _, _ = new_store(fixture, work, env, concurrency=concurrency, processes=1,
                            check_links=check_links)
    server.reset()
    counts = _counted([*govwatch, "crawl", "--as-of", fixture.reference.isoformat()], work, env)
    return sum(n for cmd, n in counts.items() if CRAWL_CHILD_MARKER in cmd)


def _bare(fixture: CrawlFixture, work: Path, server: FixtureServer, env: dict[str, str],
          crawl_cfg: dict[str, Any]) -> int:
    """Instructions of the bare spider's process over the fixture."""
    spec = bare_spec(fixture, crawl_cfg, processes=1, log_file=work / "bare-scrapy.log")
    (work / "bare-spec.json").write_text(json.dumps(spec), encoding="utf-8")
    server.reset()
    counts = _counted([sys.executable, "-m", "bench.bare", str(work / "bare-spec.json"),
                       str(work / "bare-result.json")], work, env)
    return sum(n for cmd, n in counts.items() if "bench.bare" in cmd)


def _side(side: str, base: CrawlFixture, work: Path, port: int, concurrency: int,
          check_links: bool) -> list[dict[str, int]]:
    """One side at both sizes, with a fixture server of its own: pages and instructions."""
    env = clean_env()
    runs = []
    for units in SIZES:
        fixture = replace(base, portals=PORTALS, units=units, accounts=2 * units, port=port)
        here = work / f"{side}-{units}"
        shutil.rmtree(here, ignore_errors=True)
        here.mkdir(parents=True)
        with FixtureServer(fixture, here / "server.log") as server:
            if side == "govwatch":
                count = _govwatch(fixture, here, server, env, concurrency, check_links)
            else:
                config = here / "config.yaml"
                fixture.write_config(config, (here / "data").resolve(),
                                     concurrency=concurrency, max_pages=fixture.pages)
                crawl_cfg = load_config(config).settings.crawl.model_dump(mode="json")
                count = _bare(fixture, here, server, env, crawl_cfg)
            stats = server.stats()
        pages = stats["lists"] + stats["feeds"]
        if pages != fixture.expected_pages:
            raise RuntimeError(f"{side} crawled {pages} of {fixture.expected_pages} pages "
                               f"under valgrind; see {here}")
        runs.append({"units": units, "pages": pages, "instructions": count})
    return runs


def per_page(runs: list[dict[str, int]]) -> float:
    """Instructions a page: the difference of two sizes' counts over their pages'."""
    small, big = runs[0], runs[-1]
    return (big["instructions"] - small["instructions"]) / (big["pages"] - small["pages"])


def run(base: CrawlFixture, work: Path, *, concurrency: int, check_links: bool = True,
        say: Any = print) -> dict[str, Any]:
    """Both sides, side by side; instructions a page and their ratio (bare / govwatch, as the
    timed ratios: above 1 where govwatch needs fewer)."""
    say(f"  crawl: instructions a page under callgrind ({PORTALS} portals, "
        f"{' and '.join(str(u) for u in SIZES)} units; a few minutes)…")
    with ThreadPoolExecutor(2) as pool:
        sides = {side: pool.submit(_side, side, base, work, base.port + 100 + i, concurrency,
                                   check_links)
                 for i, side in enumerate(("govwatch", "bare"))}
        runs = {side: future.result() for side, future in sides.items()}
    govwatch, bare = per_page(runs["govwatch"]), per_page(runs["bare"])
    return {"runs": runs, "govwatch_per_page": round(govwatch),
            "bare_per_page": round(bare), "ratio": round(bare / govwatch, 3)}
