"""What a page links to, and which of its anchors are hidden from the reader (暗链).

A hacked portal page often carries links a visitor never sees: a block moved off the screen,
``display:none``, text in the background's colour, a one-pixel ``<marquee>``. Hiding is read
from the page alone: the ``style`` attributes of an anchor and its ancestors, the rules of the
page's own ``<style>`` blocks (simple selectors: tag, ``#id``, ``.class``, descendant and
child combinators — whatever else is ignored) and a few presentational attributes. External
stylesheets are never fetched, so what they hide is not seen, and hiding is reported only on
explicit evidence. Whether a hidden link matters (a casino off-site, or a closed dropdown
menu) is the monitor's judgement, not this module's.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from lxml import etree

from crawler.extract.parsing import _page_base, _parse, _resolve
from crawler.extract.text import _norm_space

# Bounds on hostile pages: elements walked, stylesheet text read, rules kept, and compound
# selector checks made (past it, stylesheet rules stop applying; inline styles still do).
MAX_ELEMENTS = 20_000
_MAX_CSS_CHARS = 200_000
_MAX_RULES = 2_000
_MAX_COMPOUNDS = 8
_MATCH_BUDGET = 2_000_000
_TEXT_LIMIT = 100
# An offset at or beyond this puts a box off any screen (the classic wrapper uses -999px).
_OFFSCREEN_PX = -999.0


@dataclass(frozen=True)
class HiddenAnchor:
    """An anchor the reader cannot see, and why (Chinese, naming the element that hides it)."""

    href: str  # absolute URL
    text: str  # anchor text, stripped, at most 100 characters
    reason: str  # e.g. "display:none（所在元素 div.hide）", "文字颜色与背景相同（#fff）"


@dataclass(frozen=True)
class PageLinks:
    """The page's visible links (absolute http(s), no fragments, deduplicated, in page order)
    and its hidden anchors (deduplicated by URL)."""

    links: tuple[str, ...]
    hidden: tuple[HiddenAnchor, ...]


# ---------------------------------------------------------------------------
# CSS values
# ---------------------------------------------------------------------------

_PROPS = frozenset({
    "display", "visibility", "font-size", "font", "width", "height", "overflow", "overflow-x",
    "overflow-y", "position", "left", "top", "text-indent", "color", "background",
    "background-color", "background-image",
})
_LENGTH_RE = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|pc|in|cm|mm|em|rem|ex|ch|vw|vh|%)?$")
# Pixels per unit; font-relative units at the usual 16px, viewport units at a 1000px screen.
_PX_PER = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 37.8, "mm": 3.78, "em": 16.0,
           "rem": 16.0, "ex": 8.0, "ch": 8.0, "vw": 10.0, "vh": 10.0}
_NAMED_COLOURS = {
    "white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000",
    "blue": "#0000ff", "yellow": "#ffff00", "gray": "#808080", "grey": "#808080",
    "silver": "#c0c0c0", "maroon": "#800000", "navy": "#000080", "purple": "#800080",
    "teal": "#008080", "olive": "#808000", "lime": "#00ff00", "aqua": "#00ffff",
    "fuchsia": "#ff00ff", "orange": "#ffa500", "whitesmoke": "#f5f5f5", "snow": "#fffafa",
    "ivory": "#fffff0", "lightgray": "#d3d3d3", "lightgrey": "#d3d3d3",
}
_HEX_RE = re.compile(r"^#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$")
_RGB_RE = re.compile(r"^rgba?\(\s*([^)]*)\)$")
_FUNC_RE = re.compile(r"(?:rgba?|hsla?)\([^)]*\)")
_TRANSPARENT = "transparent"
_UNKNOWN = "unknown"  # a background we cannot see through (an image): no colour judgement


def _length(value: str | None, *, unitless: bool = False) -> float | None:
    """A CSS length in pixels; None for percentages, keywords and garbage. Unitless numbers
    count only when ``unitless`` (HTML attributes) or zero."""
    if not value:
        return None
    found = _LENGTH_RE.match(value.strip().lower())
    if not found:
        return None
    number, unit = float(found.group(1)), found.group(2)
    if unit is None:
        return number if unitless or number == 0 else None
    if unit == "%":
        return 0.0 if number == 0 else None
    return number * _PX_PER[unit]


def _colour(value: str) -> str | None:
    """``#rrggbb`` for a colour, ``transparent`` for none, None for what is not a colour."""
    value = value.strip().lower()
    if value == _TRANSPARENT:
        return _TRANSPARENT
    if value in _NAMED_COLOURS:
        return _NAMED_COLOURS[value]
    hexed = _HEX_RE.match(value)
    if hexed and (value.startswith("#") or len(value) == 6):
        digits = hexed.group(1)
        if len(digits) <= 4:
            digits = "".join(c * 2 for c in digits)
        if len(digits) == 8:
            alpha, digits = digits[6:], digits[:6]
            if alpha == "00":
                return _TRANSPARENT
            if alpha != "ff":
                return None  # half see-through: the colour under it is unknown
        return "#" + digits
    rgb = _RGB_RE.match(value)
    if not rgb:
        return None
    parts = [p for p in re.split(r"[\s,/]+", rgb.group(1)) if p]
    if len(parts) not in (3, 4):
        return None
    channels: list[int] = []
    try:
        for part in parts[:3]:
            number = float(part[:-1]) * 2.55 if part.endswith("%") else float(part)
            channels.append(max(0, min(255, round(number))))
        alpha = 1.0 if len(parts) == 3 else (
            float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3]))
    except ValueError:
        return None
    if alpha <= 0:
        return _TRANSPARENT
    if alpha < 1:
        return None
    return "#" + "".join(f"{c:02x}" for c in channels)


