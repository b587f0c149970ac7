"""Dead links (错链/死链), checked for real: ``check_links_in_children`` against a threaded HTTP
server on 127.0.0.1 whose paths answer 200, 404, 500, 405 to HEAD only, redirects (inside,
off the allowed hosts, in a loop, too many), a page slower than the timeout, a HEAD the server
hangs up on, 429, an anti-bot challenge and a large file; plus a closed port and a host name
under .invalid. Hosts off the allow-list, and private addresses not allowed to be private,
are never asked: the server's log proves it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from crawler import linkcheck
from crawler.linkcheck import (
    LINKS_PER_PROCESS,
    NOT_CHECKED_INSIDE,
    NOT_CHECKED_OFF_SITE,
    NOT_CHECKED_SCHEME,
    LinkResult,
    check_links_in_children,
    fetch_refusal,
    link_check_settings,
    share_by_host,
)
from crawler.settings import ENGINE_TUNED

TIMEOUT = 1.0
SLOW_SECONDS = 4.0


class Server:
    """A threaded HTTP server on a free 127.0.0.1 port; ``hits`` lists (method, path)."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                self.answer("HEAD")

            def do_GET(self) -> None:
                self.answer("GET")

            def answer(self, method: str) -> None:
                with server.lock:
                    server.hits.append((method, self.path))
                    asked = server.hits.count((method, self.path))
                status, headers, body = server.route(method, self.path, asked,
                                                     self.headers.get("Cookie") or "")
                if status == 0:  # hang up without an answer
                    self.close_connection = True
                    return
                self.send_response(status)
                headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if method == "GET":
                    with contextlib.suppress(OSError):  # the checker stops reading big bodies
                        self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, method: str, path: str, asked: int,
              cookie: str) -> tuple[int, dict[str, str], bytes]:
        page = b"<html><body>ok</body></html>"
        if path in ("/ok", "/target"):
            return 200, {}, page
        if path == "/missing":
            return 404, {}, b"not found"
        if path == "/broken":
            return 500, {}, b"server error"
        if path == "/nohead":
            return (405, {}, b"") if method == "HEAD" else (200, {}, page)
        if path == "/hangup":
            return (0, {}, b"") if method == "HEAD" else (200, {}, page)
        if path == "/moved":
            return 302, {"Location": "/target"}, b""
        if path in ("/loop-a", "/loop-b"):
            return 301, {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"}, b""
        if path.startswith("/hop/"):
            return 302, {"Location": f"/hop/{int(path[5:]) + 1}"}, b""
        if path == "/cookie":  # sets a session cookie and sends the reader back once
            if "session=1" in cookie:
                return 200, {}, page
            return 302, {"Location": "/cookie", "Set-Cookie": "session=1; Path=/"}, b""
        if path == "/away":
            return 302, {"Location": f"http://localhost:{self.port}/secret"}, b""
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return 200, {}, page
        if path == "/busy":
            return 429, {"Retry-After": "60"}, b""
        if path == "/challenge":
            return 412, {}, b"<script>var $_ts=window['$_ts'];</script>"
        if path == "/flaky":  # overloaded but for the second GET
            overloaded = method == "HEAD" or asked == 1
            return (503, {}, b"busy") if overloaded else (200, {}, page)
        if path == "/big.pdf":
            if method == "HEAD":
                return 403, {}, b""
            return 200, {"Content-Type": "application/pdf"}, b"%PDF" + b"0" * 2_000_000
        return 404, {}, b"not found"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site() -> Iterator[Server]:
    with Server() as server:
        yield server


@pytest.fixture(scope="module")
def checked(site: Server) -> dict[str, LinkResult]:
    """One real check of every kind of link (in a child process, as the monitors run it)."""
    dead_port = closed_port()
    paths = ["/ok", "/missing", "/broken", "/nohead", "/hangup", "/moved", "/loop-a",
             "/hop/1", "/cookie", "/away", "/slow", "/busy", "/challenge", "/flaky", "/big.pdf"]
    urls = [site.url + p for p in paths]
    urls += [
        site.url + "/ok",  # twice
        site.url + "/ok#section",  # the same page
        f"http://127.0.0.1:{dead_port}/x.html",
        "http://nowhere.invalid/x.html",
        f"http://localhost:{site.port}/offsite",  # not an allowed host
        "ftp://ftp.example.gov.cn/a.doc",
        "http:///nohost.html",
    ]
    started = time.monotonic()
    results = check_links_in_children(
        urls, allowed_hosts=[f"127.0.0.1:{site.port}", f"127.0.0.1:{dead_port}",
                             "nowhere.invalid", "ftp.example.gov.cn"],
        private_ok_hosts=["127.0.0.1"], timeout=TIMEOUT, per_host=4, retries=1)
    assert time.monotonic() - started < 60
    assert [r.url for r in results] == list(dict.fromkeys(urls))
    # the inside host is allowed by host:port but not as a private address
    inside = check_links_in_children([f"http://localhost:{site.port}/inside"],
                                     allowed_hosts=[f"localhost:{site.port}"],
                                     private_ok_hosts=["127.0.0.1"])
    found = {r.url.replace(site.url, ""): r for r in results}
    found["inside"] = inside[0]
    return found


def test_a_working_page_is_ok_with_one_head(checked: dict[str, LinkResult],
                                            site: Server) -> None:
    assert checked["/ok"] == LinkResult(f"{site.url}/ok", True, 200, None, f"{site.url}/ok",
                                        "HEAD")
    assert site.hits.count(("HEAD", "/ok")) == 1  # given three times (once with a fragment)
    assert ("GET", "/ok") not in site.hits
    assert checked["/ok#section"].ok and checked["/ok#section"].status == 200


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500)])
def test_http_errors_are_dead_after_a_get_confirms_them(
        checked: dict[str, LinkResult], site: Server, path: str, status: int) -> None:
    result = checked[path]
    assert (result.ok, result.status, result.error, result.method) == (
        False, status, f"HTTP {status}", "GET")
    assert site.hits.count(("HEAD", path)) == 1 and site.hits.count(("GET", path)) == 1


