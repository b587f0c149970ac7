"""Hostile and broken portals, crawled for real: redirects off the portal are refused (the
internal service behind them never sees a request), and gzip bombs, redirect loops, malformed
platform answers and impossible addresses each get a truthful crawl_run outcome while the other
sources are crawled as usual.

Two HTTP servers run on 127.0.0.1: the portal, and an "internal service" on another port that
plays 127.0.0.1:6379 or an intranet admin page and counts every request it gets.
"""

from __future__ import annotations

import functools
import gzip
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from crawler.browser import BrowserNotFound, find_chromium
from crawler.job import CrawlJob
from crawler.portal import portal_refusal
from crawler.process import log_file_for, run_crawl
from crawler.settings import scrapy_settings
from govwatch.cli import app
from govwatch.config import ConfigError, CountyConfig, load_config
from storage import repo
from storage.db import Database
from storage.models import CrawlRun, Item, Snapshot

from .conftest import AS_OF

UNIT = "H01"


@dataclass
class Answer:
    """What the test server answers for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[str], Answer]


class Site:
    """A threaded HTTP server on a free 127.0.0.1 port answering from a route table."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = routes or {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                route = site.routes.get(self.path.split("?", 1)[0])
                answer = route(self.path) if route else Answer(404, b"not found")
                self.send_response(answer.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def list_page(entries: list[tuple[str, str, str | None]], next_href: str | None = None,
              tail: str = "") -> bytes:
    """A disclosure list: (href, title, date or None) rows, a 下一页 link, then ``tail``."""
    rows = "".join(f'<li><a href="{href}">{title}</a>{f"<span>{day}</span>" if day else ""}</li>'
                   for href, title, day in entries)
    pager = f'<div class="page"><a href="{next_href}">下一页</a></div>' if next_href else ""
    return (f'<html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
            f'<ul class="list">{rows}</ul>{pager}{tail}</body></html>').encode()


def page(body: bytes) -> Route:
    return lambda path: Answer(body=body)


def redirect(status: int, location: str) -> Route:
    return lambda path: Answer(status, b"", {"Location": location})


PORTAL_ENTRIES = [(f"/art/{i}.html", title, f"2021-09-0{7 - i}") for i, title in enumerate(
    ("关于做好秋季森林防火工作的通知", "关于召开全县安全生产工作会议的通知",
     "关于开展2021年度统计执法检查的通知", "关于公布第二批行政许可事项清单的通知"), 1)]
SECRET_TITLE = "内部服务机密条目"


@pytest.fixture(scope="module")
def secret() -> Iterator[Site]:
    """The internal service hostile redirects and links point at: the crawler must not ask it
    anything (only Chromium, following an HTTP redirect by itself, may reach it)."""
    entries = [(f"/s/{i}.html", f"{SECRET_TITLE}{i}", f"2021-09-0{i}") for i in range(1, 5)]
    with Site({"/list.html": page(list_page(entries)), "/a.html": page(b"<p>secret</p>")}) as site:
        yield site


@pytest.fixture(scope="module")
def portal(secret: Site) -> Iterator[Site]:
    """The portal: good columns, columns that redirect off it, and broken answers."""
    off = f"{secret.url}/list.html"
    bomb = gzip.compress(b"\0" * (60 * 2**20), compresslevel=9)  # 60 MB of zeros in ~60 KB
    with_dateless = [*PORTAL_ENTRIES, ("/art/jump.html", "关于调整办事指南的公告", None)]
    routes: dict[str, Route] = {
        "/list.html": page(list_page(PORTAL_ENTRIES)),
        "/second.html": page(list_page(PORTAL_ENTRIES)),
        "/moved": redirect(302, "/list.html"),
        "/r301": redirect(301, off),
        "/r302": redirect(302, off),
        "/r307": redirect(307, off),
        "/refresh.html": page(f'<html><head><meta http-equiv="refresh" content="0;url={off}">'
                              f'</head><body>正在跳转</body></html>'.encode()),
        # a refresh within the portal, written as old templates do (upper case, a delay)
        "/refresh-in.html": page('<HTML><HEAD><META HTTP-EQUIV="Refresh" CONTENT="0; '
                                 'URL=/second.html"></HEAD><BODY>正在跳转</BODY></HTML>'
                                 .encode()),
        "/articles.html": page(list_page(with_dateless)),
        "/art/jump.html": redirect(302, f"{secret.url}/a.html"),
        "/links.html": page(list_page(
            [*PORTAL_ENTRIES, (f"{secret.url}/a.html", "关于内部事项的说明", None)],
            next_href=off)),
        "/loop": lambda path: Answer(302, b"", {
            "Location": f"/loop?n={int(path.partition('=')[2] or 0) + 1}"}),
        "/script-jump.html": page(list_page(PORTAL_ENTRIES, tail=(
            f'<script>setTimeout(() => {{ location.href = "{off}"; }}, 50)</script>'))),
        "/rbadport": redirect(302, "http://127.0.0.1:99999/x.html"),
        "/bomb": lambda path: Answer(body=bomb, headers={"Content-Encoding": "gzip"}),
        "/api/weibo": page(b'{"ok": 1, "data": {"cards": [{"mblog": "changed"}]}}'),
        "/gkmlpt/api/all/5061": page(b'{"articles": ["changed"]}'),
    }
    with Site(routes) as site:
        yield site


COLUMNS = {  # name → path on the portal
    "正常栏目": "/list.html",
    "站内跳转": "/moved",
    "永久跳转": "/r301",
    "临时跳转": "/r302",
    "保持方法跳转": "/r307",
    "刷新跳转": "/refresh.html",
    "站内刷新": "/refresh-in.html",
    "文章跳转": "/articles.html",
    "站外链接": "/links.html",
    "跳转循环": "/loop",
    "压缩炸弹": "/bomb",
    "接口栏目": "/gkmlpt/index#5061",
    "坏端口跳转": "/rbadport",
}


def county_file(folder: Path, base: str, columns: dict[str, str],
                accounts: list[dict[str, Any]] = (), **column_options: Any) -> Path:
    """A county config with one unit whose sources are the given paths of ``base``."""
    data = {
        "county": "测试县",
        "settings": {"data_dir": str(folder / "data"), "crawl": {
            "download_delay": 0, "timeout": 10, "retry_times": 0, "processes": 1,
            "max_response_mb": 1}},
        "units": [{"code": UNIT, "name": "县测试局", "category": "B",
                   "columns": [{"name": name, "url": base + path, **column_options}
                               for name, path in columns.items()],
                   "accounts": [{**a, "url": base + a["url"]} for a in accounts]}],
    }
    path = folder / "county.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Stored:
    """What a crawl left in storage for one source."""

    outcome: str
    error: str
    http_status: int | None
    items: dict[str, str]  # url → title
    snapshot_urls: list[str]


def stored(db: Database, names: list[str]) -> dict[str, Stored]:
    with db.session() as session:
        ids = repo.source_ids(session)
        runs = repo.latest_runs(session, [ids[(UNIT, n)] for n in names])
        found = {}
        for name in names:
            sid = ids[(UNIT, name)]
            run: CrawlRun = runs[sid]
            items = {i.url: i.title for i in session.scalars(
                select(Item).where(Item.source_id == sid))}
            shots = list(session.scalars(select(Snapshot.url).where(Snapshot.source_id == sid)))
            found[name] = Stored(run.outcome, run.error or "", run.http_status, items, shots)
    return found


@dataclass(frozen=True)
class Crawl:
    """A crawl's stored runs by source name, and what the internal service was asked."""

    runs: dict[str, Stored]
    secret_hits: list[str]

    def __getitem__(self, name: str) -> Stored:
        return self.runs[name]


def crawl(config: CountyConfig, secret: Site, names: list[str]) -> Crawl:
    """Crawl ``config`` for real (a child process, as the CLI does) and read what it stored."""
    db = app.open_database(config)
    asked = len(secret.hits)
    try:
        app.crawl(config, db, reference_date=AS_OF)
        return Crawl(stored(db, names), secret.hits[asked:])
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def crawled(portal: Site, secret: Site, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """One real crawl of every hostile column and account of the portal."""
    folder = tmp_path_factory.mktemp("hostile")
    accounts = [{"platform": "weibo", "name": "微博接口", "url": "/api/weibo"}]
    config = load_config(county_file(folder, portal.url, COLUMNS, accounts))
    return crawl(config, secret, [*COLUMNS, "微博接口"])


# ------------------------------------------------------------------ 1. off-portal redirects


def test_a_portal_crawls_normally_and_redirects_within_it_are_followed(
        crawled: Crawl) -> None:
    for name in ("正常栏目", "站内跳转", "站内刷新"):
        assert crawled[name].outcome == "ok", crawled[name]
        assert sorted(crawled[name].items.values()) == sorted(t for _, t, _ in PORTAL_ENTRIES)


@pytest.mark.parametrize("name", ["永久跳转", "临时跳转", "保持方法跳转", "刷新跳转"])
def test_a_redirect_off_the_portal_is_not_followed_and_fails_the_source(
        crawled: Crawl, secret: Site, name: str) -> None:
    run = crawled[name]
    assert run.outcome == "off_portal"
    assert "跳转到门户网站以外" in run.error and f"{secret.url}/list.html" in run.error
    assert "未跟随" in run.error
    assert run.items == {} and not any(secret.url in u for u in run.snapshot_urls)


def test_the_service_behind_an_off_portal_redirect_is_never_asked(crawled: Crawl) -> None:
    assert crawled.secret_hits == []  # not the page, not even its robots.txt


def test_an_article_redirecting_off_the_portal_fails_the_source_keeping_the_list(
        crawled: Crawl, secret: Site) -> None:
    run = crawled["文章跳转"]
    assert run.outcome == "off_portal"
    assert f"{secret.url}/a.html" in run.error
    # the list page's own dated entries are the portal's: kept; the jump is not an item
    assert sorted(run.items.values()) == sorted(t for _, t, _ in PORTAL_ENTRIES)


def test_links_off_the_portal_are_not_requested(crawled: Crawl, secret: Site) -> None:
    run = crawled["站外链接"]
    assert run.outcome == "ok"  # a link is not the portal misbehaving: noted, not failed
    assert "门户网站以外的链接" in run.error and "未访问" in run.error
    assert not any(secret.url in url for url in run.items)


@pytest.fixture(scope="module")
def browser_crawled(portal: Site, secret: Site,
                    tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """Rendered columns: one redirected off the portal, one whose script navigates off it."""
    try:
        find_chromium()
    except BrowserNotFound as exc:
        pytest.skip(str(exc))
    columns = {"浏览器正常": "/list.html", "浏览器跳转": "/r302", "脚本跳转": "/script-jump.html"}
    folder = tmp_path_factory.mktemp("browser")
    config = load_config(county_file(folder, portal.url, columns, render="browser"))
    return crawl(config, secret, list(columns))


def test_the_browser_keeps_to_the_portal_too(browser_crawled: Crawl, secret: Site) -> None:
    assert browser_crawled["浏览器正常"].outcome == "ok", browser_crawled["浏览器正常"]
    for name in ("浏览器跳转", "脚本跳转"):
        run = browser_crawled[name]
        assert run.outcome == "off_portal", run
        assert f"{secret.url}/list.html" in run.error and "未跟随" in run.error
        assert run.items == {} and not any(secret.url in u for u in run.snapshot_urls)
    # a scripted navigation is stopped before it leaves; Chromium follows an HTTP redirect
    # without asking, so that page was fetched — and thrown away
    assert all(hit in ("/list.html", "/favicon.ico") for hit in browser_crawled.secret_hits)
    assert browser_crawled.secret_hits.count("/list.html") <= 1


def test_the_portal_rule() -> None:
    """Same host and port; http → https of the same host; allow-listed hosts; private
    addresses only for a source that is itself on one."""
    public = {"www.example.gov.cn": "202.108.22.5", "cdn.example.gov.cn": "202.108.22.9",
              "intranet.example.gov.cn": "10.1.2.3", "localhost": "127.0.0.1"}.get
    refused = functools.partial(portal_refusal, resolve=lambda host: [public(host) or ""])
    src = "http://www.example.gov.cn/col/list.html"
    assert refused(src, "http://www.example.gov.cn/col/list_2.html") is None
    assert refused(src, "https://www.example.gov.cn/col/list.html") is None
    assert refused(src, "http://WWW.example.gov.cn:80/a.html") is None
    assert refused("https://www.example.gov.cn/", "http://www.example.gov.cn/") is not None
    assert refused(src, "http://www.example.gov.cn:8080/a.html") is not None
    assert refused(src, "http://example.gov.cn/a.html") is not None
    assert refused(src, "http://127.0.0.1:6379/") is not None
    assert refused(src, "http://www.example.gov.cn:99999/") is not None
    assert refused(src, "http://cdn.example.gov.cn/a.html",
                   allowed_hosts=("cdn.example.gov.cn",)) is None
    # an allow-listed name that resolves inside the network is still refused…
    assert "内网" in (refused(src, "http://intranet.example.gov.cn/",
                                 allowed_hosts=("intranet.example.gov.cn",)) or "")
    assert refused(src, "http://10.0.0.5/", allowed_hosts=("10.0.0.5",)) is not None
    # …unless the source itself is inside it (the demo portal, these tests)
    assert refused("http://127.0.0.1:8765/a/", "http://localhost:8765/b/",
                   allowed_hosts=("localhost:8765",)) is None
    # a bare listed name means its standard ports only: another port is another service
    assert refused("http://127.0.0.1:8765/a/", "http://localhost:8765/b/",
                   allowed_hosts=("localhost",)) is not None
    assert refused("http://127.0.0.1:8765/a/", "http://127.0.0.1:6379/") is not None


# ------------------------------------------------------------------ 2. truthful failure labels


def test_a_gzip_bomb_is_too_large_not_blocked(crawled: Crawl) -> None:
    run = crawled["压缩炸弹"]
    assert run.outcome == "too_large"
    assert "解压后超过大小上限" in run.error and "1.0 MB" in run.error
    assert run.items == {}


def test_a_redirect_loop_is_a_redirect_loop_not_blocked(crawled: Crawl) -> None:
    run = crawled["跳转循环"]
    assert run.outcome == "redirect_loop"
    assert "重定向循环" in run.error and "/loop" in run.error


def test_a_malformed_platform_answer_is_a_parse_error_not_no_items(
        crawled: Crawl) -> None:
    run = crawled["微博接口"]
    assert run.outcome == "parse_error"
    assert "weibo" in run.error.lower() and "mblog" in run.error


def test_a_page_the_spider_cannot_read_is_a_parse_error_not_no_items(
        crawled: Crawl) -> None:
    run = crawled["接口栏目"]  # a gkmlpt API answering JSON of another shape
    assert run.outcome == "parse_error"
    assert "无法解析" in run.error and "/gkmlpt/api/all/5061" in run.error


# ------------------------------------------------------------------ 3. impossible addresses


@pytest.mark.parametrize(("url", "says"), [
    ("http://127.0.0.1:99999/list.html", "端口号「99999」"),
    ("http://www.example.gov.cn:0/list.html", "端口号「0」"),
    ("http://www.example.gov.cn:8o80/list.html", "端口号「8o80」"),
    ("ftp://www.example.gov.cn/list.html", "http:// 或 https://"),
    ("http:///list.html", "域名"),
    ("http://www.exa mple.gov.cn/list.html", "域名"),
])
def test_config_check_refuses_an_impossible_address(tmp_path: Path, url: str,
                                                    says: str) -> None:
    path = county_file(tmp_path, "", {"通知公告": url})
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert problem.file == str(path) and problem.line is not None
    assert problem.entry == f"单位 {UNIT}「县测试局」 → 栏目「通知公告」 → url"
    assert says in problem.message and url.strip() in problem.message
    assert problem.fix


def test_config_check_accepts_ordinary_addresses(tmp_path: Path) -> None:
    urls = {"a": "http://www.example.gov.cn/a.html", "b": "https://www.example.gov.cn:8443/b/",
            "c": "http://127.0.0.1:8765/c/", "d": "http://[::1]:8080/d/",
            "e": "http://政府.example.cn/e/"}
    config = load_config(county_file(tmp_path, "", urls))
    assert [c.url for c in config.units[0].columns] == list(urls.values())



def test_a_portal_at_an_ipv6_address_is_crawled(tmp_path: Path) -> None:
    """The config accepts ``http://[::1]:8080/…``; the crawl reaches it too (Scrapy's default
    resolver asked for IPv4 addresses only: every source failed as 域名无法解析)."""
    from demo_portal import DemoPortal
    from demo_portal.site import SOURCES, accepted_outcomes

    from .conftest import PORTAL_HOSTS, county

    try:
        portal = DemoPortal(host="::1", port=0, as_of=AS_OF).start()
    except OSError as exc:  # a machine without IPv6
        pytest.skip(f"no IPv6 loopback here: {exc}")
    try:
        config = load_config(county(tmp_path, dict.fromkeys(PORTAL_HOSTS, portal),
                                    units=("A03",)))
        assert config.units[0].columns[0].url.startswith("http://[::1]:")
        db = app.open_database(config)
        summary = app.crawl(config, db, reference_date=AS_OF)
        assert summary.result is not None and summary.result.exit_code == 0
        with db.session() as session:
            names = {i: name for (_, name), i in repo.source_ids(session).items()}
            runs = {names[r.source_id]: r for r in session.scalars(select(CrawlRun))}
            items = session.scalars(select(Item)).all()
        db.dispose()
    finally:
        portal.stop()
    specs = [spec for spec in SOURCES if spec.unit == "A03"]
    assert {spec.name: runs[spec.name].outcome in accepted_outcomes(spec) for spec in specs} \
        == {spec.name: True for spec in specs}
    assert {i.source_id for i in items} >= {r.source_id for r in runs.values()
                                            if r.outcome == "ok"}

def test_a_source_that_cannot_be_requested_fails_alone(portal: Site, tmp_path: Path) -> None:
    names = {"第一栏目": "/list.html", "坏端口": "/placeholder", "之后的栏目": "/second.html",
             "最后的栏目": "/moved"}
    config: CountyConfig = load_config(county_file(tmp_path, portal.url, names))
    db = app.open_database(config)
    try:
        with db.session() as session:
            ids = repo.source_ids(session)
        # bypasses config validation, as a config from before it was added would
        specs = [replace(s, url="http://127.0.0.1:99999/list.html") if s.name == "坏端口" else s
                 for s in app.source_specs(config, ids)]
        data_dir = str(Path(config.settings.data_dir).resolve())
        job = CrawlJob(database_url=db.url, data_dir=data_dir, sources=tuple(specs),
                       reference_date=AS_OF, scrapy_settings=scrapy_settings(
                           config.settings.crawl.model_dump(), database_url=db.url,
                           data_dir=data_dir, log_file=log_file_for(data_dir),
                           browser_executable=None, use_browser=False))
        result = run_crawl(job)
        runs = stored(db, list(names))
    finally:
        db.dispose()
    assert result.exit_code == 0 and result.error is None
    bad = runs["坏端口"]
    assert bad.outcome == "invalid_url"
    assert "99999" in bad.error and "port" in bad.error.lower()
    for name in ("第一栏目", "之后的栏目", "最后的栏目"):
        assert runs[name].outcome == "ok", runs[name]
        assert len(runs[name].items) == len(PORTAL_ENTRIES)


def test_a_redirect_to_an_impossible_address_is_an_invalid_url(crawled: Crawl) -> None:
    run = crawled["坏端口跳转"]
    assert run.outcome == "invalid_url"
    assert "无效的网址" in run.error and "port" in run.error.lower()
    assert "/rbadport" in run.error


def test_the_county_s_own_portals_and_its_allow_list_are_one_portal(tmp_path: Path) -> None:
    """Sources may redirect and link between the county's configured portals and the hosts
    of ``crawl.allowed_hosts``; a host name that is not one is refused in Chinese."""
    path = county_file(tmp_path, "", {"a": "http://www.example.gov.cn/a/",
                                      "b": "https://XXGK.example.gov.cn/b/"})
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["settings"]["crawl"]["allowed_hosts"] = ["zwfw.example.gov.cn"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    hosts = app.county_hosts(config)
    assert hosts == ["www.example.gov.cn:80", "xxgk.example.gov.cn:443", "zwfw.example.gov.cn"]
    assert portal_refusal("http://www.example.gov.cn/a/", "https://xxgk.example.gov.cn/x.html",
                          allowed_hosts=hosts, resolve=lambda _host: ["203.0.113.9"]) is None
    assert portal_refusal("http://www.example.gov.cn/a/", "http://zwfw.example.gov.cn/",
                          allowed_hosts=hosts, resolve=lambda _host: ["203.0.113.9"]) is None
    for elsewhere in ("http://evil.example.com/", "http://xxgk.example.gov.cn:8080/",
                      "http://zwfw.example.gov.cn:6379/"):  # another port is another service
        assert portal_refusal("http://www.example.gov.cn/a/", elsewhere, allowed_hosts=hosts,
                              resolve=lambda _host: ["203.0.113.9"])
    data["settings"]["crawl"]["allowed_hosts"] = ["http://zwfw.example.gov.cn/path"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert "不是域名" in problem.message and "allowed_hosts" in problem.entry
