"""Findings stay the same findings when the world changes: a source is its (unit, name), an
item its path within the source (``storage.identity``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govwatch.cli import app
from monitors.runner import run_monitors
from storage import repo
from storage.db import Database
from storage.identity import item_key
from storage.models import Finding, Item, SourceUrlChange

from .conftest import AS_OF, DEMO_CONFIG, config_in, serving_demo


@pytest.mark.parametrize(("first", "second"), [
    ("http://www.example.gov.cn/a/t20210901_1.html", "https://www.example.gov.cn/a/t20210901_1.html"),
    ("http://old.example.gov.cn/a/t20210901_1.html",
     "https://new.example.gov.cn:8443/a/t20210901_1.html"),
    ("http://x.gov.cn/col/", "http://x.gov.cn/col/index.html"),
    ("http://x.gov.cn/col", "http://x.gov.cn/col/index.shtml"),
    ("http://x.gov.cn/view?id=3&cat=9", "http://x.gov.cn/view?cat=9&id=3"),
    ("http://x.gov.cn//a//b.html", "http://x.gov.cn/a/b.html"),
])
def test_an_item_keeps_its_key_across_addresses(first: str, second: str) -> None:
    assert item_key(first) == item_key(second)


def test_different_items_keep_different_keys() -> None:
    keys = {item_key(u) for u in ("http://x.gov.cn/a/1.html", "http://x.gov.cn/a/2.html",
                                  "http://x.gov.cn/view?id=3", "http://x.gov.cn/view?id=4",
                                  "http://x.gov.cn/a/1.html#p2")}
    assert len(keys) == 5


def _findings(db: Database) -> dict[tuple[str, str, str], str]:
    with db.session() as session:
        return {(f.rule, f.subject, f.period): f.status for f in session.scalars(select(Finding))}


def test_switching_every_host_reports_nothing_again(tmp_path: Path) -> None:
    """Crawl, confirm one finding and dismiss one; move every source from 127.0.0.1 to
    localhost (as an https switch or a platform migration moves them); crawl and monitor
    again: no new finding, both reviews kept, no item twice."""
    config_path = DEMO_CONFIG
    with serving_demo(AS_OF) as portal:
        config = config_in(config_path, tmp_path / "data")
        db = app.open_database(config)
        assert app.crawl(config, db, reference_date=AS_OF).result.error is None
        first = run_monitors(db, config, AS_OF)
        with db.session() as session:
            rows = {f.rule: f.id for f in session.scalars(select(Finding))}
            confirmed, dismissed = rows["uninterpreted_policy"], rows["stale_column"]
            repo.review_findings(session, [confirmed], to_status="confirmed", actor="审核员甲")
            repo.review_findings(session, [dismissed], to_status="dismissed", actor="审核员甲",
                                 reason="已核实栏目有更新")
            items_before = session.scalar(select(func.count()).select_from(Item))
        before = _findings(db)
        db.dispose()

        os.environ["GOVWATCH_DEMO_URL"] = portal.url.replace("127.0.0.1", "localhost")
        moved = config_in(config_path, tmp_path / "data")
        assert all("://localhost:" in c.url for u in moved.units for c in u.columns)
        db = app.open_database(moved)
        try:
            assert app.crawl(moved, db, reference_date=AS_OF).result.error is None
            again = run_monitors(db, moved, AS_OF)
            with db.session() as session:
                items_after = session.scalar(select(func.count()).select_from(Item))
                urls = session.scalars(select(Item.url).where(Item.url.like("%127.0.0.1%")
                                                              & Item.key.is_not(None))).all()
                changes = session.scalars(select(SourceUrlChange)).all()
        finally:
            db.dispose()
    assert first.new_ids and again.new_ids == []
    after = _findings(db)
    assert after == before
    assert [s for s in after.values() if s == "confirmed"] == ["confirmed"]
    assert [s for s in after.values() if s == "dismissed"] == ["dismissed"]
    assert items_after == items_before
    # pages read again now point at the new host (feeds' posts keep the links they print)
    assert len(urls) < items_before
    columns = sum(len(u.columns) + len(u.accounts) for u in moved.units)
    assert {(c.old_url.replace("127.0.0.1", "localhost"), c.new_url) for c in changes} \
        and len(changes) <= columns
    assert all("127.0.0.1" in c.old_url and "localhost" in c.new_url for c in changes)


def _key_by_urlsplit(url: str) -> str:
    """``item_key`` as it was written before its quick path: every URL through ``urlsplit``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    from storage.identity import _INDEX_PAGE, _SLASHES

    parts = urlsplit(url.strip())
    path = _INDEX_PAGE.sub("/", _SLASHES.sub("/", parts.path or "/")).rstrip("/") or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True))) if parts.query else ""
    return path + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