def _background(style: dict[str, str]) -> str | None:
    """What an element's own background paints: a colour, ``transparent`` (nothing),
    ``unknown`` (an image), or None when it declares no background."""
    image = style.get("background-image")
    shorthand = style.get("background")
    colour_value = style.get("background-color")
    if image is None and shorthand is None and colour_value is None:
        return None
    if (image and image != "none") or (shorthand and ("url(" in shorthand
                                                       or "gradient(" in shorthand)):
        return _UNKNOWN
    if colour_value is not None:
        return _colour(colour_value) or _UNKNOWN
    if shorthand is not None:
        tokens = [*_FUNC_RE.findall(shorthand), *_FUNC_RE.sub(" ", shorthand).split()]
        for token in tokens:
            colour = _colour(token)
            if colour:
                return colour
    return _TRANSPARENT


def _font_size(style: dict[str, str]) -> tuple[str, float | None] | None:
    """The declared font size as ("px", pixels), ("rel", factor) or ("keyword", None); None
    when the element declares none (or nothing readable)."""
    value = style.get("font-size")
    if value is None and "font" in style:
        # the shorthand's size is its first length (``font: 0/0 a``, ``font: bold 12px/1.5 x``)
        for token in style["font"].split():
            size = token.split("/", 1)[0]
            if _LENGTH_RE.match(size) and (size.strip("0.") == "" or not size[-1].isdigit()):
                value = size
                break
    if value is None or value in ("inherit", "unset"):
        return None
    found = _LENGTH_RE.match(value)
    if not found:
        return ("keyword", None)  # small, larger, calc(…): some size
    number, unit = float(found.group(1)), found.group(2)
    if unit in ("em", "%"):
        return ("rel", number / 100 if unit == "%" else number)
    px = _length(value)
    return ("px", px) if px is not None else ("keyword", None)


# ---------------------------------------------------------------------------
# The page's own stylesheet: simple rules only
# ---------------------------------------------------------------------------

_COMMENT_RE = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_COMPOUND_RE = re.compile(r"^(\*|[a-z][a-z0-9-]*)?((?:[#.][-_a-z0-9\u00a0-\uffff]+)*)$", re.I)
_CHILD_RE = re.compile(r"\s*>\s*")


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    ids: tuple[str, ...]
    classes: frozenset[str]

    def matches(self, info: _Info) -> bool:
        return ((self.tag is None or self.tag == info.tag)
                and all(i == info.id for i in self.ids) and self.classes <= info.classes)


