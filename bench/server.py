"""The fixture portal server: one asyncio HTTP/1.1 server listening on every portal's loopback
address (127.0.1.1 …), pages generated on the fly from ``bench.fixture``.

Run it in its own process (``python -m bench.server …``) so it does not share a core with the
crawler under test. ``GET /__stats`` (on any address) answers the request counts and the times
of the first and last page served since ``GET /__reset``; both crawlers are timed by the same
clock. Only loopback addresses are ever bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import time
from datetime import date
from typing import Any

from bench.fixture import CrawlFixture

_COLUMN = re.compile(r"^/u(\d{5})/c(\d+)/index(?:_(\d+))?\.html$")
_FEED = re.compile(r"^/u(\d{5})/m(\d+)/rss\.xml$")
ROBOTS = b"User-agent: *\nAllow: /\n"


class Stats:
    """What the server served since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.pages = 0
        self.lists = 0
        self.feeds = 0
        self.other = 0
        self.first: float | None = None
        self.last: float | None = None

    def page(self, kind: str) -> None:
        stamp = time.time()
        self.first = self.first or stamp
        self.last = stamp
        self.pages += 1
        setattr(self, kind, getattr(self, kind) + 1)

    def as_dict(self) -> dict[str, Any]:
        return {"pages": self.pages, "lists": self.lists, "feeds": self.feeds,
                "other": self.other, "first": self.first, "last": self.last}


class PortalProtocol(asyncio.Protocol):
    """A minimal keep-alive HTTP/1.1 server (GET and HEAD only)."""

    def __init__(self, fixture: CrawlFixture, stats: Stats) -> None:
        self.fixture = fixture
        self.stats = stats
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = request_line.split(" ")
            if len(parts) < 2:
                self._send(400, b"bad request", "text/plain")
                continue
            method, path = parts[0], parts[1].split("?", 1)[0]
            status, body, ctype = self.route(path)
            self._send(status, b"" if method == "HEAD" else body, ctype, len(body))

    def route(self, path: str) -> tuple[int, bytes, str]:
        html = "text/html; charset=utf-8"
        f = self.fixture
        match = _COLUMN.match(path)
        if match:
            unit, column = int(match.group(1)), int(match.group(2))
            page = int(match.group(3) or 0) + 1
            if unit < f.units and column < f.columns:
                self.stats.page("lists")
                return 200, f.list_page(unit, column, page), html
        match = _FEED.match(path)
        if match:
            unit, index = int(match.group(1)), int(match.group(2))
            if unit < f.units:
                self.stats.page("feeds")
                return 200, f.feed(unit, index), "application/rss+xml; charset=utf-8"
        if path == "/robots.txt":
            return 200, ROBOTS, "text/plain"
        if path == "/__stats":
            return 200, json.dumps(self.stats.as_dict()).encode(), "application/json"
        if path == "/__reset":
            self.stats.reset()
            return 200, b"{}", "application/json"
        self.stats.page("other")
        return 404, b"<html><body>404 Not Found</body></html>", html

    def _send(self, status: int, body: bytes, ctype: str, length: int | None = None) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
        head = (f"HTTP/1.1 {status} {reason}\r\nServer: bench\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body) if length is None else length}\r\n"
                "Connection: keep-alive\r\n\r\n").encode("latin-1")
        self.transport.write(head + body)


async def serve(fixture: CrawlFixture) -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    hosts = list(fixture.hosts)
    assert all(h.startswith("127.") for h in hosts), "only loopback addresses are served"
    server = await loop.create_server(lambda: PortalProtocol(fixture, stats), host=hosts,
                                      port=fixture.port, reuse_address=True, backlog=1024)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"serving {len(hosts)} portals on {hosts[0]}…{hosts[-1]} port {fixture.port}",
          flush=True)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=date.fromisoformat, required=True)
    parser.add_argument("--portals", type=int, default=100)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--accounts", type=int, default=4000)
    parser.add_argument("--port", type=int, default=18080)
    args = parser.parse_args()
    fixture = CrawlFixture(args.reference, args.portals, args.units, args.columns, args.pages,
                           args.accounts, args.port)
    asyncio.run(serve(fixture))


if __name__ == "__main__":
    main()
