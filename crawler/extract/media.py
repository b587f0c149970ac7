"""What an article page carries (解读形式 evidence): content images, text, videos, audio, H5.

An interpretation may be text, 图解 (一图读懂: one or a few long images and little text), a
video, an audio reading, or an H5 / 动漫 page. ``article_media`` counts each in the article's
main body: the region ``article_text`` reads the text from, never the site's banner, menus,
logos, share buttons or QR codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crawler.extract.article_text import _BODY_HINT_RANK, _SIDE_TOKENS, _body_container
from crawler.extract.articles import _main_text
from crawler.extract.lists import _CHROME_TAGS, _CHROME_TOKENS, _tokens
from crawler.extract.parsing import _page_base, _parse, _resolve, _visible_text
from crawler.extract.text import _nonspace, _norm_space


@dataclass(frozen=True)
class ArticleMedia:
    """What the article's main body holds: counts of each form, and its text's size."""

    images: int  # content images (no logos, icons, share buttons, QR codes, spacers)
    text_chars: int  # characters of the body's text, whitespace removed
    videos: int
    audios: int
    h5: int  # H5 / 动漫 / interactive pages, Flash animations

    def as_dict(self) -> dict[str, int]:
        """The counts by name (for storage as JSON)."""
        return {"images": self.images, "text_chars": self.text_chars, "videos": self.videos,
                "audios": self.audios, "h5": self.h5}


_NOTHING = ArticleMedia(0, 0, 0, 0, 0)

# ---------------------------------------------------------------------------
# What a URL points to
# ---------------------------------------------------------------------------

_VIDEO_EXTS = "mp4|m4v|m3u8|flv|f4v|mov|webm|wmv|avi|mkv|rmvb|asf|mpg|mpeg|3gp"
_AUDIO_EXTS = "mp3|m4a|wav|aac|ogg|oga|wma|amr|flac"
# A media file's URL inside a longer value: a flashvars string ("file=/v/a.flv&auto=0"), a
# player script's options ({video: '/v/a.mp4'}); the extension ends the URL or its path.
_FILE_URL_RE = re.compile(
    rf"(?P<url>[^\s\"'<>()\\,;=&|*{{}}\[\]]*\.(?P<ext>{_VIDEO_EXTS}|{_AUDIO_EXTS}|swf))"
    r"(?![\w])(?!\.\w)",
    re.I,
)
_VIDEO_EXT_SET = set(_VIDEO_EXTS.split("|"))
_AUDIO_EXT_SET = set(_AUDIO_EXTS.split("|"))
# Video sites and players (Tencent, Youku, Bilibili, Xigua, iQiyi, CCTV, WeChat channels,
# TRS MAS media server `/mas/openapi/pages.do?method=exPlay`, its `/masvod/` files).
_VIDEO_HOST_RE = re.compile(
    r"v\.qq\.com|video\.qq\.com|player\.youku\.com|v\.youku\.com|bilibili\.com/(?:player|video)"
    r"|player\.bilibili\.com|b23\.tv|ixigua\.com|iqiyi\.com|douyin\.com/video"
    r"|channels\.weixin\.qq\.com|tv\.cctv\.com|v\.cctv\.com|//vod\.|/masvod/|method=explay"
    r"|ckplayer|video\.js|videojs|video_player",
    re.I,
)
_AUDIO_HOST_RE = re.compile(
    r"music\.163\.com|ximalaya\.com|qingting\.fm|lizhi\.fm|y\.qq\.com|kuwo\.cn|kugou\.com", re.I
)
# H5 makers (易企秀, MAKA, 兔展, iH5, 木疙瘩, Epub360, 秀米 H5) and H5 paths or hosts.
_H5_RE = re.compile(
    r"eqxiu\.(?:com|cn)|maka\.im|rabbitpre\.com|ih5\.cn|mugeda\.com|epub360\.com"
    r"|h5\.xiumi\.us|//h5\.|/h5/",
    re.I,
)
# A frame's path naming a player ("/video/play.html?id=…", "/vod/…", "/player/…").
_PLAYER_PATH_RE = re.compile(r"(?:^|[/._\-=?&])(?:video|videos|player|vod|shipin)(?:[/._\-=?&]|$)",
                             re.I)
# Player scripts: ckplayer, video.js, JW, Aliyun, DPlayer, Tencent, Flowplayer, and the video
# players of the TRS / Hanweb (大汉 jcms) CMSs.
_PLAYER_SCRIPT_RE = re.compile(
    r"ckplayer|ckobject|video\.js|videojs|jwplayer|aliplayer|prismplayer|dplayer|tcplayer"
    r"|flowplayer|(?:hanweb|jcms|trs|wcm|mas)[\w./-]{0,40}?(?:video|player|vod)",
    re.I,
)
# A Flash movie that is a video player rather than an animation.
_FLASH_PLAYER_RE = re.compile(r"player|vcastr|flvplayer|ckplayer|video", re.I)
# Class or id words of an empty element a player script fills.
_PLAYER_BOX_TOKENS = {"video", "player", "ckplayer", "jwplayer", "aliplayer", "dplayer",
                      "tcplayer", "videojs", "prism"}
_PLURAL = {"video": "videos", "audio": "audios"}


def _file_kinds(value: str) -> Iterator[tuple[str, str]]:
    """(kind, URL) of each media file named in value: "video", "audio" or "swf"."""
    for match in _FILE_URL_RE.finditer(value):
        ext = match["ext"].lower()
        kind = "video" if ext in _VIDEO_EXT_SET else "audio" if ext in _AUDIO_EXT_SET else "swf"
        yield kind, match["url"]


def _link_kind(value: str, *, frame: bool) -> tuple[str, str] | None:
    """What a link or a frame's address leads to ("videos", "audios" or "h5"), and the
    address that names it (the media file inside a ``javascript:play('/v/a.mp4')`` link).

    ``frame``: an iframe or embed, whose path may name a player (a link's path naming a
    video column is a menu, not a video).
    """
    named = next(_file_kinds(value), None)
    if named is not None:
        kind, url = named
        return ("h5" if kind == "swf" else _PLURAL[kind]), url
    if _VIDEO_HOST_RE.search(value):
        return "videos", value
    if _AUDIO_HOST_RE.search(value):
        return "audios", value
    if _H5_RE.search(value):
        return "h5", value
    if frame and _PLAYER_PATH_RE.search(_path(value)):
        return "videos", value
    return None


def _path(url: str) -> str:
    """A URL's path and query (what names a file), "" when it cannot be split."""
    try:
        parts = urlsplit(url)
    except ValueError:  # malformed IPv6 hosts and the like
        return ""
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# ---------------------------------------------------------------------------
# Content images
# ---------------------------------------------------------------------------

