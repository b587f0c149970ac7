"""Parsing: bytes to text (the page's charset), text to an lxml tree, links resolved, visible text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(raw: bytes) -> str:
    """Decode page bytes: UTF-8 when valid, else the declared charset, else GB18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET_RE.search(raw[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        # GB2312/GBK declarations routinely carry GB18030-only characters.
        if name in {"gb2312", "gbk", "x-gbk", "gb_2312-80"}:
            name = "gb18030"
        try:
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("gb18030", errors="replace")


_CLOSING_BODY_RE = re.compile(r"</(?:body|html)\s*>", re.I)

# lxml.html's parser, less its element class lookup: that one calls a Python method for every
# element handed out (to give form controls classes of their own, which nothing here uses);
# this one is answered inside lxml. Every element is still an ``HtmlElement``.
_HTML_PARSER = etree.HTMLParser()
_HTML_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))


def _parse(html: str | bytes | None) -> lxml.html.HtmlElement | None:
    """Parse HTML leniently; None for empty, binary or unparsable input."""
    if html is None:
        return None
    if isinstance(html, bytes | bytearray):
        html = decode_html(bytes(html))
    if not isinstance(html, str):
        return None
    # lxml refuses str input with an encoding declaration and chokes on NULs.
    text = _XML_DECL_RE.sub("", html).replace("\x00", "")
    # Templates that close </body></html> early (an included header) make libxml2 drop the
    # rest of the page; the closing tags are implied at the end anyway.
    text = _CLOSING_BODY_RE.sub("", text)
    if not text.strip() or "<" not in text:
        return None
    try:
        doc = lxml.html.document_fromstring(text, parser=_HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):
        return None
    return doc


def _page_base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    """The document's <base href> resolved against the page URL, else the page URL."""
    for base in doc.iter("base"):
        href = _clean_href(base.get("href"))
        if href:
            return urljoin(base_url, href)
    return base_url


_HREF_BREAK_RE = re.compile(r"\s*[\t\r\n]\s*")


def _clean_href(href: str | None) -> str:
    """Href trimmed, with template line breaks (and their indentation) removed.

    CMS templates often wrap long hrefs over lines; a lone inner space is kept, encoded.
    """
    if not href:
        return ""
    href = href.strip()
    if "\t" in href or "\r" in href or "\n" in href:  # rare: skip the regex otherwise
        href = _HREF_BREAK_RE.sub("", href)
    return href.replace(" ", "%20")


_BAD_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:")


@lru_cache(maxsize=8192)
def _resolve(href: str | None, base: str) -> str | None:
    """Absolute URL without fragment, or None for links that lead nowhere useful.

    Remembered: a list page's links are resolved by the list reader, the pager, the link
    check and the template fingerprint, each in turn."""
    href = _clean_href(href)
    if not href or href.startswith("#") or href.lower().startswith(_BAD_SCHEMES):
        return None
    if href.startswith(("http://", "https://", "/")) and not href.startswith("//") \
            and base.startswith(("http://", "https://")):
        # an absolute or root-relative link resolves the same against the site's root: the
        # menus and footers every page of a site repeats are joined once
        base = "/".join(base.split("/", 3)[:3])
    return _joined(base, href)


def _joined(base: str, href: str) -> str | None:
    if _PLAIN_RELATIVE.match(href):
        folder = _folder_of(base)
        path = href.removeprefix("./")
        if folder is not None and _plain_path(path.split("?", 1)[0]):
            # what urljoin gives for a plain relative path (a list's own entries, mostly), at
            # a fraction of its cost; not remembered: each is joined to its own page's folder
            return folder + path
    return _urljoined(base, href)


@lru_cache(maxsize=8192)
def _urljoined(base: str, href: str) -> str | None:
    """``urljoin`` without the fragment; remembered: the links every page of a site repeats
    (menus, footers) are joined against the site's root (``_resolve``)."""
    try:
        url = urldefrag(urljoin(base, href))[0]
    except ValueError:  # e.g. malformed IPv6 hosts
        return None
    return url or None


# A relative reference that is a path (and maybe a query): no scheme, host, fragment,
# parameters or backslashes, and a query only when not empty (urljoin drops a bare "?")
_PLAIN_RELATIVE = re.compile(r"[^:/?#;\\][^:?#;\\]*(?:\?[^#]+)?$")


