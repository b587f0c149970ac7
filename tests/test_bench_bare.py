"""The bench's bare spider, shared out by portal like govwatch's crawl (like for like)."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

from bench.bare import run
from bench.crawlbench import FixtureServer
from bench.fixture import CrawlFixture
from crawler.process import share_by_portal
from govwatch.config import CrawlSettings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.1.1", 0))
        return int(probe.getsockname()[1])


def test_the_bare_spider_in_two_processes_fetches_every_page_once(tmp_path: Path) -> None:
    free_port = _free_port()
    fixture = CrawlFixture(date(2026, 11, 29), portals=3, units=6, columns=2, pages=2,
                           accounts=4, port=free_port)
    spec = {"reference": "2026-11-29", "portals": 3, "units": 6, "columns": 2, "pages": 2,
            "accounts": 4, "port": free_port, "processes": 2,
            "crawl": CrawlSettings().model_dump(mode="json"),
            "log_file": str(tmp_path / "bare.log")}
    with FixtureServer(fixture, tmp_path / "server.log") as server:
        result = run(spec)
        stats = server.stats()
    assert result["processes"] == 2
    assert result["pages"] == fixture.expected_pages == stats["lists"] + stats["feeds"]
    json.dumps(result)  # what the bench writes


def test_sharing_by_portal_keeps_each_portal_whole_and_balances_the_groups() -> None:
    urls = [f"http://p{p}.gov.cn/c{c}/" for p, n in ((1, 5), (2, 3), (3, 3), (4, 1))
            for c in range(n)]
    groups = share_by_portal(urls, lambda url: url, 2)
    assert sorted(len(g) for g in groups) == [6, 6]
    hosts = [{url.split("/")[2] for url in group} for group in groups]
    assert not hosts[0] & hosts[1]
    assert share_by_portal(urls, lambda url: url, 9)[-1]  # at most one group per portal
    assert len(share_by_portal(urls, lambda url: url, 9)) == 4
    assert share_by_portal(urls, lambda url: url, 1) == [urls]