# Where lazy-loading scripts keep the real address; `src` then holds a placeholder.
_IMAGE_ATTRS = ("data-src", "data-original", "_src", "data-lazy-src", "data-lazy", "data-echo",
                "data-actualsrc", "lazy-src", "original", "src")
_SMALL_PX = 50
_TINY_DATA_URI = 1024  # characters: a 1×1 GIF or an icon inlined as a data: URI
# Page furniture named in an image's address, class or id, or in its enclosing block's class
# or id: as part of a word, then as a whole word (an image's own names only: "bg" or "line"
# name a layout block as often as a background).
_FURNITURE_RE = re.compile(
    r"logo|icon|qrcode|qr_code|erweima|二维码|spacer|pixel|arrow|button|share|cnzz|tongji"
    r"|扫码|扫一扫|图标|返回顶部",
    re.I,
)
_FURNITURE_WORDS = {"ico", "ewm", "btn", "qr"}
_IMAGE_FURNITURE_WORDS = _FURNITURE_WORDS | {"blank", "bg", "line", "dot", "stat", "counter",
                                             "print", "close"}
# Alt text often repeats the article's title (一图读懂…二维码…): only a short one names furniture.
_SHORT_ALT = 15
_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_STYLE_SIZE_RE = re.compile(r"(?<![\w-])(?:width|height)\s*:\s*(\d+(?:\.\d+)?)\s*px", re.I)
_ATTR_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", re.I)


