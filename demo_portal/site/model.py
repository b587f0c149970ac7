"""The output model: ``Page`` (one HTTP answer), ``Entry``, ``GkmlptCategory`` and ``Site``.

``Site`` holds every static page of one as-of date and answers the request-dependent ones itself
(``Site.get``): the Hanweb data proxy (query and POST form), the gkmlpt JSON API (``page``) and
the Weibo API (403 without a Referer). Nothing here does I/O or reads the clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qs, unquote, urlsplit

from demo_portal.site.sources import (
    GKMLPT_API,
    GKMLPT_PAGE_SIZE,
    HANWEB_PER_PAGE,
    HANWEB_PROXY,
    JSON_TYPE,
    SOURCE_BY_PATH,
    WEIBO_API,
    expected_outcome,
)


@dataclass(frozen=True)
class Page:
    """One HTTP answer: body bytes, Content-Type header, status and extra headers.

    ``delay`` is how long the server waits before answering (the slow column).
    """

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


@dataclass(frozen=True)
class Entry:
    """One item or post as published: title, root-relative URL path and publication time."""

    title: str
    path: str
    published: datetime  # aware, China time


@dataclass(frozen=True)
class GkmlptCategory:
    """One gkmlpt category: its name and its articles (API objects), newest first."""

    name: str
    articles: tuple[dict, ...]


@dataclass(frozen=True)
class Site:
    """Every page of the demo portal for one as-of date.

    Static pages are in ``pages``; the Hanweb data proxy, the gkmlpt API and the Weibo API
    answer from ``hanweb``, ``gkmlpt`` and ``pages`` depending on the request (see ``get``).
    """

    as_of: date
    base_url: str
    pages: Mapping[str, Page]  # keyed by path (the Weibo API by path?query)
    entries: Mapping[str, tuple[Entry, ...]]  # by SourceSpec.path, newest first
    not_found: Page
    weibo_empty: Page
    hanweb: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # columnid → <li>s
    gkmlpt: Mapping[int, GkmlptCategory] = field(default_factory=dict)

    def absolute(self, path: str) -> str:
        """``base_url`` + a root-relative path."""
        return self.base_url + path

    def expected(self, path: str) -> tuple[Entry, ...]:
        """What a crawler must find in the source at ``path``: its entries if its crawl
        should succeed, else nothing (the entries of a slow or oversized column exist but a
        crawl with the demo config cannot get them)."""
        spec = SOURCE_BY_PATH[path]
        return self.entries[path] if expected_outcome(spec) == "ok" else ()

    def get(
        self,
        target: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Page:
        """The page answering a request (target = path with optional query; POST form body)."""
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        query = parse_qs(parts.query)
        if path == WEIBO_API:
            sent = {k.lower(): v for k, v in (headers or {}).items()}
            if not sent.get("referer"):
                return _weibo_login_required()
            cid = query.get("containerid", [""])[0]
            number = query.get("page", ["1"])[0]
            number = number if number.isdigit() else "1"
            key = f"{WEIBO_API}?containerid={cid}&page={int(number)}"
            return self.pages.get(key, self.weibo_empty)
        if path == HANWEB_PROXY:
            form = parse_qs(body.decode("utf-8", "replace")) if method == "POST" else {}
            return self.hanweb_proxy({**form, **query})
        if path.startswith(GKMLPT_API):
            return self.gkmlpt_api(path.removeprefix(GKMLPT_API), query)
        page = self.pages.get(path)
        if page is not None:
            return page
        if not path.endswith("/") and path + "/" in self.pages:
            where = path + "/"
            body = f'<html><body><a href="{where}">301 Moved Permanently</a></body></html>'
            return Page(body.encode(), status=301, headers=(("Location", where),))
        return self.not_found

    def hanweb_proxy(self, params: Mapping[str, list[str]]) -> Page:
        """jpage's dataproxy.jsp: records startrecord..endrecord (1-based, inclusive)."""

        def number(name: str, default: int) -> int:
            value = params.get(name, [""])[0].strip()
            return int(value) if value.isdigit() else default

        records = self.hanweb.get(number("columnid", -1), ())
        per_page = max(1, number("perpage", HANWEB_PER_PAGE))
        start = max(1, number("startrecord", 1))
        end = number("endrecord", start + 3 * per_page - 1)
        chosen = records[start - 1 : end] if end >= start else ()
        rows = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in chosen)
        text = (
            '<?xml version="1.0" encoding="UTF-8"?><datastore>'
            f"<totalrecord>{len(records)}</totalrecord>"
            f"<totalpage>{-(-len(records) // per_page)}</totalpage>"
            f"<recordset>\n{rows}</recordset></datastore>"
        )
        return Page(text.encode("utf-8"), "text/xml; charset=UTF-8")

    def gkmlpt_api(self, rest: str, query: Mapping[str, list[str]]) -> Page:
        """/gkmlpt/api/all/<category>?page=N: 10 articles a page; past the end, none."""
        if not rest.isdigit():
            return self.not_found
        category = self.gkmlpt.get(int(rest))
        number = query.get("page", ["1"])[0]
        page = max(1, int(number)) if number.isdigit() else 1
        size = GKMLPT_PAGE_SIZE
        articles = category.articles if category else ()
        data = {
            "articles": list(articles[(page - 1) * size : page * size]),
            "total": len(articles),
            "page": page,
            "classify": {"id": int(rest), "name": category.name} if category else None,
        }
        return Page(json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON_TYPE)


def _weibo_login_required() -> Page:
    text = json.dumps({"ok": -100, "msg": "请先登录"}, ensure_ascii=False)
    return Page(text.encode("utf-8"), JSON_TYPE, status=403)
