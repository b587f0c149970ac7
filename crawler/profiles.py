"""Site profiles for the CMSs most county portals run on (pure: text in, entries out).

- ``trs`` — TRS WCM: ``index.html``, ``index_1.html``…; the pager is written by
  ``createPageHTML(total, current, "index", "html")``, so static HTML may have no 下一页 link.
- ``hanweb`` — 大汉 Hanweb: ``col/colNNN/index.html`` embeds the first records as
  ``<datastore><recordset><record><![CDATA[…]]></record>``; later ones come from
  ``/module/web/jpage/dataproxy.jsp`` (startrecord/endrecord/perpage). ``index_1.html`` does
  not exist there.
- ``gkmlpt`` — the Guangdong 政府信息公开目录 platform: ``/gkmlpt/index#CATEGORY`` is a JS
  app; its list is ``/gkmlpt/api/all/CATEGORY?page=N`` with ``articles[].create_time`` epochs.
- ``generic`` — the generic list detector and 下一页 links.

``detect_profile`` picks one from the URL and the first page when the config says ``auto``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler import extract
from govwatch.timeutil import CHINA

PROFILES = ("generic", "trs", "hanweb", "gkmlpt")

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']"
)
_HANWEB_COL = re.compile(r"/col/col(\d+)/")
_GKMLPT = re.compile(r"/gkmlpt/")
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
HANWEB_PER_PAGE = 15
HANWEB_PAGES_PER_CALL = 3  # what Hanweb's own jpage script asks for: 45 records a call


@dataclass(frozen=True)
class NextPage:
    """The next request a profile wants: URL, method and form data."""

    url: str
    method: str = "GET"
    formdata: dict[str, str] | None = None
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfilePage:
    entries: list[extract.ListEntry]
    next: NextPage | None = None


def detect_profile(url: str, html: str | None) -> str:
    """The profile a column most likely runs on."""
    if _GKMLPT.search(urlsplit(url).path):
        return "gkmlpt"
    if html is not None:
        head = html[:400000]
        if "<datastore>" in head or "dataproxy.jsp" in head:
            return "hanweb"
        if _CREATE_PAGE.search(head):
            return "trs"
    if _HANWEB_COL.search(url):
        return "hanweb"
    return "generic"


# --------------------------------------------------------------------------- TRS


def trs_next_page(html: str, url: str) -> str | None:
    """Next page from the ``createPageHTML(total, current, prefix, suffix)`` call."""
    match = _CREATE_PAGE.search(html)
    if not match:
        return None
    total, current = int(match.group(1)), int(match.group(2))
    prefix, suffix = match.group(3), match.group(4)
    if current + 1 >= total:
        return None
    return urljoin(url, f"{prefix}_{current + 1}.{suffix}")


# --------------------------------------------------------------------------- Hanweb


def _records_to_entries(records: list[str], base_url: str, reference: date,
                        selectors: extract.ListSelectors | None) -> list[extract.ListEntry]:
    if not records:
        return []
    html = "<html><body><ul class='list'>" + "".join(records) + "</ul></body></html>"
    return extract.extract_list(html, base_url, reference, selectors)


def hanweb_first_page(html: str, url: str, reference: date, window_start: date,
                      max_records: int,
                      selectors: extract.ListSelectors | None = None) -> ProfilePage:
    """Entries embedded in a Hanweb column page, and the dataproxy call for the rest.

    Operator selectors apply to the records (the list lives inside a script block, where
    selectors on the page itself would find nothing)."""
    records = _RECORD.findall(html)
    entries = _records_to_entries(records, url, reference, selectors)
    if not records:  # not the datastore layout after all: read it as a plain list
        return ProfilePage(extract.extract_list(html, url, reference, selectors))
    params = _hanweb_params(html, url)
    start = len(records) + 1
    if not more_wanted(entries, window_start) or start > max_records:
        return ProfilePage(entries)
    return ProfilePage(entries, _hanweb_call(url, params, start, max_records, selectors))


def _hanweb_params(html: str, url: str) -> dict[str, str]:
    """Form fields dataproxy.jsp needs, read from the page's nextgroup link."""
    params: dict[str, str] = {"col": "1", "appid": "1", "webid": "1", "path": "/",
                              "sourceContentType": "1", "permissiontype": "0"}
    match = _NEXTGROUP.search(html)
    if match:
        href = re.search(r"href=[\"']([^\"']+)", match.group(1))
        if href:
            params.update(parse_qsl(urlsplit(href.group(1).replace("&amp;", "&")).query))
    column = _HANWEB_COL.search(url)
    if column:
        params.setdefault("columnid", column.group(1))
    params.pop("page", None)
    return params