CRAFTED_URLS = [
    "http://x.gov.cn", "http://x.gov.cn/", "HTTP://X.GOV.CN/A/B.HTML", "https://x.gov.cn:8443/a/",
    "http://x.gov.cn/a/index.html", "http://x.gov.cn/a/INDEX.SHTML", "http://x.gov.cn//a///b/",
    "  http://x.gov.cn/a/b.html \n", "http://x.gov.cn/a b.html", "http://x.gov.cn/a\tb.html",
    "http://x.gov.cn/a\nb.html", "http://x.gov.cn/政策/文件.html", "http://x.gov.cn/a/%E6%94%BF.html",
    "http://x.gov.cn/a;p=1/b.html", "http://x.gov.cn/a?b=1", "http://x.gov.cn/a#top",
    "http://x.gov.cn/a/?", "http://x.gov.cn/a/#", "http://user:pw@x.gov.cn/a", "http://[::1]/a",
    "http://127.0.0.1:8765/b03/ssj/t20211001_3.html", "ftp://x.gov.cn/a", "//x.gov.cn/a",
    "/a/b.html", "http:/x.gov.cn/a", "http://x.gov.cn\\a\\b.html", "http://x.gov.cn/a\\b.html",
    "http://ｘ.gov.cn/a", "http://x.gov.cn/a/\u3000", "http://x.gov.cn/a/b.html\x00",
    "http://x.gov.cn/a/default.aspx", "http://x.gov.cn/a/index.htm/", "http://x.gov.cn:/a",
]


@pytest.mark.parametrize("url", CRAFTED_URLS)
def test_quick_key_is_the_urlsplit_key(url: str) -> None:
    assert item_key(url) == _key_by_urlsplit(url)


@pytest.mark.parametrize("url", [*CRAFTED_URLS, *(u.strip() for u in CRAFTED_URLS)])
def test_a_plain_path_is_urlsplits_path(url: str) -> None:
    """``plain_path`` (item keys, and the list reader's weights) reads a URL's path as
    ``urlsplit`` does, or leaves the URL to it."""
    from urllib.parse import urlsplit

    from govwatch.urls import plain_path

    path = plain_path(url)
    assert path is None or path == urlsplit(url).path
    if url.strip() == url and url.lower().startswith(("http://", "https://")) \
            and not any(c in url for c in "?#@[ \t\n\\"):
        assert path is not None or not url.isascii(), url


def test_quick_key_is_the_urlsplit_key_on_random_and_real_urls(real_corpus: Path) -> None:
    import csv
    import random

    urls = []
    for table in real_corpus.glob("*.csv"):
        with table.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                urls += [row.get("访问地址") or "", *(row.get("附件链接") or "").split()]
    urls = [u for u in urls if u]
    assert len(urls) > 500
    pieces = ["http://", "https://", "x.gov.cn", ":80", "/", "//", "a", "政", "index.html",
              "?", "#", "=", "&", " ", "\t", "[", "]", "@", "%2F", ".", "\\", "ｘ"]
    rng = random.Random(7)
    urls += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(5000)]
    for url in urls:
        try:
            expected: str | None = _key_by_urlsplit(url)
        except ValueError:  # urlsplit refuses it (a bad IPv6 host): so must item_key
            expected = None
        if expected is None:
            with pytest.raises(ValueError):
                item_key(url)
        else:
            assert item_key(url) == expected, url