def _furniture(*values: str | None, words: set[str] = _FURNITURE_WORDS) -> bool:
    """Whether any value names page furniture (a logo, an icon, a QR code, a button …)."""
    for value in values:
        if not value:
            continue
        if _FURNITURE_RE.search(value):
            return True
        if {w.lower() for w in _WORD_RE.findall(value)} & words:
            return True
    return False


def _small(img: etree._Element) -> bool:
    """Whether the width or height the markup gives is at most 50px (icons, spacers)."""
    for name in ("width", "height"):
        size = _ATTR_SIZE_RE.match(img.get(name) or "")
        if size and float(size.group(1)) <= _SMALL_PX:
            return True
    return any(float(px) <= _SMALL_PX for px in _STYLE_SIZE_RE.findall(img.get("style") or ""))


def _image_address(img: etree._Element) -> str | None:
    """The image's real address (a lazy-loading attribute first), None when it has none or
    only a tiny inlined one."""
    for name in _IMAGE_ATTRS:
        value = (img.get(name) or "").strip()
        if not value:
            continue
        if value.lower().startswith("data:"):
            if len(value) >= _TINY_DATA_URI:
                return value
            continue  # a lazy-loading placeholder: the real address may be elsewhere
        return value
    return None


def _content_image(img: etree._Element, region: etree._Element, base: str) -> str | None:
    """The address an <img> of the region shows, when it is plausibly content; else None."""
    address = _image_address(img)
    if address is None or _small(img):
        return None
    inlined = address.lower().startswith("data:")
    path = "" if inlined else _path(address)
    if path.lower().endswith((".ico", ".cur")):
        return None
    if _furniture(path, img.get("class"), img.get("id"), words=_IMAGE_FURNITURE_WORDS):
        return None
    if _furniture(*(text for text in (img.get("alt"), img.get("title"))
                    if text and len(text.strip()) <= _SHORT_ALT)):
        return None
    for el in img.iterancestors():
        if el is region:
            break
        href = _path(el.get("href") or "") if el.tag == "a" else ""
        if _furniture(el.get("class"), el.get("id"), href):
            return None
    return address if inlined else (_resolve(address, base) or address)


# ---------------------------------------------------------------------------
# The article's main body
# ---------------------------------------------------------------------------

_MEDIA_TAGS = ("img", "video", "audio", "iframe", "embed", "object", "source")
_NOT_CONTENT_TAGS = {"noscript", "template", "textarea", "select", "style", "head", "title"}
_NOT_CONTENT_TOKENS = _CHROME_TOKENS | {"share", "bdshare", "jiathis", "qrcode", "ewm",
                                        "erweima", "toolbar"}
# Blocks left out when no body block is found: the site's chrome and side lists (but not
# layout columns named left/right/list/news, one of which holds the article).
_PAGE_CHROME_TOKENS = _CHROME_TOKENS | (_SIDE_TOKENS - {"left", "right", "list", "news", "tab",
                                                        "tabs"})


def _names(el: etree._Element) -> frozenset[str]:
    return _tokens(el.get("class")) | _tokens(el.get("id"))


def _holds_media(el: etree._Element, base: str) -> bool:
    """Whether a block holds a player, a frame, or a content image (not only a logo)."""
    return any(found.tag != "img" or _content_image(found, el, base) is not None
               for found in el.iter(*_MEDIA_TAGS))


def _media_container(doc: lxml.html.HtmlElement, base: str) -> etree._Element | None:
    """A body block by the CMS names ``article_text`` knows that holds media but too little
    text for it (a 一图读懂 page, a video page): the best-ranked such block."""
    best: tuple[int, etree._Element] | None = None
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag.lower() in _CHROME_TAGS:
            continue
        names = {v.lower() for v in (el.get("id") or "", *(el.get("class") or "").split()) if v}
        ranks = [_BODY_HINT_RANK[n] for n in names if n in _BODY_HINT_RANK]
        if ranks and (best is None or min(ranks) < best[0]) and _holds_media(el, base):
            best = (min(ranks), el)
    return best[1] if best else None


