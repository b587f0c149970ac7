"""A source's requests stay on its portal: the guard against server-side request forgery.

A portal page that redirects (HTTP 3xx or ``<meta http-equiv="refresh">``), or links, to
another host could otherwise make the crawler fetch — and store and show — what a service
inside the operator's network answers (``http://127.0.0.1:6379/``, an intranet admin page).
Every request of a source, the first, its redirects and its follow-ups (pages, articles), may
only go to the host and port of the source's configured URL (``http`` → ``https`` of the same
host is an upgrade, allowed), or to a host the crawl settings allow (``GOVWATCH_ALLOWED_HOSTS``).
An address inside the network (private, loopback, link-local, reserved) is reached only by a
source whose configured URL is itself such an address — the demo portal and the tests run on
127.0.0.1 — never by following a public portal there.

``PortalGuardMiddleware`` applies the rule in Scrapy's downloader, before robots.txt, cookies
or the network see the request; ``guard_browser_page`` applies it inside Chromium.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

Resolver = Callable[[str], Iterable[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
PORTAL_URL_META = "govwatch_portal_url"  # request meta: the URL whose portal the request keeps to
BROWSER_REFUSED_META = "govwatch_browser_refused"  # request meta: what the browser was kept from


class OffPortal(IgnoreRequest):
    """A request of a source that would leave its portal: refused before it is sent.

    ``redirected``: the portal sent the crawler there (a redirect or refresh) — the source
    misbehaves and fails; otherwise it is a link, skipped and noted.
    """

    def __init__(self, message: str, *, redirected: bool) -> None:
        super().__init__(message)
        self.redirected = redirected


@functools.lru_cache(maxsize=4096)
def resolve_host(host: str) -> tuple[str, ...]:
    """The addresses ``host`` resolves to (none when it does not resolve: then Scrapy's own
    lookup fails and reports it)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ()
    return tuple(str(info[4][0]) for info in infos)