@dataclass(frozen=True)
class _Rule:
    compounds: tuple[_Compound, ...]  # left to right
    combinators: tuple[str, ...]  # between compounds: " " (descendant) or ">" (child)
    rank: tuple[int, int, int, int]  # specificity (ids, classes, tags), then source order
    declarations: tuple[tuple[str, str, bool], ...]  # property, value, !important
    # what the ancestors must have between them (``_tokens``): most rules fail on it at once
    needs: frozenset[str]


@dataclass(frozen=True)
class _Info:
    tag: str
    id: str
    classes: frozenset[str]


def _tokens(tag: str | None, ids: Iterable[str], classes: Iterable[str]) -> frozenset[str]:
    """An element's (or a compound's) tag, ids and classes as one set of marked names."""
    return frozenset((*(("t" + tag,) if tag else ()), *("#" + i for i in ids if i),
                      *("." + c for c in classes)))


def _declarations(text: str) -> tuple[tuple[str, str, bool], ...]:
    """The relevant declarations of a style attribute or rule block, lower-cased."""
    found: list[tuple[str, str, bool]] = []
    for part in text.split(";"):
        prop, colon, value = part.partition(":")
        prop = prop.strip().lower()
        if not colon or prop not in _PROPS:
            continue
        value = " ".join(value.lower().split())
        important = value.endswith("!important")
        if important:
            value = value[: -len("!important")].rstrip()
        if value:
            found.append((prop, value, important))
    return tuple(found)


def _selector(text: str) -> tuple[tuple[_Compound, ...], tuple[str, ...]] | None:
    """A selector made of tag/#id/.class compounds and descendant or child combinators;
    None for anything else (pseudo-classes such as ``:hover``, attributes, siblings)."""
    tokens = _CHILD_RE.sub(" > ", text.strip()).split()
    compounds: list[_Compound] = []
    combinators: list[str] = []
    pending = " "
    for token in tokens:
        if token == ">":
            if not compounds or pending == ">":
                return None
            pending = ">"
            continue
        found = _COMPOUND_RE.match(token)
        if not found or not token:
            return None
        tag = found.group(1)
        ids: list[str] = []
        classes: set[str] = set()
        for part in re.findall(r"[#.][^#.]+", found.group(2)):
            if part[0] == "#":
                ids.append(part[1:])
            else:
                classes.add(part[1:])
        if compounds:
            combinators.append(pending)
        pending = " "
        compounds.append(_Compound(None if tag in (None, "*") else tag.lower(), tuple(ids),
                                   frozenset(classes)))
    if not compounds or pending == ">" or len(compounds) > _MAX_COMPOUNDS:
        return None
    return tuple(compounds), tuple(combinators)


def _blocks(css: str) -> Iterator[tuple[str, str]]:
    """(prelude, block) of each top-level rule; at-rules (``@media`` and the like) and
    nested blocks are skipped."""
    depth = 0
    start = 0  # where the current prelude begins
    open_at = 0
    for brace in re.finditer(r"[{}]", css):
        if brace.group() == "{":
            if depth == 0:
                open_at = brace.end()
            depth += 1
            continue
        if depth == 0:  # a stray closing brace
            start = brace.end()
            continue
        depth -= 1
        if depth == 0:
            prelude, block = css[start:open_at - 1].strip(), css[open_at:brace.start()]
            start = brace.end()
            if prelude and not prelude.startswith("@") and "{" not in block:
                yield prelude, block


