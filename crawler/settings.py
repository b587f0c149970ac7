"""Scrapy settings for a govwatch crawl, built from the county config's crawl settings.

Politeness, retries, timeouts and encodings are Scrapy's own machinery; this module only
chooses values for them.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

from crawler.browser import LAUNCH_ARGS

# uvloop (libuv) runs the asyncio loop under Twisted's reactor: Scrapy's own setting for it,
# 2–3 % fewer instructions a page than asyncio's loop (callgrind, the bench's fixture). It is a
# dependency where it builds (not on Windows); elsewhere asyncio's loop is used as before.
FAST_EVENT_LOOP: dict[str, Any] = (
    {"ASYNCIO_EVENT_LOOP": "uvloop.Loop"} if find_spec("uvloop") is not None else {})

ENGINE_TUNED: dict[str, Any] = {
    # The storage pipeline is synchronous, so items handled "in parallel" only cost
    # asyncio tasks: Scrapy starts CONCURRENT_ITEMS of them for every response.
    "CONCURRENT_ITEMS": 4,
    # A development-time check that re-parses each callback's source on every response.
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
    # Scrapy's stats (request and byte counts, kept per response) are read by nobody:
    # each source's tally is govwatch's own (crawl_run), each link's its result. Without
    # them the periodic "Crawled N pages" log line would say 0, so it goes too.
    "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
    "DOWNLOADER_STATS": False,
    "LOGSTATS_INTERVAL": 0,
    # Spider middlewares that pass every request and item a callback yields through a layer
    # of their own, for nothing here: request depth (paging is bounded by max_pages, not
    # DEPTH_LIMIT, and nothing reads meta["depth"]) and Scrapy 2.19's development-time check
    # for response.meta copied into new requests (govwatch's requests build their own meta).
    "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                           "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None},
    **FAST_EVENT_LOOP,
}
"""Settings that trim Scrapy's per-response overhead, for the crawl and the link checks alike;
politeness does not depend on them."""
ENGINE_TUNING = tuple(ENGINE_TUNED)
NO_CONSOLES: dict[str, Any] = {
    "TELNETCONSOLE_ENABLED": False,
    # Scrapy 2.19 starts, in every process, an HTTP server on localhost that runs the Python
    # code posted to it (for its MCP server), its port and token in a job file in the user's
    # state folder (left there when the process is killed): no way in is wanted into a
    # process that reads untrusted pages.
    "REMOTE_CONTROL_ENABLED": False,
}
"""Scrapy's consoles into a running crawl, off: for the crawl, the link checks (and the bench's
bare spider, which takes the crawl's settings)."""
RESOLVER: dict[str, Any] = {
    # Scrapy's default resolver asks for IPv4 addresses only: a portal configured by its
    # IPv6 address (which the config accepts), or reached only over IPv6, failed as
    # 域名无法解析. This one asks getaddrinfo for both, and caches the answers as well.
    # (TWISTED_DNS_RESOLVER since Scrapy 2.15; the old DNS_RESOLVER name logs a deprecation
    # warning in every crawl and link-check process.)
    "TWISTED_DNS_RESOLVER": "scrapy.resolver.CachingHostnameResolver",
}
"""How the crawl and the link checks look up a portal's addresses."""
UNREAD_EXTENSIONS: dict[str, None] = {
    # start and finish times and item counts, kept in the stats nobody reads (see
    # STATS_CLASS): a signal handler or two on every response and item, for nothing
    "scrapy.extensions.corestats.CoreStats": None,
}
# Downloader middlewares in place of built-in ones, doing the same for less: meta refresh is
# looked for only in pages that may carry one (``crawler.refresh``).
TUNED_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.refresh.QuickMetaRefreshMiddleware": 580,
}


def scrapy_settings(crawl: dict[str, Any], *, database_url: str, data_dir: str,
                    log_file: Path | None, browser_executable: str | None,
                    use_browser: bool) -> dict[str, Any]:
    """Settings dict for CrawlerProcess from ``CrawlSettings.model_dump()``."""
    settings: dict[str, Any] = {
        "BOT_NAME": "govwatch",
        "USER_AGENT": crawl["user_agent"],
        "ROBOTSTXT_OBEY": crawl["obey_robots"],
        "DOWNLOAD_DELAY": crawl["download_delay"],
        "DOWNLOAD_TIMEOUT": crawl["timeout"],
        "RETRY_TIMES": crawl["retry_times"],
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl["concurrent_requests_per_domain"],
        "AUTOTHROTTLE_ENABLED": crawl["download_delay"] > 0,
        "AUTOTHROTTLE_START_DELAY": max(crawl["download_delay"], 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl["concurrent_requests_per_domain"]),
        # A county portal's list page is rarely over a few MB; a bigger one is a broken one,
        # dropped and recorded as too_large.
        "DOWNLOAD_MAXSIZE": int(crawl["max_response_mb"] * 1024 * 1024),
        "DOWNLOAD_WARNSIZE": int(crawl["max_response_mb"] * 1024 * 1024 / 4),
        "COOKIES_ENABLED": True,
        **NO_CONSOLES,
        **RESOLVER,
        **ENGINE_TUNED,
        "ITEM_PIPELINES": {"crawler.pipelines.StoragePipeline": 300},
        # Before every built-in middleware (robots.txt at 100 would already fetch from a new
        # host): a source's requests and redirects stay on its portal (crawler.portal).
        # Just before Scrapy's retries (550), which count real failures: a form request
        # the server hung up on unanswered is sent again (crawler.resend).
        "DOWNLOADER_MIDDLEWARES": {"crawler.portal.PortalGuardMiddleware": 40,
                                   "crawler.resend.ResendUnansweredMiddleware": 560,
                                   **TUNED_MIDDLEWARES},
        "GOVWATCH_ALLOWED_HOSTS": list(crawl.get("allowed_hosts") or ()),
        "EXTENSIONS": {**UNREAD_EXTENSIONS, "crawler.progress.ProgressReporter": 500},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(log_file) if log_file else None,
        "LOG_FILE_APPEND": True,
        "LOG_INSTALL_ROOT_HANDLER": log_file is not None,
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_DATA_DIR": data_dir,
    }
    if use_browser:
        # Playwright drives its browser through asyncio's own loop: scrapy-playwright is
        # tested on it, not on uvloop
        settings.pop("ASYNCIO_EVENT_LOOP", None)
        launch: dict[str, Any] = {"headless": True, "args": LAUNCH_ARGS}
        if browser_executable:
            launch["executable_path"] = browser_executable
        settings.update({
            "DOWNLOAD_HANDLERS": {
                "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
                "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            },
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
            "PLAYWRIGHT_MAX_CONTEXTS": 2,
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": crawl["timeout"] * 1000,
        })
    return settings