def test_a_server_refusing_head_is_asked_with_get(checked: dict[str, LinkResult]) -> None:
    result = checked["/nohead"]
    assert (result.ok, result.status, result.error, result.method) == (True, 200, None, "GET")


def test_a_head_the_server_hangs_up_on_is_asked_with_get(
        checked: dict[str, LinkResult], site: Server) -> None:
    result = checked["/hangup"]
    assert (result.ok, result.status, result.method) == (True, 200, "GET")
    assert site.hits.count(("HEAD", "/hangup")) == 1  # not retried as HEAD


def test_a_redirect_within_the_site_is_followed(checked: dict[str, LinkResult],
                                                site: Server) -> None:
    result = checked["/moved"]
    assert (result.ok, result.status, result.final_url) == (True, 200, f"{site.url}/target")
    assert result.error is None and result.method == "HEAD"


def test_a_redirect_loop_is_dead(checked: dict[str, LinkResult], site: Server) -> None:
    result = checked["/loop-a"]
    assert (result.ok, result.status, result.error) == (False, 301, "重定向循环")
    assert site.hits.count(("HEAD", "/loop-a")) == 1
    assert site.hits.count(("HEAD", "/loop-b")) == 1


def test_a_redirect_back_setting_a_cookie_is_not_a_loop(
        checked: dict[str, LinkResult], site: Server) -> None:
    result = checked["/cookie"]
    assert (result.ok, result.status, result.error) == (True, 200, None)
    assert site.hits.count(("HEAD", "/cookie")) == 2


def test_too_many_redirects_are_dead(checked: dict[str, LinkResult], site: Server) -> None:
    result = checked["/hop/1"]
    assert (result.ok, result.error) == (False, "重定向超过 5 次")
    assert ("HEAD", "/hop/6") in site.hits and ("HEAD", "/hop/7") not in site.hits


def test_a_redirect_off_the_allowed_hosts_is_ok_and_not_followed(
        checked: dict[str, LinkResult], site: Server) -> None:
    result = checked["/away"]
    target = f"http://localhost:{site.port}/secret"
    assert (result.ok, result.status, result.final_url) == (True, 302, target)
    assert result.error == f"跳转到 {target}：{NOT_CHECKED_OFF_SITE}"
    assert not any(path == "/secret" for _, path in site.hits)


