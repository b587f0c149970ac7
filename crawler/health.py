"""Crawl health: what a failed request or an odd response means, as a crawl_run outcome.

Outcomes (crawl_run.outcome): ok, http_error (with the status), timeout, connection_error (DNS
or TCP), blocked (401/403/429 or an anti-bot challenge page), too_large (over the size limit),
no_items, parse_error; plus interrupted and no_browser, set outside the spider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

OK = "ok"
HTTP_ERROR = "http_error"
TIMEOUT = "timeout"
CONNECTION_ERROR = "connection_error"
BLOCKED = "blocked"
TOO_LARGE = "too_large"
NO_ITEMS = "no_items"
PARSE_ERROR = "parse_error"
INTERRUPTED = "interrupted"
FAILED_OUTCOMES = (HTTP_ERROR, TIMEOUT, CONNECTION_ERROR, BLOCKED, TOO_LARGE, NO_ITEMS,
                   PARSE_ERROR, INTERRUPTED, "no_browser")

# Scrapy ≥ 2.14 raises its own exception types; older versions raise Twisted's.
_TIMEOUT_NAMES = {"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError",
                  "UserTimeoutError"}
_CONNECTION_NAMES = {"DNSLookupError", "CannotResolveHostError", "ConnectionRefusedError",
                     "DownloadConnectionRefusedError", "ConnectError", "ConnectionLost",
                     "ConnectionDone", "NoRouteError", "ResponseNeverReceived",
                     "DownloadFailedError", "ResponseDataLossError"}


@dataclass(frozen=True)
class Diagnosis:
    outcome: str
    message: str
    http_status: int | None = None


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
    if "IgnoreRequest" in names:
        return Diagnosis(BLOCKED, f"request refused: {message or 'disallowed by robots.txt'}")
    return Diagnosis(HTTP_ERROR, f"{type(value).__name__}: {message}")
