"""New-media account adapters (政务新媒体), one per platform, behind one interface.

Each adapter is a pure function ``(body, url, now) -> AccountPage``: the posts on that page with
their publish time in China time, and the next page to fetch, if any.

- ``rss``: RSS 2.0 / Atom (also the route for RSSHub and WeWe RSS bridges to Weibo, WeChat
  official accounts, Douyin, Toutiao, Bilibili…) — the preferred way to follow an account.
- ``weibo``: the m.weibo.cn container API (``/api/container/getIndex?containerid=107603…``).
- ``wechat``: a WeChat-style article list page (``weui_media_box appmsg`` blocks).
- ``html``: any other list page, through the generic list detector.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import lxml.html

from crawler import extract
from govwatch.timeutil import CHINA


@dataclass(frozen=True)
class Post:
    url: str
    title: str
    published_at: datetime | None  # aware, Asia/Shanghai


@dataclass(frozen=True)
class AccountPage:
    posts: list[Post]
    next_url: str | None = None


class AdapterError(ValueError):
    """The body is not what this platform serves (changed or closed endpoint)."""


def _title(text: str, limit: int = 80) -> str:
    plain = re.sub(r"<[^>]+>", "", text or "")
    plain = re.sub(r"\s+", " ", plain).strip()
    return plain[:limit] or "（无标题）"


# --------------------------------------------------------------------------- RSS / Atom


def parse_feed(body: bytes, url: str, now: datetime) -> AccountPage:
    feed = feedparser.parse(body)
    if feed.bozo and not feed.entries:
        raise AdapterError(f"not an RSS/Atom feed: {feed.get('bozo_exception')}")
    posts = []
    for entry in feed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        when = None
        if stamp:
            when = datetime.fromtimestamp(calendar.timegm(stamp), CHINA)
        link = entry.get("link") or entry.get("id") or ""
        if not link:
            continue
        posts.append(Post(urljoin(url, link), _title(entry.get("title", "")), when))
    return AccountPage(posts)


# --------------------------------------------------------------------------- Weibo

_WEIBO_ABSOLUTE = "%a %b %d %H:%M:%S %z %Y"


def weibo_time(text: str, now: datetime) -> datetime | None:
    """m.weibo.cn ``created_at``: absolute (``Mon Aug 30 10:00:00 +0800 2021``) or the
    relative forms the mobile site shows (刚刚, 5分钟前, 3小时前, 今天 10:00, 昨天 10:00,
    08-30, 2021-08-30)."""
    text = (text or "").strip()
    now = now.astimezone(CHINA)
    try:
        return datetime.strptime(text, _WEIBO_ABSOLUTE).astimezone(CHINA)
    except ValueError:
        pass
    if text == "刚刚":
        return now
    relative = re.fullmatch(r"(\d+)\s*(秒|分钟|小时)前", text)
    if relative:
        unit = {"秒": "seconds", "分钟": "minutes", "小时": "hours"}[relative.group(2)]
        return now - timedelta(**{unit: int(relative.group(1))})
    day = re.fullmatch(r"(今天|昨天)\s*(\d{1,2}):(\d{2})", text)
    if day:
        base = now if day.group(1) == "今天" else now - timedelta(days=1)
        return base.replace(hour=int(day.group(2)), minute=int(day.group(3)), second=0,
                            microsecond=0)
    found = extract.find_datetime(text, now.date())
    return found.replace(tzinfo=CHINA) if found else None


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"] + [("page", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_weibo(body: bytes, url: str, now: datetime) -> AccountPage:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise AdapterError(f"Weibo API did not answer JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("ok") != 1:
        message = data.get("msg") if isinstance(data, dict) else None
        raise AdapterError(f"Weibo API refused: {message or data!r:.200}")
    content = data.get("data") or {}
    posts = []
    for card in content.get("cards") or []:
        mblog = card.get("mblog") if isinstance(card, dict) else None
        if not mblog:
            continue
        mid = str(mblog.get("mid") or mblog.get("id") or "")
        link = card.get("scheme") or f"https://m.weibo.cn/status/{mid}"
        # a post has no title: its first line stands for one
        first_line = re.split(r"<br\s*/?>|\n", str(mblog.get("text", "")), maxsplit=1)[0]
        posts.append(Post(urljoin(url, link), _title(first_line),
                          weibo_time(str(mblog.get("created_at", "")), now)))
    next_page = (content.get("cardlistInfo") or {}).get("page")
    next_url = _with_page(url, int(next_page)) if next_page and posts else None
    return AccountPage(posts, next_url)


# --------------------------------------------------------------------------- WeChat


def parse_wechat_list(body: bytes, url: str, now: datetime) -> AccountPage:
    """A WeChat-style article list: ``weui_media_box`` blocks with ``hrefs`` titles."""
    try:
        doc = lxml.html.fromstring(extract.decode_html(body))
    except (ValueError, lxml.etree.ParserError):
        raise AdapterError("not an HTML page") from None
    posts = []
    for box in doc.xpath("//*[contains(concat(' ', normalize-space(@class), ' '),"
                         " ' weui_media_box ')]"):
        title_el = next(iter(box.xpath(".//*[contains(@class, 'weui_media_title')]")), None)
        if title_el is None:
            continue
        link = title_el.get("hrefs") or title_el.get("href") or ""
        if not link:
            anchors = box.xpath(".//a[@href]")
            link = anchors[0].get("href") if anchors else ""
        info = " ".join(box.xpath(".//*[contains(@class, 'weui_media_extra_info')]//text()"))
        when = extract.find_datetime(extract.to_halfwidth(info), now.date())
        if link:
            posts.append(Post(urljoin(url, link.strip()), _title(title_el.text_content()),
                              when.replace(tzinfo=CHINA) if when else None))
    if not posts:  # not the weui layout: treat it as any list page
        return parse_html_list(body, url, now)
    return AccountPage(posts)


# --------------------------------------------------------------------------- generic HTML


def parse_html_list(body: bytes, url: str, now: datetime) -> AccountPage:
    text = extract.decode_html(body)
    entries = extract.extract_list(text, url, now.date())
    posts = [Post(e.url, e.title, datetime.combine(e.published_on, datetime.min.time(), CHINA)
                  if e.published_on else None) for e in entries]
    return AccountPage(posts, extract.find_next_page(text, url))


ADAPTERS: dict[str, Callable[[bytes, str, datetime], AccountPage]] = {
    "rss": parse_feed,
    "weibo": parse_weibo,
    "wechat": parse_wechat_list,
    "html": parse_html_list,
}