class _Sheet:
    """The page's ``<style>`` rules, indexed by what their last compound requires.

    Immutable once built: pages of one site share their stylesheet, so a parsed sheet is
    reused (``_sheet_for``); what matching may spend is counted per page (``_Matcher``).
    """

    def __init__(self, css: str) -> None:
        self.by_key: dict[tuple[str, str], list[_Rule]] = {}
        order = 0
        css = _COMMENT_RE.sub(" ", css[:_MAX_CSS_CHARS])
        for prelude, block in _blocks(css):
            declarations = _declarations(block)
            if not declarations:
                continue
            for text in prelude.split(","):
                parsed = _selector(text)
                if parsed is None:
                    continue
                compounds, combinators = parsed
                specificity = (sum(len(c.ids) for c in compounds),
                               sum(len(c.classes) for c in compounds),
                               sum(c.tag is not None for c in compounds))
                order += 1
                needs = frozenset().union(*(_tokens(c.tag, c.ids, c.classes)
                                            for c in compounds[:-1]))
                rule = _Rule(compounds, combinators, (*specificity, order), declarations,
                             needs)
                last = compounds[-1]
                key = (("#", last.ids[0]) if last.ids else (".", min(last.classes))
                       if last.classes else ("t", last.tag) if last.tag else ("*", ""))
                self.by_key.setdefault(key, []).append(rule)
                if order >= _MAX_RULES:
                    return


@lru_cache(maxsize=32)
def _sheet_for(css: str) -> _Sheet | None:
    """The parsed sheet of a page's ``<style>`` text (None when it has no rules)."""
    sheet = _Sheet(css)
    return sheet if sheet.by_key else None


class _Matcher:
    """Matches one page's elements against a sheet, within the page's matching budget."""

    def __init__(self, sheet: _Sheet) -> None:
        self.by_key = sheet.by_key
        self.budget = _MATCH_BUDGET

    def matching(self, chain: list[_Info], above: frozenset[str]) -> list[_Rule]:
        """The rules matching the last element of ``chain`` (its ancestors before it, whose
        ``_tokens`` together are ``above``)."""
        if self.budget <= 0:
            return []
        info = chain[-1]
        keys = [("#", info.id), ("t", info.tag), ("*", ""), *((".", c) for c in info.classes)]
        found = []
        for key in keys:
            for rule in self.by_key.get(key, ()):
                if rule.needs <= above and self._matches(rule, chain):
                    found.append(rule)
        return found

    def _matches(self, rule: _Rule, chain: list[_Info]) -> bool:
        # Right to left, each compound on the nearest ancestor that fits: never a false match
        # (at worst a missed one, for a child combinator after a descendant one).
        self.budget -= 1
        if not rule.compounds[-1].matches(chain[-1]):
            return False
        at = len(chain) - 1
        for k in range(len(rule.compounds) - 2, -1, -1):
            compound = rule.compounds[k]
            if rule.combinators[k] == ">":
                at -= 1
                self.budget -= 1
                if at < 0 or not compound.matches(chain[at]):
                    return False
                continue
            start = at
            at -= 1
            while at >= 0 and not compound.matches(chain[at]):
                at -= 1
            self.budget -= start - at
            if at < 0 or self.budget <= 0:
                return False
        return True


# ---------------------------------------------------------------------------
# Walking the page
# ---------------------------------------------------------------------------

_INLINE_TAGS = frozenset({"a", "span", "font", "b", "i", "em", "strong", "small", "big", "u",
                          "label", "abbr", "cite", "code", "s", "strike", "sub", "sup", "q"})
_BOX_DISPLAYS = ("block", "inline-block", "flex", "inline-flex", "grid", "inline-grid",
                 "table", "list-item", "table-cell", "flow-root")
_BGCOLOR_TAGS = frozenset({"body", "table", "tr", "td", "th", "tbody", "thead", "tfoot"})
_INERT_TAGS = frozenset({"template", "script", "style", "head", "title"})


@dataclass(frozen=True)
class _Owner:
    """The element a fact comes from: its depth in the page (an anchor at the same depth is
    that element itself) and its name for the reader (``div#yc``, ``span.x``)."""

    depth: int
    tag: str
    name: str


def _owner(el: etree._Element, tag: str, depth: int) -> _Owner:
    classes = (el.get("class") or "").split()
    name = tag
    if (el.get("id") or "").strip():
        name += "#" + (el.get("id") or "").strip()[:40]
    elif classes:
        name += "".join("." + c for c in classes[:2])[:60]
    return _Owner(depth, tag, name)


