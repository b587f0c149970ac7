"""Security plumbing: response headers, CSRF tokens, safe links and redirects.

Every page gets a strict Content-Security-Policy (scripts and styles only from the app itself,
nothing inline); stored snapshots of crawled pages get a far stricter one of their own
(``SNAPSHOT_CSP``: no scripts at all, sandboxed into an opaque origin) that this middleware
leaves alone.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors 'none'")
SNAPSHOT_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; "
                "frame-ancestors 'self'")
CSRF_FIELD = "csrf_token"
_SESSION_KEY = "csrf"


class SecurityHeaders:
    """Adds CSP, nosniff, framing and referrer headers to every HTTP response that does not
    set its own CSP."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {b"x-content-type-options": b"nosniff",
                         b"referrer-policy": b"same-origin",
                         b"cross-origin-opener-policy": b"same-origin"}
                if b"content-security-policy" not in names:
                    extra[b"content-security-policy"] = APP_CSP.encode()
                    extra[b"x-frame-options"] = b"DENY"
                if self.hsts:
                    extra[b"strict-transport-security"] = b"max-age=31536000"
                headers.extend((k, v) for k, v in extra.items() if k not in names)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get(_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return str(token)


def new_csrf_token(request: Request) -> str:
    request.session[_SESSION_KEY] = secrets.token_urlsafe(32)
    return str(request.session[_SESSION_KEY])


def csrf_ok(request: Request, form: Mapping[str, Any]) -> bool:
    """Whether a submitted form carries this session's token."""
    expected = request.session.get(_SESSION_KEY)
    given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.encode(), str(expected).encode())


def web_url(url: object) -> str | None:
    """``url`` if it may be a link (absolute http or https), else None: crawled data could
    carry ``javascript:`` or ``data:`` URLs, which must never become an href."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target inside this app (a path like ``/queue?x=1``), never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
