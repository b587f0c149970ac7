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
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import lxml.html
from lxml import etree

from crawler import extract
from crawler.extract.parsing import _parse, _visible_text
from govwatch.timeutil import CHINA

POST_TEXT_LIMIT = 2000  # characters of a post's own text kept


@dataclass(frozen=True)
class Post:
    url: str
    title: str
    published_at: datetime | None  # aware, Asia/Shanghai
    # the post's own text (HTML stripped, whitespace collapsed, bounded), for matching posts
    # against the interpretations they carry; "" when the platform's list gives none
    text: str = ""


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


def _post_text(markup: str) -> str:
    """A post's text from the HTML (or plain text) a platform gives: tags, scripts and styles
    stripped, entities decoded, whitespace collapsed, at most ``POST_TEXT_LIMIT`` characters."""
    if not markup:
        return ""
    doc = _parse(markup) if "<" in markup else None
    # block ends (<p>, <br>, cells) become spaces; every text node is kept, as feedparser's
    # sanitiser keeps it, so both readings of a feed agree
    plain = html.unescape(markup) if doc is None else _visible_text(doc)
    return " ".join(plain.split())[:POST_TEXT_LIMIT]


# --------------------------------------------------------------------------- RSS / Atom


def parse_feed(body: bytes, url: str, now: datetime) -> AccountPage:
    """Posts of an RSS/Atom feed: plain RSS 2.0 read directly, anything else by feedparser."""
    posts = _plain_rss_posts(body, url)
    if posts is not None:
        return AccountPage(posts)
    return _feedparser_posts(body, url)


def _feedparser_posts(body: bytes, url: str) -> AccountPage:
    """feedparser's reading: every feed dialect, encoding and date form it knows."""
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
        posts.append(Post(urljoin(url, link), _title(entry.get("title", "")), when,
                          _post_text(_entry_markup(entry))))
    return AccountPage(posts)


def _entry_markup(entry: Any) -> str:
    """An entry's fullest text: its content (Atom content, RSS content:encoded), else its
    summary (RSS description, Atom summary)."""
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if value:
            return str(value)
    return str(entry.get("summary") or "")


# feedparser costs ~5 ms a feed (a SAX parse, then sanitising every element); most
# feeds are plain UTF-8 RSS 2.0 that lxml reads in a tenth of that. The fast reading below
# takes only what it reads exactly as feedparser would and answers None for anything else
# (other dialects, encodings, namespaced or unknown item fields, markup or entities in
# titles, form fields in descriptions, unusual dates), which then goes to feedparser.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_PLAIN_ITEM_FIELDS = {"title", "link", "guid", "pubDate", "description", "category",
                      "author", "comments"}