def _describe(owner: _Owner, anchor_depth: int) -> str:
    """Where the hiding is, in Chinese: the link itself or the element around it."""
    return "链接本身" if owner.depth == anchor_depth else f"所在元素 {owner.name}"


@dataclass(frozen=True)
class _Hiding:
    """Why a subtree is hidden: the technique, a detail (the value), the element doing it."""

    what: str
    detail: str
    owner: _Owner

    def reason(self, anchor_depth: int) -> str:
        detail = f"{self.detail}，" if self.detail else ""
        return f"{self.what}（{detail}{_describe(self.owner, anchor_depth)}）"


@dataclass(frozen=True)
class _Context:
    """What an element inherits from its ancestors, each fact with the element it came from."""

    inert: bool = False  # inside <template>, <head>…: nothing shown, nothing linked
    hidden: _Hiding | None = None  # the whole subtree is hidden
    visibility: tuple[str, _Owner | None] = ("visible", None)
    font_zero: _Owner | None = None  # the element whose font size made it 0
    indent: _Hiding | None = None  # a text-indent off the screen (not image replacement)
    colour: tuple[str, _Owner, str] | None = None  # text colour, owner, as written
    background: tuple[str, _Owner] | None = None  # nearest painted background


def _style_of(el: etree._Element, info: _Info, chain: list[_Info], above: frozenset[str],
              matcher: _Matcher | None) -> tuple[dict[str, str], set[str]]:
    """The element's relevant computed declarations (the cascade of presentational
    attributes, sheet rules, inline style and !important) and the properties set by CSS."""
    hints: dict[str, str] = {}
    if info.tag == "font" and el.get("color"):
        hints["color"] = el.get("color", "")
    if info.tag in _BGCOLOR_TAGS and el.get("bgcolor"):
        hints["background-color"] = el.get("bgcolor", "")
    if info.tag == "marquee":
        for name in ("width", "height"):
            value = (el.get(name) or "").strip()
            if value:
                hints[name] = value + ("px" if value.isdigit() else "")
    normal: dict[str, str] = {}
    important: dict[str, str] = {}
    if matcher is not None:
        for rule in sorted(matcher.matching(chain, above), key=lambda r: r.rank):
            for prop, value, imp in rule.declarations:
                (important if imp else normal)[prop] = value
    inline = el.get("style")
    if inline:
        for prop, value, imp in _declarations(inline[:5000]):
            if imp:
                important[prop] = value  # inline !important beats the sheet's
            else:
                normal[prop] = value
    authored = {**normal, **important}
    return {**hints, **authored}, set(authored)


def _own_hiding(el: etree._Element, info: _Info, style: dict[str, str], authored: set[str],
                owner: _Owner) -> _Hiding | None:
    """Why this element hides its whole subtree, or None."""
    display = style.get("display", "")
    if display == "none":
        return _Hiding("display:none", "", owner)
    if el.get("hidden") is not None and "display" not in authored:
        return _Hiding("hidden 属性", "", owner)
    if style.get("position") in ("absolute", "fixed", "relative"):
        for side in ("left", "top"):
            offset = _length(style.get(side))
            if offset is not None and offset <= _OFFSCREEN_PX:
                return _Hiding("移出可见区域", f"{side}:{style[side]}", owner)
    width, height = _length(style.get("width")), _length(style.get("height"))
    if info.tag == "marquee":
        if (height is not None and height <= 1) or (width is not None and width <= 1):
            return _Hiding("滚动字幕宽或高不超过1像素", "", owner)
        return None
    boxed = (info.tag not in _INLINE_TAGS or display in _BOX_DISPLAYS
             or style.get("position") in ("absolute", "fixed"))
    if not boxed:  # width and height do not apply to an inline box
        return None
    if width is not None and height is not None and width <= 0 and height <= 0:
        return _Hiding("宽高为0", "", owner)
    clipped = any(style.get(p) in ("hidden", "clip")
                  for p in ("overflow", "overflow-x", "overflow-y"))
    if clipped and height is not None and height <= 1:
        return _Hiding("高度为0且超出部分隐藏", f"height:{style['height']}", owner)
    if clipped and width is not None and width <= 1:
        return _Hiding("宽度为0且超出部分隐藏", f"width:{style['width']}", owner)
    return None