@dataclass(frozen=True)
class _Region:
    """The article's main body, its text, the blocks left out of it, and the blocks never
    left out (the body block and what encloses it, whatever their names)."""

    root: etree._Element
    text: str
    skip: set[etree._Element]
    keep: set[etree._Element]


def _region(doc: lxml.html.HtmlElement, base: str) -> _Region:
    """The article's main body: the body block and its enclosing article block as
    ``article_text`` chooses them, so the counts and the text a rule reads describe the same
    part of the page."""
    container = _body_container(doc)
    if container is None:
        container = _media_container(doc, base)
        if container is None:  # as article_text: the page without its chrome
            head = doc.find("head")
            chrome = {head} if head is not None else set()
            chrome.update(el for el in doc.iter() if isinstance(el.tag, str) and el is not doc and (
                el.tag.lower() in _CHROME_TAGS or _names(el) & _PAGE_CHROME_TOKENS))
            return _Region(doc, _main_text(doc), chrome, set())
    text = _visible_text(container)
    root: etree._Element = container
    parent = container.getparent()
    if parent is not None and parent.tag not in ("body", "html"):
        around = _visible_text(parent)
        if len(_norm_space(around)) <= len(_norm_space(text)) + 600:
            root, text = parent, around
    return _Region(root, text, set(), {container, *container.iterancestors()})


def _walk(region: _Region) -> Iterator[etree._Element]:
    """The region's elements in document order, without the blocks left out, the site's
    chrome and share bars nested in it, and hidden markup (noscript copies, templates)."""
    stack = [region.root]
    while stack:
        el = stack.pop()
        yield el
        for child in reversed(el):
            if not isinstance(child.tag, str) or child in region.skip:
                continue
            tag = child.tag.lower()
            if child not in region.keep and (
                    tag in _NOT_CONTENT_TAGS or tag in _CHROME_TAGS
                    or _names(child) & _NOT_CONTENT_TOKENS):
                continue
            stack.append(child)


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------


@dataclass
class _Tally:
    """Media found so far; one video named by a <video>, its <source> and a download link
    is counted once."""

    base: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("images", "videos", "audios", "h5"), 0))
    seen: set[str] = field(default_factory=set)
    player_hint: bool = False  # a player with no file named: a video unless one is found

    def add(self, kind: str, urls: list[str], el: etree._Element) -> None:
        keys = [_resolve(u, self.base) or u for u in urls if u] or [f"#element-{id(el)}"]
        counted = any(key in self.seen for key in keys)
        self.seen.update(keys)
        if not counted:
            self.counts[kind] += 1


def _values(el: etree._Element) -> list[str]:
    """The addresses an <object> or <embed> names: its own, its params', its inner embed's."""
    values = [el.get(name) or "" for name in ("data", "src", "flashvars", "movie", "url")]
    for inner in el.iterdescendants("param", "embed"):
        values += [inner.get("value") or "", inner.get("src") or "", inner.get("flashvars") or ""]
    return [v.strip() for v in values if v and v.strip()]


def _flash_or_plugin(el: etree._Element, tally: _Tally) -> None:
    """An <object> or <embed>: a video or audio file it plays, a video site or H5 page it
    shows, a Flash video player, or a Flash animation (动漫, counted with H5)."""
    values = _values(el)
    files: dict[str, list[str]] = {"video": [], "audio": [], "swf": []}
    for value in values:
        for kind, url in _file_kinds(value):
            files[kind].append(url)
    if files["video"]:
        tally.add("videos", files["video"], el)
    elif files["audio"]:
        tally.add("audios", files["audio"], el)
    elif any(_VIDEO_HOST_RE.search(v) for v in values):
        tally.add("videos", values, el)
    elif any(_AUDIO_HOST_RE.search(v) for v in values):
        tally.add("audios", values, el)
    elif files["swf"]:
        kind = "videos" if any(_FLASH_PLAYER_RE.search(u) for u in files["swf"]) else "h5"
        tally.add(kind, files["swf"], el)
    elif any(_H5_RE.search(v) for v in values):
        tally.add("h5", values, el)
    elif (el.get("type") or "").lower().startswith(("video/", "audio/")):
        tally.add("videos" if el.get("type", "").lower().startswith("video") else "audios",
                  values, el)