# Markup whose text feedparser's sanitiser keeps where ours drops it (form fields, noscript):
# such a description is left to feedparser.
_UNSAFE_DESCRIPTION_RE = re.compile(r"<\s*(?:textarea|select|noscript|template)\b", re.I)
_RFC822_RE = re.compile(
    r"(?:[A-Z][a-z]{2},\s*)?(\d{1,2})\s+([A-Z][a-z]{2})\s+(\d{4})\s+"
    r"(\d{2}):(\d{2})(?::(\d{2}))?\s+(?:([+-])(\d{2})(\d{2})|GMT|UTC?|Z)"
)
_WHITESPACE_RE = re.compile(r"\s")  # any character ``str.isspace`` calls whitespace
_MONTHS = {name: i for i, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def _plain_rss_posts(body: bytes, url: str) -> list[Post] | None:
    """The posts of a plain UTF-8 RSS 2.0 feed, or None when feedparser should read it."""
    if b"xml:base" in body:  # feedparser resolves links against it
        return None
    try:
        root = etree.fromstring(body, _SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return None
    info = root.getroottree().docinfo
    if root.tag != "rss" or info.doctype or (info.encoding or "").lower() not in ("utf-8", "utf8"):
        return None
    channel = root.find("channel")
    if channel is None or root.find("item") is not None:
        return None
    posts = []
    for item in channel.iterfind("item"):
        post = _plain_rss_post(item, url)
        if post is None:
            return None
        posts.append(post)
    return posts


def _plain_rss_post(item: etree._Element, url: str) -> Post | None:
    """One <item> as a Post, or None when it holds anything the fast reading does not."""
    fields: dict[str, str] = {}
    for child in item:
        if isinstance(child, etree._Comment):
            continue
        if child.tag not in _PLAIN_ITEM_FIELDS or child.tag in fields or len(child):
            return None  # unknown or namespaced, repeated, or with markup inside
        fields[child.tag] = (child.text or "").strip()
    title, link = fields.get("title", ""), fields.get("link", "")
    if not link or _WHITESPACE_RE.search(link) or "<" in title or "&" in title:
        return None
    description = fields.get("description", "")
    if _UNSAFE_DESCRIPTION_RE.search(description):
        return None
    when = None
    if "pubDate" in fields:
        when = _rfc822_time(fields["pubDate"])
        if when is None:
            return None
    return Post(urljoin(url, link), _title(title), when, _post_text(description))


def _rfc822_time(text: str) -> datetime | None:
    """An RSS pubDate in its usual form (``Tue, 07 Sep 2021 23:30:00 +0800``), China time."""
    match = _RFC822_RE.fullmatch(text)
    if not match or match.group(2) not in _MONTHS:
        return None
    day, month_name, year, hour, minute, second, sign, off_h, off_m = match.groups()
    offset = timedelta(0)
    if sign:
        if int(off_h) > 14 or int(off_m) > 59:
            return None
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (1 if sign == "+" else -1)
    try:
        moment = datetime(int(year), _MONTHS[month_name], int(day), int(hour), int(minute),
                          int(second or 0), tzinfo=timezone(offset))
    except ValueError:  # no such day or time: feedparser decides
        return None
    return moment.astimezone(CHINA)


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


# The "...全文" link ending a long post's preview: the page's, not the post's words.
_WEIBO_MORE_RE = re.compile(r"<a\b[^>]*>\s*全文\s*</a>\s*$")


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
    content = _weibo_part(data.get("data"), dict, "data")
    posts = []
    for i, card in enumerate(_weibo_part(content.get("cards"), list, "data.cards")):
        card = _weibo_part(card, dict, f"data.cards[{i}]")
        if not card.get("mblog"):
            continue  # a card of another kind (a header, a user list)
        mblog = _weibo_part(card["mblog"], dict, f"data.cards[{i}].mblog")
        mid = str(mblog.get("mid") or mblog.get("id") or "")
        link = card.get("scheme") or f"https://m.weibo.cn/status/{mid}"
        # a post has no title: its first line stands for one
        markup = str(mblog.get("text", ""))
        first_line = re.split(r"<br\s*/?>|\n", markup, maxsplit=1)[0]
        posts.append(Post(urljoin(url, str(link)), _title(first_line),
                          weibo_time(str(mblog.get("created_at", "")), now),
                          _post_text(_WEIBO_MORE_RE.sub("", markup))))
    info = _weibo_part(content.get("cardlistInfo") or {}, dict, "data.cardlistInfo")
    next_page = info.get("page")
    if next_page is not None and not str(next_page).isdigit():
        raise AdapterError(f"Weibo API answered an unexpected shape: "
                           f"data.cardlistInfo.page is {next_page!r:.50}")
    next_url = _with_page(url, int(next_page)) if next_page and posts else None
    return AccountPage(posts, next_url)


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number",
               float: "a number", bool: "true/false", type(None): "null"}


def _weibo_part(value: object, kind: type, where: str) -> Any:
    """``value`` when it is a ``kind``; else the API answered another shape (AdapterError,
    so the account fails as parse_error instead of seeming to have posted nothing)."""
    if not isinstance(value, kind):
        raise AdapterError(f"Weibo API answered an unexpected shape: {where} is "
                           f"{_JSON_TYPES.get(type(value), 'something else')}, "
                           f"not {_JSON_TYPES[kind]}")
    return value


# --------------------------------------------------------------------------- WeChat


def parse_wechat_list(body: bytes, url: str, now: datetime) -> AccountPage:
    """A WeChat-style article list: ``weui_media_box`` blocks with ``hrefs`` titles."""
    try:
        doc = lxml.html.fromstring(extract.decode_html(body))
    except (ValueError, lxml.etree.ParserError):
        raise AdapterError("返回的不是网页") from None
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
        digest = " ".join(_visible_text(el) for el in
                          box.xpath(".//*[contains(@class, 'weui_media_desc')]"))
        if link:
            posts.append(Post(urljoin(url, link.strip()), _title(title_el.text_content()),
                              when.replace(tzinfo=CHINA) if when else None,
                              " ".join(digest.split())[:POST_TEXT_LIMIT]))
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