def _inside_network(host: str, resolve: Resolver) -> bool:
    """Whether ``host`` is, or resolves to, an address inside a private network."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = []
        for text in resolve(host):
            try:
                addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                continue
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)
        address = mapped or address
        if (address.is_private or address.is_loopback or address.is_link_local
                or address.is_reserved or address.is_multicast or address.is_unspecified):
            return True
    return False


def inside_network(origin: str) -> bool:
    """Whether an origin (``host`` or ``host:port``) is inside a private network."""
    host = origin.rsplit(":", 1)[0] if origin.count(":") == 1 else origin
    return _inside_network(host.strip("[]"), resolve_host)


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port of a URL (the port filled in from the scheme)."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        """Raises ValueError for a URL that names no host or an impossible port."""
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError("缺少域名")
        scheme = parts.scheme.lower()
        port = parts.port or DEFAULT_PORTS.get(scheme)  # .port raises for 99999 or "8o80"
        if port is None:
            raise ValueError(f"不支持的协议「{scheme}」")
        return cls(scheme, parts.hostname, port)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    def admits(self, other: Origin) -> bool:
        """Same host and port, or the same host moved from http to https."""
        if self.host != other.host:
            return False
        upgrade = (self.scheme, self.port, other.scheme, other.port) == ("http", 80, "https", 443)
        return self.port == other.port or upgrade


def reaches_inside(source_url: str, target: Origin, *,
                   resolve: Resolver = resolve_host) -> bool:
    """Whether ``target`` is inside the network while the source at ``source_url`` is not."""
    source_host = urlsplit(source_url).hostname or ""
    return (target.host != source_host and _inside_network(target.host, resolve)
            and not _inside_network(source_host, resolve))


def portal_refusal(source_url: str, target_url: str, *, allowed_hosts: Iterable[str] = (),
                   resolve: Resolver = resolve_host) -> str | None:
    """Why a request of the source configured at ``source_url`` may not go to ``target_url``
    (Chinese, for the crawl run's error), or None when it may."""
    try:
        target = Origin.of(target_url)
    except ValueError as exc:
        return f"不是有效的网址：{exc}"
    if target.scheme not in DEFAULT_PORTS:
        return f"不是 http/https 网址（{target.scheme}）"
    try:
        source = Origin.of(source_url)
    except ValueError:  # the source's own first request fails on it, with its own message
        return "该栏目/账号配置的网址本身无效"
    if not source.admits(target) and not _listed(target, allowed_hosts):
        return f"该栏目/账号所在网站为 {source}"
    if reaches_inside(source_url, target, resolve=resolve):
        return f"{target.host} 是内网、本机或保留地址"
    return None


def _listed(target: Origin, allowed_hosts: Iterable[str]) -> bool:
    """Whether ``target`` is on the allow-list: ``host:port`` entries (the county's configured
    sources) match that origin only; bare host names (``crawl.allowed_hosts``) their standard
    ports — another port of a listed host is another service."""
    allowed = {h.strip().lower() for h in allowed_hosts}
    return (str(target) in allowed
            or (target.host in allowed and target.port == DEFAULT_PORTS.get(target.scheme)))


class PortalGuardMiddleware:
    """Downloader middleware refusing every request, redirect and follow-up of a source
    that would leave the source's portal (``OffPortal``, to the request's errback).

    A source's requests carry the source's URL (``PORTAL_URL_META``, kept by redirects). The
    middleware runs first — before robots.txt is fetched for a new host — and sees requests
    again when Scrapy's redirect and meta-refresh middlewares turn a response into one.
    """

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed_hosts = tuple(allowed_hosts)

    @classmethod
    def from_crawler(cls, crawler: Any) -> PortalGuardMiddleware:
        return cls(crawler.settings.getlist("GOVWATCH_ALLOWED_HOSTS"))

    def process_request(self, request: Request, spider: Any = None) -> None:
        self._check(request, request.url, redirected=bool(request.meta.get("redirect_urls")))

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Response:
        # A browser follows redirects and scripted navigations itself: where the page ended is
        # only known now. Nothing of an off-portal page is kept (no snapshot, no items).
        refused = request.meta.get(BROWSER_REFUSED_META)
        if refused:
            raise OffPortal(f"页面 {request.url} 跳转到门户网站以外的 {refused}，未跟随",
                            redirected=True)
        if response.url != request.url:
            self._check(request, response.url, redirected=True, came_from=request.url)
        return response

    def _check(self, request: Request, url: str, *, redirected: bool,
               came_from: str | None = None) -> None:
        portal_url = request.meta.get(PORTAL_URL_META)
        if portal_url is None:  # not a source's request (robots.txt of an admitted host)
            return
        why = portal_refusal(portal_url, url, allowed_hosts=self.allowed_hosts)
        if why is None:
            return
        if redirected:
            start = came_from or (request.meta.get("redirect_urls") or [request.url])[0]
            raise OffPortal(f"从 {start} 跳转到门户网站以外的 {url}，未跟随（{why}）",
                            redirected=True)
        raise OffPortal(f"门户网站以外的链接 {url}，未访问（{why}）", redirected=False)


async def guard_browser_page(page: Any, request: Request) -> None:
    """scrapy-playwright page init callback: keep Chromium on the source's portal.

    Aborts main-frame navigations off the portal (a script's ``location.href = …``), noting
    them for ``PortalGuardMiddleware.process_response`` to fail the page, and any request from
    a public portal's page to an address inside the network (an ``<img>`` or ``<iframe>``
    pointing at an intranet service). Chromium follows HTTP redirects without asking the
    route; those are refused afterwards, by the final-URL check of ``process_response``.
    """
    portal_url = request.meta.get(PORTAL_URL_META)
    if not portal_url:
        return
    loop = asyncio.get_running_loop()

    async def route(route: Any, browser_request: Any) -> None:
        try:
            target = Origin.of(browser_request.url)
            navigation = (browser_request.is_navigation_request()
                          and browser_request.frame == page.main_frame)
        except Exception:  # data: URLs, service-worker requests: not the portal's business
            await route.fallback()
            return
        if navigation and portal_refusal(portal_url, browser_request.url):
            request.meta.setdefault(BROWSER_REFUSED_META, browser_request.url)
            await route.abort("blockedbyclient")
            return
        # resolving blocks: done off the event loop, then read from resolve_host's cache
        for host in (target.host, urlsplit(portal_url).hostname or ""):
            await loop.run_in_executor(None, resolve_host, host)
        if reaches_inside(portal_url, target):
            await route.abort("blockedbyclient")
            return
        await route.fallback()  # on to scrapy-playwright's own handler

    await page.route("**", route)
