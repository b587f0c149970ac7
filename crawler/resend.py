"""Resend a form request the server hung up on before answering (a kept-alive connection
it was closing).

Scrapy keeps connections to a portal open between requests (Twisted's connection pool), and
a server may close one at any moment: after an HTTP/1.0 answer, or when its keep-alive
timeout ends. A request sent on such a connection gets no answer at all (Twisted's
``ResponseNeverReceived``). Twisted then resends it on a new connection by itself — but only
a GET, HEAD, OPTIONS, DELETE or TRACE without a body; a POST fails. Against the demo portal
(HTTP/1.0: it closes every connection) 15–30 % of a stream of POSTs failed that way, and
with Scrapy's one retry still one in 130: a Hanweb column lost the records of its
``dataproxy.jsp`` page while the column looked fine.

govwatch's POSTs only ask for list data (Hanweb's data proxy, form-driven list APIs), so
resending one is as safe as resending a GET. ``ResendUnansweredMiddleware`` does what Twisted
does for GETs: a request with another method that got no answer is sent again, up to
``RESENDS`` times, before Scrapy's retries (which count real failures) see it — and on
connections of its own, so it does not land on another one the server is closing.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import DownloadFailedError
from twisted.web._newclient import ResponseNeverReceived

# The methods Twisted itself resends after a connection closed unanswered (body-less only)
TWISTED_RESENDS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})
RESENDS = 3
RESENT_META = "govwatch_resent"  # request meta: how many times it was sent again
ANY_ADDRESS = ("", 0)


def unanswered(exception: BaseException) -> bool:
    """Whether the connection closed before any byte of an answer came (Scrapy wraps Twisted's
    ``ResponseNeverReceived`` in ``DownloadFailedError``)."""
    if isinstance(exception, DownloadFailedError):
        exception = exception.__cause__ or exception
    return isinstance(exception, ResponseNeverReceived)


class ResendUnansweredMiddleware:
    """Send a non-GET request again when the server closed the connection unanswered."""

    def process_exception(self, request: Request, exception: Exception,
                          spider: Any = None) -> Request | None:
        if request.method in TWISTED_RESENDS and not request.body:
            return None  # Twisted already resent it: a real failure, Scrapy's to retry
        resent = request.meta.get(RESENT_META, 0)
        if resent >= RESENDS or not unanswered(exception):
            return None
        again = request.replace(dont_filter=True)
        again.meta[RESENT_META] = resent + 1
        # Scrapy pools connections per (host, bind address): binding to "any address" (what
        # an unbound socket does) keeps resent requests off the connections GETs left behind
        again.meta.setdefault("bindaddress", ANY_ADDRESS)
        return again