def _child_context(el: etree._Element, info: _Info, parent: _Context, style: dict[str, str],
                   authored: set[str], owner: _Owner) -> _Context:
    """The element's own context: its parent's, updated by what it declares."""
    changes: dict[str, object] = {}
    if parent.hidden is None:
        hiding = _own_hiding(el, info, style, authored, owner)
        if hiding is not None:
            changes["hidden"] = hiding
    if "visibility" in style and style["visibility"] not in ("inherit", "unset"):
        changes["visibility"] = (style["visibility"], owner)
    size = _font_size(style)
    if size is not None:
        kind, number = size
        if kind == "px":
            changes["font_zero"] = owner if number is not None and number <= 0 else None
        elif kind == "rel" and number is not None:
            # a relative size of a zero size is zero: the zero's owner stays the cause
            changes["font_zero"] = (owner if number <= 0 else parent.font_zero)
        else:
            changes["font_zero"] = None
    if "text-indent" in style:
        px = _length(style["text-indent"])
        block = info.tag not in _INLINE_TAGS or style.get("display") in _BOX_DISPLAYS
        # an indented box showing a background image is a logo (image replacement)
        image = _background(style) == _UNKNOWN
        changes["indent"] = (_Hiding("首行缩进移出可见区域",
                                     f"text-indent:{style['text-indent']}", owner)
                             if px is not None and px <= _OFFSCREEN_PX and block and not image
                             else None)
    if "color" in style:
        colour = _colour(style["color"])
        changes["colour"] = ((colour, owner, style["color"])
                             if colour and colour != _TRANSPARENT else None)
    painted = _background(style)
    if painted is not None and painted != _TRANSPARENT:
        changes["background"] = (painted, owner)
    return replace(parent, **changes) if changes else parent  # type: ignore[arg-type]


def _text_hiding(anchor: etree._Element, depth: int, style: dict[str, str], ctx: _Context,
                 text: str, external_css: bool) -> str | None:
    """Why an anchor's text cannot be read though its box is there (a zero font size, an
    indent off the screen, text in the background's colour); None when it can, or when the
    anchor shows an image instead."""
    if not text or anchor.find(".//img") is not None or _background(style) == _UNKNOWN:
        return None
    if ctx.font_zero is not None:
        return f"字号为0（{_describe(ctx.font_zero, depth)}）"
    if ctx.indent is not None:
        return ctx.indent.reason(depth)
    if ctx.colour is not None and ctx.background is not None:
        colour, owner, written = ctx.colour
        painted, holder = ctx.background
        # a page-wide background is too far away to trust when external CSS we do not read
        # may paint the boxes in between
        far = holder.tag in ("body", "html") and external_css
        if painted == colour and not far:
            return f"文字颜色与背景相同（{written}，{_describe(owner, depth)}）"
    return None


@dataclass
class _Node:
    """An element's place in the cascade: what it inherits and declares. Elements with the
    same attributes under the same node (the items of a list, the links of a menu) share
    one node, so each distinct place is worked out once (``_Tree``: once for all the pages
    sharing a stylesheet)."""

    info: _Info
    ctx: _Context
    style: dict[str, str]
    tokens: frozenset[str]  # the ``_tokens`` of the element and its ancestors
    children: dict[tuple[str | None, ...], _Node] = field(default_factory=dict)


def _signature(el: etree._Element, tag: str) -> tuple[str | None, ...]:
    """Everything of an element the cascade reads (besides its ancestors)."""
    get = el.get
    return (tag, get("id"), get("class"), get("style"),
            "" if get("hidden") is not None else None,
            get("color") if tag == "font" else None,
            get("bgcolor") if tag in _BGCOLOR_TAGS else None,
            (get("width") or "") + "x" + (get("height") or "") if tag == "marquee" else None)


