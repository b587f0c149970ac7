"""Are a page's links alive? (错链/死链): one request a link, with Scrapy.

Each distinct link is asked with HEAD; an error answer (4xx/5xx) or a connection reset is then
asked once more with GET, since many portal servers and their firewalls mishandle HEAD — a
link is called dead only on what a GET gets. Redirects are followed by the spider itself (at
most ``MAX_REDIRECTS``), so each hop is checked against the county's hosts before it is sent.

The county's promise against server-side request forgery (``crawler.portal``) holds here too:
only links whose host is one of ``allowed_hosts`` are fetched (a ``host:port`` entry for that
origin, a bare host for its standard ports), and a host on or resolving to a private, loopback
or reserved address only when it is in ``private_ok_hosts``. Other links, and redirects
leaving those hosts, are not fetched: the link is taken as working and the result says why it
was not checked.

Twisted's reactor cannot be restarted within a process: ``check_links`` runs once per process,
``check_links_in_children`` runs it in fresh child processes (as ``crawler.process`` runs
crawls), the links shared out by host.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
import sys
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import StopDownload
from scrapy.http import Response
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from crawler.health import _CONNECTION_REASONS, _TIMEOUT_NAMES, _TIMEOUT_RE, challenge_kind
from crawler.portal import DEFAULT_PORTS, Origin, _inside_network, _listed, resolve_host
from crawler.settings import ENGINE_TUNED, NO_CONSOLES, RESOLVER, UNREAD_EXTENSIONS

USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0 Safari/537.36 govwatch-linkcheck")
MAX_REDIRECTS = 5
GET_MAXSIZE = 256 * 1024  # a GET never downloads more (a bigger answer is a working link)
_BODY_KEPT = 64 * 1024  # of a GET's body: enough to recognise an anti-bot challenge page
# Answers worth a second try (gateways, overload); a plain 500 or 404 is what the site says.
_TRANSIENT_STATUSES = frozenset({408, 502, 503, 504, 522, 524})

NOT_CHECKED_OFF_SITE = "不在本县网站范围内，未检查"
NOT_CHECKED_INSIDE = "内网、本机或保留地址，未检查"
NOT_CHECKED_SCHEME = "不是 http/https 网址，未检查"
NOT_FINISHED = "检查未完成"

# Exceptions (by class name, Scrapy's and Twisted's) that mean the connection broke after it
# was made: a HEAD the server hung up on is asked again with GET.
_RESET_NAMES = frozenset({"ConnectionLost", "ConnectionDone", "ResponseNeverReceived",
                          "ResponseFailed", "DownloadFailedError", "ResponseDataLossError",
                          "ConnectionAborted"})
_DNS_NAMES = frozenset({"DNSLookupError", "CannotResolveHostError"})
_REFUSED_NAMES = frozenset({"ConnectionRefusedError", "DownloadConnectionRefusedError"})
_RETRIED_NAMES = _RESET_NAMES | _DNS_NAMES | _REFUSED_NAMES | _TIMEOUT_NAMES | {
    "ConnectError", "NoRouteError", "TCPTimedOutError"}


@dataclass(frozen=True)
class LinkResult:
    """Whether a link works. ``ok`` is False only for a link shown dead (an HTTP error, no such
    host, no connection, no answer); a link not checked, or not judged (HTTP 429, an anti-bot
    challenge), is ok with ``error`` saying why (Chinese)."""

    url: str
    ok: bool
    status: int | None  # final HTTP status
    error: str | None
    final_url: str | None
    method: str  # "HEAD" or "GET": the request that decided (HEAD when none was sent)


# ---------------------------------------------------------------------------
# Which links may be fetched
# ---------------------------------------------------------------------------


def _normalised(hosts: Collection[str]) -> frozenset[str]:
    return frozenset(h.strip().lower() for h in hosts if h and h.strip())


def fetch_refusal(url: str, *, allowed_hosts: Collection[str],
                  private_ok_hosts: Collection[str] = (),
                  resolve: Callable[[str], Any] = resolve_host) -> str | None:
    """Why ``url`` may not be fetched (the Chinese note of an unchecked link), or None.

    The county's hosts: a ``host:port`` entry admits that origin; a bare host, or a host
    listed with a standard port, admits the host on both standard ports (http and https of
    the same site). A private, loopback or reserved address only for ``private_ok_hosts``.
    """
    if urlsplit(url).scheme.lower() not in DEFAULT_PORTS:
        return NOT_CHECKED_SCHEME
    target = Origin.of(url)  # ValueError for an invalid URL: the caller's to judge
    allowed = _normalised(allowed_hosts)
    standard = target.port == DEFAULT_PORTS[target.scheme]
    site = standard and bool({f"{target.host}:{port}" for port in DEFAULT_PORTS.values()}
                             & allowed)
    if not (_listed(target, allowed) or site):
        return NOT_CHECKED_OFF_SITE
    private_ok = _normalised(private_ok_hosts)
    if (str(target) not in private_ok and target.host not in private_ok
            and _inside_network(target.host, resolve)):
        return NOT_CHECKED_INSIDE
    return None


# ---------------------------------------------------------------------------
# The spider
# ---------------------------------------------------------------------------


class LinkSpider(scrapy.Spider):
    """Checks its links: HEAD, then GET on an error; redirects followed hop by hop."""

    name = "govwatch-linkcheck"

    def __init__(self, links: list[str], results: dict[str, LinkResult],
                 refusal: Callable[[str], str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.links = links
        self.results = results
        self.refusal = refusal

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> LinkSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        crawler.signals.connect(spider.on_bytes, signal=signals.bytes_received)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for link in self.links:
            request = self.request(link, link, "HEAD", ())
            if request is not None:
                yield request

    def request(self, url: str, link: str, method: str,
                chain: tuple[str, ...]) -> Any | None:
        """A request for ``link`` (now at ``url``), or None when it was decided here."""
        meta = {"handle_httpstatus_all": True, "dont_redirect": True, "link": link,
                "chain": chain}
        if method == "GET":
            meta["download_maxsize"] = GET_MAXSIZE
        try:
            return scrapy.Request(url, method=method, meta=meta, dont_filter=True,
                                  callback=self.on_response, errback=self.on_error)
        except ValueError as exc:  # Scrapy parses the URL here: port 99999, no host
            self.decide(link, False, None, f"网址无效（{exc}）", url, method)
            return None

    def retry(self, request: Any, reason: str) -> Any | None:
        """The request again (Scrapy's retry helper: RETRY_TIMES), or None when spent."""
        retry = get_retry_request(request, spider=self, reason=reason)
        if retry is not None:
            retry.meta.pop("received_bytes", None)
        return retry

    def decide(self, link: str, ok: bool, status: int | None, error: str | None,
               final_url: str | None, method: str) -> None:
        self.results.setdefault(link, LinkResult(link, ok, status, error, final_url, method))

    # Bodies are not wanted: a GET keeps at most _BODY_KEPT bytes (StopDownload hands the
    # truncated answer to the callback, as Scrapy documents for stopping downloads).
    def on_headers(self, headers: Any, body_length: Any, request: Any,
                   spider: Any = None) -> None:
        if (request.method == "GET" and isinstance(body_length, int)
                and body_length > _BODY_KEPT):
            raise StopDownload(fail=False)

    def on_bytes(self, data: bytes, request: Any, spider: Any = None) -> None:
        if request.method != "GET":
            return
        received = request.meta.get("received_bytes", 0) + len(data)
        request.meta["received_bytes"] = received
        if received >= _BODY_KEPT:
            raise StopDownload(fail=False)

    def on_response(self, response: Response) -> Iterator[Any]:
        request = response.request
        assert request is not None
        link, chain, method = request.meta["link"], request.meta["chain"], request.method
        status = response.status
        if 300 <= status < 400 and response.headers.get(b"Location"):
            yield from self.redirected(response, link, chain, method)
            return
        if status < 400:
            self.decide(link, True, status, None, response.url, method)
            return
        if status == 429:
            self.decide(link, True, status, "HTTP 429，稍后重试", response.url, method)
            return
        if method == "HEAD":  # a HEAD's error is only a hint: GET decides
            yield self.request(response.url, link, "GET", chain)
            return
        if status in _TRANSIENT_STATUSES:
            retry = self.retry(request, f"HTTP {status}")
            if retry is not None:
                yield retry
                return
        challenge = challenge_kind(status, response.body or b"")
        if challenge:
            self.decide(link, True, status,
                        f"被网站的反爬虫验证拦截（{challenge}，HTTP {status}），未判断",
                        response.url, method)
            return
        self.decide(link, False, status, f"HTTP {status}", response.url, method)

    def redirected(self, response: Response, link: str, chain: tuple[str, ...],
                   method: str) -> Iterator[Any]:
        location = response.headers[b"Location"].decode("latin-1").strip()
        target = safe_url_string(urljoin(response.url, location), encoding="utf-8")
        target = urldefrag(target)[0]
        status = response.status
        visited = (*chain, response.url)
        # a page may set a cookie and send the reader back to itself once
        again = b"Set-Cookie" in response.headers and visited.count(target) < 2
        if target in visited and not again:
            self.decide(link, False, status, "重定向循环", target, method)
            return
        if len(visited) > MAX_REDIRECTS:
            self.decide(link, False, status, f"重定向超过 {MAX_REDIRECTS} 次", target, method)
            return
        try:
            why = self.refusal(target)
        except ValueError as exc:
            self.decide(link, False, status, f"跳转到无效的网址（{exc}）", target, method)
            return
        if why is not None:  # the link works; where it leads is not ours to fetch
            self.decide(link, True, status, f"跳转到 {target}：{why}", target, method)
            return
        request = self.request(target, link, method, visited)
        if request is not None:
            yield request

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        link, chain, method = request.meta["link"], request.meta["chain"], request.method
        value = failure.value
        names = {cls.__name__ for cls in type(value).__mro__}
        message = failure.getErrorMessage() or type(value).__name__
        if "max size" in message or "DOWNLOAD_MAXSIZE" in message:
            # bigger than a GET may download: there is something there
            self.decide(link, True, None, None, request.url, method)
            return
        if method == "HEAD" and names & _RESET_NAMES:
            yield self.request(request.url, link, "GET", chain)
            return
        if names & _RETRIED_NAMES:
            retry = self.retry(request, type(value).__name__)
            if retry is not None:
                yield retry
                return
        self.decide(link, False, None, _failure_reason(names, message), request.url,
                    method)

    def closed(self, reason: str) -> None:
        for link in self.links:  # cut short (a signal): what was not answered is unknown
            self.decide(link, True, None, NOT_FINISHED, None, "HEAD")


def _failure_reason(names: set[str], message: str) -> str:
    """The Chinese reason a request failed, from its exception's class names and message."""
    if names & _DNS_NAMES:
        return "域名无法解析"
    if names & _TIMEOUT_NAMES:
        seconds = _TIMEOUT_RE.search(message)
        return f"连接超时（{float(seconds.group(1)):g} 秒内没有应答）" if seconds else "连接超时"
    if names & _REFUSED_NAMES:
        return "无法连接（连接被拒绝）"
    for name, reason in _CONNECTION_REASONS.items():
        if name in names:
            return f"无法连接（{reason}）"
    if names & _RETRIED_NAMES:
        return "无法连接"
    return f"请求失败（{message[:200]}）"


# ---------------------------------------------------------------------------
# Running a check
# ---------------------------------------------------------------------------


def _reactor_used() -> bool:
    reactor = sys.modules.get("twisted.internet.reactor")
    return bool(reactor is not None and getattr(reactor, "_startedBefore", False))


def check_links(urls: Sequence[str], *, allowed_hosts: Collection[str],
                private_ok_hosts: Collection[str] = (), timeout: float = 10,
                per_host: int = 2, retries: int = 1,
                user_agent: str = USER_AGENT) -> list[LinkResult]:
    """One result for each distinct URL of ``urls``, in their order; URLs differing only in
    their fragment share one request.

    Runs Scrapy in this process: callable once per process (``check_links_in_children`` from a
    process that crawls, serves or tests).
    """
    given = list(dict.fromkeys(u.strip() for u in urls if u and u.strip()))
    keys = {u: urldefrag(u)[0] for u in given}
    results: dict[str, LinkResult] = {}

    def refusal(url: str) -> str | None:
        return fetch_refusal(url, allowed_hosts=allowed_hosts,
                             private_ok_hosts=private_ok_hosts)

    # resolving blocks: the hosts are looked up together, beforehand, into resolve_host's
    # cache (Scrapy resolves again when it connects)
    hosts: set[str] = set()
    for key in set(keys.values()):
        try:
            hosts.add(Origin.of(key).host)
        except ValueError:
            continue
    if hosts:
        with ThreadPoolExecutor(max_workers=min(8, len(hosts))) as pool:
            list(pool.map(resolve_host, sorted(hosts)))
    to_fetch: list[str] = []
    for key in dict.fromkeys(keys.values()):
        try:
            why = refusal(key)
        except ValueError as exc:
            results[key] = LinkResult(key, False, None, f"网址无效（{exc}）", None, "HEAD")
            continue
        if why is not None:
            results[key] = LinkResult(key, True, None, why, None, "HEAD")
        else:
            to_fetch.append(key)
    if to_fetch:
        _crawl(to_fetch, results, refusal, timeout=timeout, per_host=per_host,
               retries=retries, user_agent=user_agent)
    checked = []
    for url in given:
        found = results.get(keys[url]) or LinkResult(keys[url], True, None, NOT_FINISHED,
                                                     None, "HEAD")
        checked.append(LinkResult(url, found.ok, found.status, found.error, found.final_url,
                                  found.method))
    return checked


def link_check_settings(*, timeout: float, per_host: int, retries: int,
                        user_agent: str) -> dict[str, Any]:
    """The Scrapy settings of a link check: one request a link, redirects and retries
    the spider's own, the crawl's engine tuning."""
    return {
        "BOT_NAME": "govwatch-linkcheck",
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": False,  # one request a link, as a reader's click
        "DOWNLOAD_TIMEOUT": timeout,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, per_host),
        "DOWNLOAD_MAXSIZE": GET_MAXSIZE,
        "DOWNLOAD_WARNSIZE": 0,
        # the spider follows redirects and retries itself: each hop is checked before it is
        # sent, and a HEAD that fails is asked again with GET rather than again with HEAD
        "REDIRECT_ENABLED": False,
        "METAREFRESH_ENABLED": False,
        "RETRY_ENABLED": False,
        "RETRY_TIMES": max(0, retries),
        "COOKIES_ENABLED": True,  # sites that set a cookie and redirect back to themselves
        **NO_CONSOLES,
        **RESOLVER,
        **ENGINE_TUNED,
        "EXTENSIONS": UNREAD_EXTENSIONS,
        "LOG_LEVEL": "ERROR",
        "LOG_INSTALL_ROOT_HANDLER": False,  # the caller's logging stays the caller's
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }


def _crawl(links: list[str], results: dict[str, LinkResult],
           refusal: Callable[[str], str | None], *, timeout: float, per_host: int,
           retries: int, user_agent: str) -> None:
    """Check ``links`` (all admitted) with Scrapy, filling ``results``."""
    if _reactor_used():
        raise RuntimeError("Twisted's reactor already ran in this process: "
                           "use check_links_in_children")
    from scrapy.crawler import CrawlerProcess

    settings = link_check_settings(timeout=timeout, per_host=per_host, retries=retries,
                                   user_agent=user_agent)
    process = CrawlerProcess(settings)
    process.crawl(LinkSpider, links=links, results=results, refusal=refusal)
    process.start()


def _child(urls: list[str], options: dict[str, Any], answers: Any, parent_pid: int,
           tag: int) -> None:
    """Child process body: one check, its results (or its failure) sent back, tagged."""
    from crawler.process import _die_with_parent

    _die_with_parent(parent_pid)
    try:
        answers.put((tag, "ok", check_links(urls, **options)))
    except Exception as exc:  # the parent reports it; the child only must not hang
        answers.put((tag, "error", f"{type(exc).__name__}: {exc}"))


# A child process costs about half a second of CPU to start (Python, Scrapy, the reactor):
# fewer links than this each are checked in fewer processes.
LINKS_PER_PROCESS = 300


