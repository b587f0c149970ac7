"""Serve the demo portal over HTTP with the standard library (a daemon thread per server)."""

from __future__ import annotations

import socket
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from zoneinfo import ZoneInfo

from demo_portal.site import Site, build_site

CHINA = ZoneInfo("Asia/Shanghai")


def china_today() -> date:
    """Today's date in Asia/Shanghai."""
    return datetime.now(CHINA).date()


MAX_FORM_BYTES = 1 << 20  # POST bodies larger than this are not read


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 connections refused some of a crawl's concurrent
    # requests (8 a portal, retries besides) when the machine was busy: a flaky fixture
    request_queue_size = 128
    site: Site
    closing: threading.Event  # set on stop: delayed answers give up at once

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet: clients hanging up mid-answer are normal for a test fixture."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "0")
        size = int(length) if length.isdigit() else 0
        body = self.rfile.read(size) if 0 < size <= MAX_FORM_BYTES else b""
        self._answer(with_body=True, method="POST", body=body)

    def _answer(self, with_body: bool, method: str = "GET", body: bytes = b"") -> None:
        page = self.server.site.get(self.path, method, dict(self.headers.items()), body)
        if page.delay > 0 and self.server.closing.wait(page.delay):
            return  # the portal is stopping: hang up without an answer
        try:
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            for name, value in page.headers:
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(page.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        """No access log."""


class DemoPortal:
    """The 演示县 demo portal served on ``host:port`` (0 = a free port) for one as-of date."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, as_of: date | None = None) -> None:
        self.host = host
        self.port = port
        self.as_of = as_of or china_today()
        self.url = ""
        self.site: Site | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DemoPortal:
        """Bind, build the site for ``as_of`` and serve in a daemon thread."""
        if self._server is not None:
            return self
        server_class = _Server
        if ":" in self.host:
            server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
        server = server_class((self.host, self.port), _Handler)
        server.closing = threading.Event()
        self.port = server.server_address[1]
        shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(self.host)
        if shown is None:
            shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{self.port}"
        self.site = server.site = build_site(self.as_of, self.url)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"demo-portal-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.closing.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