def _plain_path(path: str) -> bool:
    """A path without empty, "." or ".." segments (which urljoin would rewrite); its last
    segment may be empty (a folder)."""
    framed = "/" + path  # every segment now follows a slash
    return ("//" not in framed and "/./" not in framed and "/../" not in framed
            and not framed.endswith(("/.", "/..")))


@lru_cache(maxsize=1024)
def _folder_of(base: str) -> str | None:
    """``scheme://host/folder/`` of a plain http(s) base URL, or None when urljoin would have
    more to do than append to it."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or ";" in parts.path:
        return None
    folder = parts.path[:parts.path.rfind("/") + 1] or "/"
    if not folder.startswith("/") or not _plain_path(folder[1:]):
        return None
    return f"{parts.scheme}://{parts.netloc}{folder}"


_SKIP_TEXT_TAGS = {"script", "style", "noscript", "template", "textarea", "select"}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "label",
}  # fmt: skip


def _visible_text(root: etree._Element, skip: Iterable[etree._Element] = (),
                  spans: dict[etree._Element, tuple[int, int]] | None = None) -> str:
    """Text of an element with line breaks at block boundaries; skips scripts and `skip`.

    ``spans``: elements to locate; each one shown gets its (start, end) in the text.
    Iterative (iterwalk), so deeply nested junk cannot exhaust the recursion limit.
    """
    if len(root) == 0 and not skip and spans is None:
        # A leaf (most links and dates): its own text, no walk. Comments and processing
        # instructions are children too, so a leaf has none.
        tag = root.tag.lower() if isinstance(root.tag, str) else ""
        if tag in _SKIP_TEXT_TAGS:
            return ""
        return (root.text or "") + ("\n" if tag in _BLOCK_TAGS else "")
    skipped = set(skip)
    if spans is None:
        flat = _flat_text(root, skipped)
        if flat is not None:
            return flat
    return _walked_text(root, skipped, spans)


def _flat_text(root: etree._Element, skipped: set[etree._Element]) -> str | None:
    """``_visible_text`` of an element whose children are all leaves (a list entry: its
    link, its date), read child by child without a walk; None for any other element."""
    tag = root.tag.lower() if isinstance(root.tag, str) else ""
    if tag in _SKIP_TEXT_TAGS or root in skipped:
        return None
    parts = [root.text or ""]
    for child in root:
        if len(child):
            return None
        if isinstance(child.tag, str):
            child_tag = child.tag.lower()
            if child not in skipped and child_tag not in _SKIP_TEXT_TAGS:
                parts.append(child.text or "")
            # a skipped block still breaks the line, as the walk's end event does
            if child_tag in _BLOCK_TAGS:
                parts.append("\n")
        elif child.tag is not etree.Comment and child.tag is not etree.PI:
            return None  # an entity: the walk knows what to do
        parts.append(child.tail or "")
    if tag in _BLOCK_TAGS:
        parts.append("\n")
    return "".join(parts)


def _walked_text(root: etree._Element, skipped: set[etree._Element],
                 spans: dict[etree._Element, tuple[int, int]] | None) -> str:
    """``_visible_text`` by a walk of the whole subtree (iterative: deeply nested junk
    cannot exhaust the recursion limit)."""
    parts: list[str] = []
    located: dict[etree._Element, list[int]] = {}  # element -> [first part, end part]
    hidden = 0  # depth inside a skipped subtree
    # Comments and processing instructions get their own event; their tails are still text.
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not hidden and el is not root and el.tail:
                parts.append(el.tail)
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        is_hidden = el in skipped or tag in _SKIP_TEXT_TAGS
        if event == "start":
            if is_hidden:
                hidden += 1
            elif not hidden:
                if spans is not None and el in spans:
                    located[el] = [len(parts), len(parts)]
                if el.text:
                    parts.append(el.text)
            continue
        if is_hidden:
            hidden -= 1
        if not hidden:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el in located:
                located[el][1] = len(parts)
            if el is not root and el.tail:
                parts.append(el.tail)
    if spans is not None:
        offsets = [0, *accumulate(map(len, parts))]
        for el, (first, end) in located.items():
            spans[el] = (offsets[first], offsets[end])
    return "".join(parts)
