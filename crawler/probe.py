"""Probes of sites' 首页 (``kind: homepage`` columns) for the national checks' site_unreachable:
one GET, redirects not followed (a 3xx answer is a site that answers), timed against
``national.probe_timeout`` (15 s). A probe never raises: it says what happened, in Chinese."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass(frozen=True)
class ProbeResult:
    url: str
    ok: bool
    http_status: int | None
    seconds: float | None
    error: str | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect answers the probe; where it leads is not fetched


def probe(url: str, timeout: float = 15, user_agent: str = "govwatch") -> ProbeResult:
    """GET ``url`` once; ok when it answers with a status below 400 within ``timeout``."""
    opener = urllib.request.build_opener(_NoRedirect)
    # HTTP headers are bytes: a Chinese user agent goes out as UTF-8, as Scrapy sends it
    agent = user_agent.encode("utf-8").decode("latin-1")
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    started = time.monotonic()
    status: int | None = None
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
            response.read(64 * 1024)  # the first bytes of the page: it is being served
    except urllib.error.HTTPError as exc:
        status = exc.code
    except TimeoutError:
        return ProbeResult(url, False, None, round(time.monotonic() - started, 3),
                           f"访问超时（{timeout:g} 秒内没有应答）")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            why = f"访问超时（{timeout:g} 秒内没有应答）"
        elif isinstance(reason, socket.gaierror):
            why = "域名无法解析"
        elif isinstance(reason, ConnectionRefusedError):
            why = "连接被拒绝"
        else:
            why = f"无法连接：{reason}"
        return ProbeResult(url, False, None, round(time.monotonic() - started, 3), why)
    except (OSError, ValueError) as exc:
        return ProbeResult(url, False, None, round(time.monotonic() - started, 3),
                           f"请求失败（{type(exc).__name__}）")
    seconds = round(time.monotonic() - started, 3)
    if status >= 400:
        return ProbeResult(url, False, status, seconds, f"网站返回错误（HTTP {status}）")
    if seconds > timeout:
        return ProbeResult(url, False, status, seconds, f"打开超过 {timeout:g} 秒")
    return ProbeResult(url, True, status, seconds, None)


def probe_all(urls: list[str], timeout: float = 15, user_agent: str = "govwatch",
              workers: int = 8) -> list[ProbeResult]:
    """Probe each URL (side by side: one slow site must not delay the others' probes)."""
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(urls))) as pool:
        return list(pool.map(lambda u: probe(u, timeout, user_agent), urls))
