"""Crawl health: what a failed request or an odd response means, as a crawl_run outcome.

Outcomes (crawl_run.outcome): ok, http_error (with the status), timeout, connection_error (DNS
or TCP), blocked (401/403/429, an anti-bot challenge page or robots.txt), too_large (over the
size limit, also once decompressed), redirect_loop (too many redirects), off_portal (redirected
off the source's portal, not followed: ``crawler.portal``), invalid_url (an address no request
can be made to), no_items, parse_error; plus interrupted and no_browser, set outside the spider.
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


@dataclass(frozen=True)
class Diagnosis:
    outcome: str
    message: str
    http_status: int | None = None
    decisive: bool = False  # fails the source whichever of its requests it happened to


def challenge_kind(status: int, body: bytes) -> str | None:
    """Name of the anti-bot product whose challenge page this is, or None.

    瑞数 (Ruishu) answers 412 with a ``$_ts`` bootstrap script; 加速乐 (Jiasule) answers 521
    with a script that sets the ``__jsl_clearance`` cookie.
    """
    head = body[:20000]
    if b"$_ts" in head and status in (202, 400, 412):
        return "瑞数 (Ruishu) $_ts challenge"
    if status == 521 and (b"__jsl_clearance" in head or b"_('j')" in head or b"('j')" in head):
        return "加速乐 (Jiasule) __jsl_clearance challenge"
    if status == 521:
        return "加速乐 (Jiasule) challenge"
    return None


def diagnose_status(status: int, body: bytes) -> Diagnosis:
    """Outcome for a non-2xx response."""
    challenge = challenge_kind(status, body)
    if challenge:
        return Diagnosis(BLOCKED, f"HTTP {status}: anti-bot {challenge}", status)
    if status in (401, 403, 429):
        return Diagnosis(BLOCKED, f"HTTP {status}: access refused", status)
    return Diagnosis(HTTP_ERROR, f"HTTP {status}", status)


def diagnose_failure(failure: Failure) -> Diagnosis:
    """Outcome for a request that failed (errback)."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None and hasattr(response, "status"):  # HttpError
        return diagnose_status(response.status, response.body or b"")
    names = {cls.__name__ for cls in type(value).__mro__}
    message = failure.getErrorMessage() or type(value).__name__
    if names & _TIMEOUT_NAMES or failure.check(twisted_error.TimeoutError):
        return Diagnosis(TIMEOUT, f"timed out: {message}")
    if "DownloadCancelledError" in names or "CancelledError" in names:
        if "max size" in message or "larger than download" in message:
            sizes = [int(n) / 1024 / 1024 for n in re.findall(r"\b(\d{4,})\b", message)[:2]]
            detail = (f" ({sizes[0]:.1f} MB > {sizes[1]:.1f} MB)" if len(sizes) == 2 else "")
            return Diagnosis(TOO_LARGE, f"response over the size limit{detail}")
        return Diagnosis(HTTP_ERROR, f"download cancelled: {message}")
    if names & _CONNECTION_NAMES:
        return Diagnosis(CONNECTION_ERROR, f"{type(value).__name__}: {message}")
    if isinstance(value, OffPortal):
        return Diagnosis(OFF_PORTAL, message, decisive=value.redirected)
    if "IgnoreRequest" in names:
        return _ignored(failure, message)
    if isinstance(value, ValueError):  # Scrapy parsing a redirect's Location: port 99999, …
        return Diagnosis(INVALID_URL, f"the page sent the crawler to an invalid address: "
                                      f"{message}")
    return Diagnosis(HTTP_ERROR, f"{type(value).__name__}: {message}")


def _ignored(failure: Failure, message: str) -> Diagnosis:
    """Outcome for a request one of Scrapy's middlewares gave up on (IgnoreRequest)."""
    inflated = _DECOMPRESSED_RE.search(message)
    cause = type(getattr(failure.value, "__cause__", None)).__name__
    if inflated or "DecompressionMaxSize" in cause:
        sizes = ""
        if inflated:
            packed, _, limit = (int(n) / 1024 / 1024 for n in inflated.groups())
            sizes = f" ({packed:.2f} MB compressed, over {limit:.1f} MB once decompressed)"
        return Diagnosis(TOO_LARGE, f"response over the size limit when decompressed{sizes}")
    if _REDIRECT_LIMIT_TEXT in message:
        request = failure.request  # type: ignore[attr-defined]
        hops = request.meta.get("redirect_times", 0)
        start = (request.meta.get("redirect_urls") or [request.url])[0]
        return Diagnosis(REDIRECT_LOOP,
                         f"redirect loop: gave up after {hops} redirects from {start}")
    # RobotsTxtMiddleware's, and any other middleware's, refusal
    return Diagnosis(BLOCKED, f"request refused: {message or 'disallowed by robots.txt'}")


def diagnose_unsent(exc: Exception) -> Diagnosis:
    """Outcome for a request that could not even be made (the spider's own exception)."""
    if isinstance(exc, ValueError):  # Scrapy's URL parsing: no scheme, port 99999, …
        return Diagnosis(INVALID_URL, f"cannot request this address: {exc}")
    return Diagnosis(HTTP_ERROR, f"request could not be made: {type(exc).__name__}: {exc}")
