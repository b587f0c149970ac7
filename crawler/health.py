"""Crawl health: what a failed request or an odd response means, as a crawl_run outcome.

Outcomes (crawl_run.outcome): ok, http_error (with the status), timeout, connection_error (DNS
or TCP), blocked (401/403/429, an anti-bot challenge page or robots.txt), too_large (over the
size limit, also once decompressed), redirect_loop (too many redirects), off_portal (redirected
off the source's portal, not followed: ``crawler.portal``), invalid_url (an address no request
can be made to), no_items, empty (the page says it lists nothing: a blank column, not a crawl
failure), parse_error; plus interrupted and no_browser, set outside the spider.

The messages (crawl_run.error) are read by people — in the crawl summary, on the finding page
and in the bulletin's 抓取异常 note — so they are Chinese; the logs stay English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

from crawler.portal import OffPortal

OK = "ok"
HTTP_ERROR = "http_error"
TIMEOUT = "timeout"
CONNECTION_ERROR = "connection_error"
BLOCKED = "blocked"
TOO_LARGE = "too_large"
NO_ITEMS = "no_items"
EMPTY = "empty"  # the list page loaded and says it has nothing (暂无信息): blank_column
PARSE_ERROR = "parse_error"
INTERRUPTED = "interrupted"
REDIRECT_LOOP = "redirect_loop"
OFF_PORTAL = "off_portal"
INVALID_URL = "invalid_url"
FAILED_OUTCOMES = (HTTP_ERROR, TIMEOUT, CONNECTION_ERROR, BLOCKED, TOO_LARGE, NO_ITEMS,
                   PARSE_ERROR, INTERRUPTED, "no_browser", REDIRECT_LOOP, OFF_PORTAL,
                   INVALID_URL)

# Scrapy ≥ 2.14 raises its own exception types; older versions raise Twisted's.
_TIMEOUT_NAMES = {"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError",
                  "UserTimeoutError"}
_CONNECTION_NAMES = {"DNSLookupError", "CannotResolveHostError", "ConnectionRefusedError",
                     "DownloadConnectionRefusedError", "ConnectError", "ConnectionLost",
                     "ConnectionDone", "NoRouteError", "ResponseNeverReceived",
                     "DownloadFailedError", "ResponseDataLossError"}


# What Scrapy's IgnoreRequest says (its text is all it carries) when RedirectMiddleware gives
# up, and when HttpCompressionMiddleware stops inflating a body at DOWNLOAD_MAXSIZE.
_REDIRECT_LIMIT_TEXT = "max redirections reached"
_DECOMPRESSED_RE = re.compile(r"\((\d+) B compressed, (\d+) B decompressed so far\) exceeded "
                              r"DOWNLOAD_MAXSIZE \((\d+) B\)")
_TIMEOUT_RE = re.compile(r"longer than ([\d.]+) seconds")
# Why a connection failed, by the exception's name (the rest: 无法连接网站)
_CONNECTION_REASONS = {
    "DNSLookupError": "域名无法解析", "CannotResolveHostError": "域名无法解析",
    "ConnectionRefusedError": "连接被拒绝", "DownloadConnectionRefusedError": "连接被拒绝",
    "NoRouteError": "网络不通", "ConnectionLost": "连接中断", "ConnectionDone": "连接中断",
    "ResponseNeverReceived": "网站没有应答", "ResponseDataLossError": "页面未传输完整",
}


@dataclass(frozen=True)
class Diagnosis:
    outcome: str
    message: str
    http_status: int | None = None
    decisive: bool = False  # fails the source whichever of its requests it happened to


def challenge_kind(status: int, body: bytes) -> str | None:
    """The anti-bot check whose challenge page this is, in Chinese, or None.

    瑞数 (Ruishu) answers 412 with a ``$_ts`` bootstrap script; 加速乐 (Jiasule) answers 521
    with a script that sets the ``__jsl_clearance`` cookie.
    """
    head = body[:20000]
    if b"$_ts" in head and status in (202, 400, 412):
        return "瑞数 $_ts 验证"
    if status == 521 and (b"__jsl_clearance" in head or b"_('j')" in head or b"('j')" in head):
        return "加速乐 __jsl_clearance 验证"
    if status == 521:
        return "加速乐验证"
    return None


def diagnose_status(status: int, body: bytes) -> Diagnosis:
    """Outcome for a non-2xx response."""
    challenge = challenge_kind(status, body)
    if challenge:
        return Diagnosis(BLOCKED, f"被网站的反爬虫验证拦截（{challenge}，HTTP {status}）", status)
    if status == 429:
        return Diagnosis(BLOCKED, f"访问过于频繁，被网站拒绝（HTTP {status}）", status)
    if status in (401, 403):
        return Diagnosis(BLOCKED, f"网站拒绝访问（HTTP {status}）", status)
    return Diagnosis(HTTP_ERROR, f"网站返回错误（HTTP {status}）", status)


def diagnose_failure(failure: Failure) -> Diagnosis:
    """Outcome for a request that failed (errback)."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None and hasattr(response, "status"):  # HttpError
        return diagnose_status(response.status, response.body or b"")
    names = {cls.__name__ for cls in type(value).__mro__}
    message = failure.getErrorMessage() or type(value).__name__
    if names & _TIMEOUT_NAMES or failure.check(twisted_error.TimeoutError):
        seconds = _TIMEOUT_RE.search(message)
        waited = f"（{float(seconds.group(1)):g} 秒内没有应答）" if seconds else ""
        return Diagnosis(TIMEOUT, f"访问超时{waited}")
    if "DownloadCancelledError" in names or "CancelledError" in names:
        if "max size" in message or "larger than download" in message:
            sizes = [int(n) / 1024 / 1024 for n in re.findall(r"\b(\d{4,})\b", message)[:2]]
            detail = (f"（{sizes[0]:.1f} MB ＞ {sizes[1]:.1f} MB）" if len(sizes) == 2 else "")
            return Diagnosis(TOO_LARGE, f"页面超过大小上限{detail}")
        return Diagnosis(HTTP_ERROR, f"下载被取消：{message}")
    if names & _CONNECTION_NAMES:
        name = type(value).__name__
        return Diagnosis(CONNECTION_ERROR,
                         f"无法连接网站：{_CONNECTION_REASONS.get(name, '连接失败')}（{name}）")
    if isinstance(value, OffPortal):
        return Diagnosis(OFF_PORTAL, message, decisive=value.redirected)
    if "IgnoreRequest" in names:
        return _ignored(failure, message)
    if isinstance(value, ValueError):  # Scrapy parsing a redirect's Location: port 99999, …
        return Diagnosis(INVALID_URL, f"页面跳转到无效的网址：{message}")
    return Diagnosis(HTTP_ERROR, f"请求失败：{type(value).__name__}: {message}")