def _player(el: etree._Element, kind: str, tally: _Tally) -> None:
    """A <video> or <audio>: one item, whatever number of <source> formats it offers."""
    urls = [el.get("src") or ""] + [s.get("src") or "" for s in el.iterdescendants("source")]
    urls = [u.strip() for u in urls if u.strip()]
    # a blob: address is the page's own stream, not a file: the element itself is the key
    tally.add(kind, [u for u in urls if not u.startswith("blob:")], el)


def _link(address: str, el: etree._Element, tally: _Tally, *, frame: bool) -> None:
    """A link, a frame or a lone <source>: counted by what its address leads to."""
    found = _link_kind(address, frame=frame) if address else None
    if found:
        tally.add(found[0], [found[1]], el)


def _script(el: etree._Element, tally: _Tally) -> None:
    """A script inside the body: the files a player script names, or a player alone."""
    source = el.get("src") or ""
    text = el.text or ""
    named = False
    for kind, url in _file_kinds(text):
        if kind != "swf":  # the player's own movie, not what it plays
            tally.add(_PLURAL[kind], [url], el)
            named = True
    if not named and (_PLAYER_SCRIPT_RE.search(source) or _PLAYER_SCRIPT_RE.search(text)):
        tally.player_hint = True


def _count(region: _Region, tally: _Tally) -> None:
    """Tally every content image, video, audio and H5 page of the region."""
    inside_players: set[etree._Element] = set()  # <source>, <param>, inner <embed>: counted
    for el in _walk(region):
        if el in inside_players:
            continue
        tag = el.tag.lower()
        if tag == "img":
            address = _content_image(el, region.root, tally.base)
            if address is not None and address not in tally.seen:
                tally.seen.add(address)
                tally.counts["images"] += 1
        elif tag in ("video", "audio"):
            _player(el, "videos" if tag == "video" else "audios", tally)
            inside_players.update(el.iterdescendants())
        elif tag in ("object", "embed"):
            _flash_or_plugin(el, tally)
            inside_players.update(el.iterdescendants())
        elif tag == "source":  # outside a <video> or <audio>
            kind = (el.get("type") or "").lower()
            address = (el.get("src") or "").strip()
            if kind.startswith(("video/", "audio/")):
                tally.add("videos" if kind.startswith("video") else "audios", [address], el)
            else:
                _link(address, el, tally, frame=False)
        elif tag in ("iframe", "frame"):
            _link((el.get("src") or el.get("data-src") or "").strip(), el, tally, frame=True)
        elif tag in ("a", "area"):
            _link((el.get("href") or "").strip(), el, tally, frame=False)
        elif tag == "script":
            _script(el, tally)
        else:
            _other(el, tally)


def _other(el: etree._Element, tally: _Tally) -> None:
    """Any other element: a media file in a data attribute (``<div data-video="a.mp4">``,
    filled by a script), or an empty box a player script fills."""
    for name, value in el.attrib.items():
        if name in ("class", "id", "style", "title", "alt") or not value:
            continue
        for kind, url in _file_kinds(value):
            if kind != "swf":
                tally.add(_PLURAL[kind], [url], el)
    # "video-js" and "prism-player" split into words: video, prism
    if _names(el) & _PLAYER_BOX_TOKENS and not (el.text or "").strip() and len(el) == 0:
        tally.player_hint = True


def article_media(html: str | bytes, url: str) -> ArticleMedia:
    """Content images, text size, videos, audio and H5 pages of an article page's main body.

    The body is the block ``article_text`` reads (with its enclosing article block); a page
    where no block holds enough text is read by the CMS block that holds its media, else as
    a whole without the site's chrome and side lists. Zeros for empty or unparsable input.
    """
    doc = _parse(html)
    if doc is None:
        return _NOTHING
    base = _page_base(doc, url)
    region = _region(doc, base)
    tally = _Tally(base)
    _count(region, tally)
    counts = tally.counts
    videos = counts["videos"] or int(tally.player_hint)
    return ArticleMedia(counts["images"], _nonspace(region.text), videos, counts["audios"],
                        counts["h5"])