def test_a_page_slower_than_the_timeout_is_dead_after_a_retry(
        checked: dict[str, LinkResult], site: Server) -> None:
    result = checked["/slow"]
    assert (result.ok, result.status) == (False, None)
    assert result.error == f"连接超时（{TIMEOUT:g} 秒内没有应答）"
    assert site.hits.count(("HEAD", "/slow")) == 2  # retries=1; no GET after a timeout
    assert ("GET", "/slow") not in site.hits


def test_429_and_anti_bot_challenges_are_not_judged(checked: dict[str, LinkResult]) -> None:
    busy = checked["/busy"]
    assert (busy.ok, busy.status, busy.error) == (True, 429, "HTTP 429，稍后重试")
    challenge = checked["/challenge"]
    assert (challenge.ok, challenge.status) == (True, 412)
    assert "反爬虫验证" in (challenge.error or "") and "未判断" in (challenge.error or "")


def test_a_transient_error_is_retried(checked: dict[str, LinkResult], site: Server) -> None:
    result = checked["/flaky"]
    assert (result.ok, result.status, result.method) == (True, 200, "GET")
    assert site.hits.count(("GET", "/flaky")) == 2


def test_a_large_file_is_ok_without_being_downloaded(checked: dict[str, LinkResult]) -> None:
    result = checked["/big.pdf"]
    assert (result.ok, result.status, result.method) == (True, 200, "GET")


def test_connection_refused_and_unresolvable_hosts_are_dead(
        checked: dict[str, LinkResult]) -> None:
    refused = next(r for u, r in checked.items() if u.endswith("/x.html") and "127.0.0.1" in u)
    assert (refused.ok, refused.status, refused.error) == (False, None, "无法连接（连接被拒绝）")
    unknown = checked["http://nowhere.invalid/x.html"]
    assert (unknown.ok, unknown.status, unknown.error) == (False, None, "域名无法解析")


def test_hosts_off_the_allow_list_are_not_fetched(checked: dict[str, LinkResult],
                                                  site: Server) -> None:
    offsite = checked[f"http://localhost:{site.port}/offsite"]
    assert offsite == LinkResult(offsite.url, True, None, NOT_CHECKED_OFF_SITE, None, "HEAD")
    inside = checked["inside"]
    assert (inside.ok, inside.error, inside.status) == (True, NOT_CHECKED_INSIDE, None)
    assert not any(path in ("/offsite", "/inside") for _, path in site.hits)


def test_other_schemes_and_invalid_urls(checked: dict[str, LinkResult]) -> None:
    ftp = checked["ftp://ftp.example.gov.cn/a.doc"]
    assert (ftp.ok, ftp.error) == (True, NOT_CHECKED_SCHEME)
    invalid = checked["http:///nohost.html"]
    assert not invalid.ok and (invalid.error or "").startswith("网址无效")


# ----------------------------------------------------------------------------- the rule


def test_which_links_may_be_fetched() -> None:
    addresses = {"www.mmx.gov.cn": "202.108.22.5", "xxgk.mmx.gov.cn": "202.108.22.6",
                 "intranet.mmx.gov.cn": "10.1.2.3", "localhost": "127.0.0.1"}

    def refusal(url: str, allowed: list[str], private_ok: tuple[str, ...] = ()) -> str | None:
        return fetch_refusal(url, allowed_hosts=allowed, private_ok_hosts=private_ok,
                             resolve=lambda host: [addresses.get(host, "")])

    county = ["www.mmx.gov.cn:80", "xxgk.mmx.gov.cn:443", "zwfw.mmx.gov.cn"]
    for url in ("http://www.mmx.gov.cn/a.html", "https://www.mmx.gov.cn/a.html",
                "http://xxgk.mmx.gov.cn/a.html", "https://XXGK.mmx.gov.cn/b.html"):
        assert refusal(url, county) is None, url
    for url in ("http://www.mmx.gov.cn:8080/", "http://evil.example.com/",
                "http://mmx.gov.cn/", "http://127.0.0.1:6379/"):
        assert refusal(url, county) == NOT_CHECKED_OFF_SITE, url
    # an allowed name resolving inside the network is private: only when allowed to be
    assert refusal("http://intranet.mmx.gov.cn/", ["intranet.mmx.gov.cn"]) == NOT_CHECKED_INSIDE
    assert refusal("http://intranet.mmx.gov.cn/", ["intranet.mmx.gov.cn"],
                   ("intranet.mmx.gov.cn",)) is None
    assert refusal("http://127.0.0.1:8765/a", ["127.0.0.1:8765"]) == NOT_CHECKED_INSIDE
    assert refusal("http://127.0.0.1:8765/a", ["127.0.0.1:8765"], ("127.0.0.1:8765",)) is None
    assert refusal("http://127.0.0.1:6379/", ["127.0.0.1:8765"],
                   ("127.0.0.1:8765",)) == NOT_CHECKED_OFF_SITE
    assert refusal("mailto:a@mmx.gov.cn", county) == NOT_CHECKED_SCHEME
    with pytest.raises(ValueError):
        refusal("http://www.mmx.gov.cn:99999/", county)