def _ignored(failure: Failure, message: str) -> Diagnosis:
    """Outcome for a request one of Scrapy's middlewares gave up on (IgnoreRequest)."""
    inflated = _DECOMPRESSED_RE.search(message)
    cause = type(getattr(failure.value, "__cause__", None)).__name__
    if inflated or "DecompressionMaxSize" in cause:
        sizes = ""
        if inflated:
            packed, _, limit = (int(n) / 1024 / 1024 for n in inflated.groups())
            sizes = f"（压缩后 {packed:.2f} MB，解压后超过 {limit:.1f} MB）"
        return Diagnosis(TOO_LARGE, f"页面解压后超过大小上限{sizes}")
    if _REDIRECT_LIMIT_TEXT in message:
        request = failure.request  # type: ignore[attr-defined]
        hops = request.meta.get("redirect_times", 0)
        start = (request.meta.get("redirect_urls") or [request.url])[0]
        return Diagnosis(REDIRECT_LOOP, f"重定向循环：从 {start} 起跳转 {hops} 次后放弃")
    # RobotsTxtMiddleware's, and any other middleware's, refusal
    if not message or "robots.txt" in message:
        return Diagnosis(BLOCKED, "网站的 robots.txt 不允许抓取")
    return Diagnosis(BLOCKED, f"请求被拒绝：{message}")


def diagnose_unsent(exc: Exception) -> Diagnosis:
    """Outcome for a request that could not even be made (the spider's own exception)."""
    if isinstance(exc, ValueError):  # Scrapy's URL parsing: no scheme, port 99999, …
        return Diagnosis(INVALID_URL, f"网址无效，无法访问：{exc}")
    return Diagnosis(HTTP_ERROR, f"无法发出请求：{type(exc).__name__}: {exc}")