def _hanweb_call(url: str, params: dict[str, str], start: int, max_records: int,
                 selectors: extract.ListSelectors | None) -> NextPage:
    """The dataproxy.jsp POST for records ``start``… (max_records: the cap, or the total)."""
    end = min(start + HANWEB_PER_PAGE * HANWEB_PAGES_PER_CALL - 1, max_records)
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": HANWEB_PER_PAGE})
    return NextPage(urljoin(url, f"/module/web/jpage/dataproxy.jsp?{query}"), "POST", params,
                    {"params": params, "end": end, "column_url": url, "selectors": selectors})


def hanweb_proxy_page(xml: str, call: NextPage, reference: date, window_start: date,
                      max_records: int) -> ProfilePage:
    """Entries from a dataproxy.jsp answer, and the next call while more are wanted."""
    entries = _records_to_entries(_RECORD.findall(xml), call.state["column_url"], reference,
                                  call.state.get("selectors"))
    total_match = _TOTAL_RECORD.search(xml)
    total = int(total_match.group(1)) if total_match else 0
    end = int(call.state["end"])
    if end >= min(total, max_records) or not entries or not more_wanted(entries, window_start):
        return ProfilePage(entries)
    return ProfilePage(entries, _hanweb_call(call.state["column_url"], call.state["params"],
                                             end + 1, min(total, max_records),
                                             call.state.get("selectors")))


# --------------------------------------------------------------------------- gkmlpt


def gkmlpt_api_url(url: str, page: int = 1) -> str | None:
    """``…/gkmlpt/index#5061`` (or an API URL) → ``…/gkmlpt/api/all/5061?page=N``."""
    parts = urlsplit(url)
    category = parts.fragment or ""
    api = re.search(r"/gkmlpt/api/all/(\d+)", parts.path)
    if api:
        category = api.group(1)
    if not category.isdigit():
        return None
    return f"{parts.scheme}://{parts.netloc}/gkmlpt/api/all/{category}?page={page}"


def gkmlpt_page(body: str, api_url: str, page: int, window_start: date,
                max_pages: int) -> ProfilePage:
    """Entries of one gkmlpt API page and the next page while more are wanted."""
    data = json.loads(body)
    entries = []
    for article in data.get("articles") or []:
        title = str(article.get("title") or "").strip()
        link = article.get("url")
        if not title or not link:
            continue
        stamp = article.get("create_time") or article.get("first_publish_time")
        published = None
        if isinstance(stamp, int | float) and stamp > 0:
            published = datetime.fromtimestamp(stamp, CHINA).date()
        entries.append(extract.ListEntry(urljoin(api_url, str(link)), title, published,
                                         extract.DATE_ROW if published else None))
    if not entries or page >= max_pages or not more_wanted(entries, window_start):
        return ProfilePage(entries)
    next_url = re.sub(r"page=\d+", f"page={page + 1}", api_url)
    return ProfilePage(entries, NextPage(next_url, state={"page": page + 1}))


def more_wanted(entries: list[extract.ListEntry], window_start: date) -> bool:
    """Keep paging while the oldest dated entry is still inside the monitors' window."""
    dates = [e.published_on for e in entries if e.published_on is not None]
    return bool(dates) and min(dates) >= window_start