def share_by_host(urls: Sequence[str], processes: int) -> list[list[str]]:
    """``urls`` in up to ``processes`` shares, every host's links in one share (its
    per-host limit then holds), the shares about equal, each in the order given; none
    empty. Fewer shares when there are too few links (``LINKS_PER_PROCESS``) or hosts."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        by_host.setdefault(host, []).append(url)
    count = max(1, min(processes, len(urls) // LINKS_PER_PROCESS, len(by_host)))
    shares: list[list[str]] = [[] for _ in range(count)]
    for group in sorted(by_host.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)  # the biggest hosts first, each to the lightest
    order = {url: i for i, url in enumerate(urls)}
    return [sorted(share, key=order.__getitem__) for share in shares if share]


def check_links_in_children(urls: Sequence[str], *, processes: int = 1,
                            **options: Any) -> list[LinkResult]:
    """``check_links`` in fresh child processes (spawned, as crawls are): up to
    ``processes`` of them side by side, the links shared out by host (``share_by_host``);
    blocks until done. One result for each distinct URL, in the order of ``urls``.

    Raises RuntimeError when a child fails or dies. SIGTERM or SIGINT meanwhile stops the
    children, then is raised again here for the caller's own handling.
    """
    from crawler.process import _stopping_children_on_signal

    given = list(dict.fromkeys(u.strip() for u in urls if u and u.strip()))  # as check_links
    if not given:
        return []
    ctx = multiprocessing.get_context("spawn")
    answers = ctx.Queue()
    children = [ctx.Process(target=_child, args=(share, options, answers, os.getpid(), tag),
                            name="govwatch-linkcheck")
                for tag, share in enumerate(share_by_host(given, processes))]
    got: dict[int, tuple[str, Any]] = {}
    with _stopping_children_on_signal(children) as stopped_by:
        for child in children:
            child.start()
        while len(got) < len(children):
            # once all have ended, one may still have answered just before: a last, longer wait
            ended = not any(child.is_alive() for child in children)
            try:
                tag, kind, payload = answers.get(timeout=0.5 if ended else 0.2)
            except queue_module.Empty:
                if ended:
                    break
                continue
            got[tag] = (kind, payload)
        for child in children:
            child.join()
    if stopped_by:
        signal.raise_signal(stopped_by[0])
    results: dict[str, LinkResult] = {}
    for tag, child in enumerate(children):
        if tag not in got:
            raise RuntimeError(f"链接检查进程异常退出（退出码 {child.exitcode}）")
        kind, payload = got[tag]
        if kind != "ok":
            raise RuntimeError(f"链接检查失败：{payload}")
        results.update((result.url, result) for result in payload)
    return [results[url] for url in given]