def _node(el: etree._Element, tag: str, parent: _Node, chain: list[_Info],
          matcher: _Matcher | None) -> _Node:
    """The element's node (``chain`` ends with its own info)."""
    info = chain[-1]
    if parent.ctx.inert or tag in _INERT_TAGS:
        return _Node(info, replace(parent.ctx, inert=True), {}, parent.tokens)
    tokens = (parent.tokens | _tokens(tag, (info.id,), info.classes)
              if matcher is not None else parent.tokens)
    style, authored = _style_of(el, info, chain, parent.tokens, matcher)
    owner = _owner(el, tag, len(chain))
    return _Node(info, _child_context(el, info, parent.ctx, style, authored, owner), style,
                 tokens)


_HREFS = etree.XPath("//@href", smart_strings=False)


def href_targets(doc: etree._Element, base: str) -> set[str]:
    """Every URL the page's elements name in an ``href`` (any tag, visible or not, resolved
    against ``base``), gathered by one XPath query: what two pages of one template are
    compared by before the second is walked (``crawler.spiders.column``)."""
    found = set()
    for href in _HREFS(doc):
        url = _resolve(href, base)
        if url is not None:
            found.add(url)
    return found


def _anchor_text(anchor: etree._Element) -> str:
    return _norm_space(anchor.text_content() or "")[:_TEXT_LIMIT]


def _info(el: etree._Element, tag: str) -> _Info:
    return _Info(tag, (el.get("id") or "").strip(),
                 frozenset((el.get("class") or "").split()[:20]))


def page_links(html: str | bytes, url: str, limit: int = 200) -> PageLinks:
    """The page's visible links and its hidden anchors (each list at most ``limit`` long).

    Links are absolute http(s) URLs of every visible anchor — menus and footers included —
    without fragments, deduplicated, in page order; javascript:, mailto:, tel: and in-page
    anchors are skipped. Never raises on malformed input; at most ``MAX_ELEMENTS`` elements
    are examined.
    """
    try:
        doc = _parse(html)
    except Exception:  # garbage in: no links, never an exception
        doc = None
    if doc is None:
        return PageLinks((), ())
    return links_in(doc, _page_base(doc, url), limit)


@dataclass
class _Tree:
    """The nodes worked out on pages sharing one stylesheet. A portal's pages share their
    template — its menus, sidebars and footer, its ``<style>`` — so a page after the first
    finds most of its places worked out: a node depends only on its element's ``_signature``,
    its ancestors' nodes and the sheet."""

    root: _Node = field(
        default_factory=lambda: _Node(_Info("", "", frozenset()), _Context(), {}, frozenset()))
    size: int = 0  # nodes under the root


_TREES: dict[str, _Tree] = {}  # by the pages' <style> text, least recently used first
_TREES_LOCK = threading.Lock()  # the crawler reads pages in one thread; a caller may not
_TREES_KEPT = 32
# Past this many nodes a tree is dropped after the page (a template that gives each element
# its own id or inline style shares little, and would only grow).
_TREE_NODES = 50_000


def _tree_for(css: str) -> _Tree:
    """The tree kept for pages with this stylesheet text (a new one when none is kept)."""
    with _TREES_LOCK:
        tree = _TREES.pop(css, None) or _Tree()
        _TREES[css] = tree  # the most recently used last
        while len(_TREES) > _TREES_KEPT:
            del _TREES[next(iter(_TREES))]
    return tree