def test_a_child_that_fails_raises() -> None:
    with pytest.raises(RuntimeError, match="链接检查失败"):
        check_links_in_children(["http://127.0.0.1:1/"], allowed_hosts=["127.0.0.1:1"],
                                no_such_option=True)


def test_link_checks_run_with_the_crawls_engine_tuning() -> None:
    """The per-response trimming of the crawl (no stats, a few item tasks, no re-parsing of
    callbacks) serves the link checks too: a check costs a request, not a request and
    Scrapy's bookkeeping (a province's checks are tens of thousands)."""
    settings = link_check_settings(timeout=TIMEOUT, per_host=2, retries=1, user_agent="t")
    assert {name: settings[name] for name in ENGINE_TUNED} == ENGINE_TUNED
    # the checker's own choices stay its own
    assert (settings["RETRY_ENABLED"], settings["REDIRECT_ENABLED"]) == (False, False)


def test_links_are_shared_out_by_host() -> None:
    """Each host's links stay in one process (its per-host limit holds), the shares come out
    about equal and in the order given, and few links are not worth a second process."""
    urls = [f"http://h{k % 5}.gov.cn/p{k}.html" for k in range(1000)]
    urls += [f"HTTP://H0.gov.cn:8080/x{k}" for k in range(3)] + ["not a url", "http://[::1/"]
    shares = share_by_host(urls, 2)
    assert sorted(url for share in shares for url in share) == sorted(urls)
    hosts = [{url.lower().split("/")[2].split(":")[0] for url in share if "//" in url}
             for share in shares]
    assert len(shares) == 2 and not hosts[0] & hosts[1]
    assert abs(len(shares[0]) - len(shares[1])) <= 200  # a host's 200 links: the unit
    assert all(share == sorted(share, key=urls.index) for share in shares)
    assert len(share_by_host(urls[:LINKS_PER_PROCESS * 2 - 1], 4)) == 1
    assert len(share_by_host(urls, 8)) == 3  # 1,005 links: three processes' worth
    assert len(share_by_host([f"http://one.gov.cn/{k}" for k in range(900)], 4)) == 1
    assert share_by_host([], 2) == []


def test_links_checked_in_several_processes_answer_as_in_one(
        site: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two hosts in two child processes: every link answered, in the order given."""
    monkeypatch.setattr(linkcheck, "LINKS_PER_PROCESS", 1)
    urls = [f"http://localhost:{site.port}/missing", f"http://127.0.0.1:{site.port}/ok",
            f"http://localhost:{site.port}/ok", f"http://127.0.0.1:{site.port}/missing"]
    assert len(share_by_host(urls, 2)) == 2
    results = check_links_in_children(
        urls, processes=2, allowed_hosts=[f"127.0.0.1:{site.port}", f"localhost:{site.port}"],
        private_ok_hosts=["127.0.0.1", "localhost"], timeout=TIMEOUT)
    assert [(r.url, r.ok, r.status) for r in results] == [
        (urls[0], False, 404), (urls[1], True, 200), (urls[2], True, 200),
        (urls[3], False, 404)]