def links_in(doc: etree._Element, base: str, limit: int = 200) -> PageLinks:
    """``page_links`` of a page parsed already (the list parser's tree: a list page is parsed
    once), its relative links resolved against ``base``. The tree is only read."""
    css = "".join(s.text or "" for s in doc.iter("style"))
    sheet = _sheet_for(css) if css.strip() else None
    matcher = _Matcher(sheet) if sheet is not None else None
    external_css = any("stylesheet" in (link.get("rel") or "").lower()
                       for link in doc.iter("link"))
    tree = _tree_for(css)
    kept = False
    try:
        found = _walk(doc, base, limit, tree, matcher, external_css)
        # a page that ran out of matching budget worked some places out without the sheet:
        # they are not kept for the pages after it
        kept = tree.size <= _TREE_NODES and (matcher is None or matcher.budget > 0)
        return found
    finally:
        if not kept:
            with _TREES_LOCK:
                if _TREES.get(css) is tree:
                    del _TREES[css]


_ELEMENT_COUNT = etree.XPath("count(//*)")


def _anchors(doc: etree._Element) -> Iterator[etree._Element]:
    """The page's anchors in page order, among its first ``MAX_ELEMENTS`` elements."""
    if _ELEMENT_COUNT(doc) <= MAX_ELEMENTS:
        yield from doc.iter("a")  # found by libxml2: no other element is looked at
        return
    for n, el in enumerate(doc.iter(etree.Element)):
        if n >= MAX_ELEMENTS:
            return
        if el.tag == "a":
            yield el


def _walk(doc: etree._Element, base: str, limit: int, tree: _Tree, matcher: _Matcher | None,
          external_css: bool) -> PageLinks:
    """``links_in``'s walk of the page's anchors, adding the places it meets first to
    ``tree``. An element's place depends on its ancestors only, so only the anchors and
    their ancestors are worked out, not every element: the anchors come in page order, so
    the path from the root to the current one is kept as a stack (each element pushed and
    popped once, as in a walk of every element)."""
    links: dict[str, None] = {}
    hidden: dict[str, HiddenAnchor] = {}
    path: list[etree._Element] = []  # the root down to the current anchor
    at: dict[etree._Element, int] = {}  # an element of ``path`` -> its index there
    chain: list[_Info] = []  # ``path``'s infos (``_node``'s chain)
    nodes: list[_Node] = [tree.root]  # the root's node, then ``path``'s
    for el in _anchors(doc):
        # climb to the deepest element of the path that is an ancestor; the rest is left
        new: list[etree._Element] = []
        above: etree._Element | None = el
        while above is not None and above not in at:
            new.append(above)
            above = None if above is doc else above.getparent()
        keep = at[above] + 1 if above is not None else 0
        for left in path[keep:]:
            del at[left]
        del path[keep:], chain[keep:], nodes[keep + 1:]
        for element in reversed(new):
            tag = element.tag.lower()
            parent = nodes[-1]
            signature = _signature(element, tag)
            node = parent.children.get(signature)
            if node is None:
                chain.append(_info(element, tag))
                node = parent.children[signature] = _node(element, tag, parent, chain, matcher)
                tree.size += 1
            else:
                chain.append(node.info)
            at[element] = len(path)
            path.append(element)
            nodes.append(node)
        node = nodes[-1]
        ctx = node.ctx
        if ctx.inert:
            continue
        href = _resolve(el.get("href"), base)
        if not href or not href.lower().startswith(("http://", "https://")):
            continue
        depth = len(chain)
        reason = ctx.hidden.reason(depth) if ctx.hidden is not None else None
        if reason is None and ctx.visibility[0] in ("hidden", "collapse"):
            value, owner = ctx.visibility
            reason = (f"visibility:{value}（"
                      f"{'链接本身' if owner is None else _describe(owner, depth)}）")
        text = None
        if reason is None and (ctx.font_zero or ctx.indent or (
                ctx.colour and ctx.background and ctx.colour[0] == ctx.background[0])):
            text = _anchor_text(el)  # only text that might be unreadable is read
            reason = _text_hiding(el, depth, node.style, ctx, text, external_css)
        if reason is None:
            if href not in links and len(links) < limit:
                links[href] = None
        elif href not in hidden and len(hidden) < limit:
            hidden[href] = HiddenAnchor(href, _anchor_text(el) if text is None else text,
                                        reason)
        if len(links) >= limit and len(hidden) >= limit:
            break
    return PageLinks(tuple(links), tuple(hidden.values()))
