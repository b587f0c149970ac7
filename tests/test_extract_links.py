"""What a page links to, and which of its anchors are hidden (暗链): ``page_links``.

tests/pages/links/hacked_article.html imitates a county article page after a break-in: the
template's menus and image-replaced logo, then links planted with each hiding technique,
inline and through the page's own <style> rules. The saved real pages in
../shared/real-pages, when present, must read without error.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler import extract
from crawler.extract import HiddenAnchor, PageLinks, page_links
from crawler.extract import links as links_module

from .conftest import real_pages

PAGES = Path(__file__).resolve().parent / "pages" / "links"
URL = "http://www.mmx.gov.cn/zwgk/tzgg/202109/t20210907_1.html"


def hacked() -> PageLinks:
    return page_links((PAGES / "hacked_article.html").read_bytes(), URL)


def reasons(found: PageLinks) -> dict[str, str]:
    return {h.href: h.reason for h in found.hidden}


def one(html: str) -> PageLinks:
    """``page_links`` of a small page around ``html``."""
    return page_links(f"<html><head><meta charset='utf-8'></head><body>{html}</body></html>",
                      URL)


# ----------------------------------------------------------------------------- the fixture


def test_visible_links_are_absolute_deduplicated_without_fragments_in_page_order() -> None:
    assert hacked().links == (
        "http://www.mmx.gov.cn/",  # the logo: text indented away, but its image shows
        "http://www.mmx.gov.cn/index.html",  # menu items under a font-size:0 list…
        "http://www.mmx.gov.cn/zwgk/",  # …that sets their own size again
        "http://www.mmx.gov.cn/hdjl/",  # fragment removed
        "http://www.mmx.gov.cn/zwgk/P020211001/防火方案.pdf",  # relative → absolute
        "http://www.gov.cn/",  # aria-hidden is for screen readers, not hiding
        "http://www.mmx.gov.cn/ztzl/",  # visibility:visible inside visibility:hidden
        "http://bszs.conac.cn/sitename?method=show&id=1",  # the footer counts too
    )


def test_javascript_mailto_tel_and_in_page_anchors_are_skipped() -> None:
    found = hacked()
    every = [*found.links, *(h.href for h in found.hidden)]
    assert not any(u.startswith(("javascript:", "mailto:", "tel:")) for u in every)
    assert URL not in every  # href="#"


def test_every_inline_hiding_technique_is_reported_with_its_reason() -> None:
    found = reasons(hacked())
    assert found["http://www.bocai-1.example.com/"] == "display:none（所在元素 div）"
    assert found["http://www.bocai-2.example.com/"] == "移出可见区域（left:-999px，所在元素 div）"
    assert found["http://www.bocai-3.example.com/"] == "滚动字幕宽或高不超过1像素（所在元素 marquee）"
    assert found["http://www.bocai-4.example.com/"] == "hidden 属性（所在元素 div）"
    assert found["http://www.bocai-5.example.com/"] == "字号为0（链接本身）"
    assert found["http://www.bocai-6.example.com/"] == (
        "文字颜色与背景相同（rgb(255, 255, 255)，所在元素 span）")
    assert found["http://www.bocai-7.example.com/"] == (
        "高度为0且超出部分隐藏（height:0px，所在元素 div）")


def test_every_stylesheet_hiding_technique_is_reported_with_its_reason() -> None:
    found = reasons(hacked())
    assert found["http://www.bocai-8.example.com/"] == "display:none（所在元素 div.hide）"
    assert found["http://www.bocai-9.example.com/"] == "visibility:hidden（所在元素 div#yc）"
    assert found["http://www.bocai-10.example.com/"] == "字号为0（链接本身）"  # .foot .x a
    assert found["http://www.bocai-11.example.com/"] == "宽高为0（所在元素 div.zero）"  # .wrap > .zero
    assert found["http://www.bocai-12.example.com/"] == (
        "移出可见区域（left:-10000px，所在元素 div.off）")
    assert found["http://www.bocai-13.example.com/"] == (
        "首行缩进移出可见区域（text-indent:-9999px，所在元素 div.ti）")
    assert found["http://www.bocai-14.example.com/"] == "文字颜色与背景相同（white，所在元素 div.bai）"


def test_a_hidden_link_to_a_government_site_is_still_reported() -> None:
    hidden = {h.href: h for h in hacked().hidden}
    assert hidden["http://www.other-county.gov.cn/"] == HiddenAnchor(
        "http://www.other-county.gov.cn/", "某某县政府网", "display:none（所在元素 div）")
    assert len(hidden) == 15
    assert not set(hidden) & set(hacked().links)


# ----------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(("html", "reason"), [
    ("<a href='/a' style='display: none !important'>a</a>", "display:none（链接本身）"),
    ("<div style='visibility:hidden'><p><a href='/a'>a</a></p></div>",
     "visibility:hidden（所在元素 div）"),
    ("<div style='font:0/0 a'><a href='/a'>a</a></div>", "字号为0（所在元素 div）"),
    ("<div style='font-size:0em'><a href='/a'>a</a></div>", "字号为0（所在元素 div）"),
    ("<div style='font-size:0'><span style='font-size:2em'><a href='/a'>a</a></span></div>",
     "字号为0（所在元素 div）"),  # a relative size of nothing is nothing
    ("<div style='position:fixed;top:-2000px'><a href='/a'>a</a></div>",
     "移出可见区域（top:-2000px，所在元素 div）"),
    ("<div style='width:0;height:0'><a href='/a'>a</a></div>", "宽高为0（所在元素 div）"),
    ("<div style='width:1px;overflow:hidden'><a href='/a'>a</a></div>",
     "宽度为0且超出部分隐藏（width:1px，所在元素 div）"),
    ("<marquee style='height:0'><a href='/a'>a</a></marquee>",
     "滚动字幕宽或高不超过1像素（所在元素 marquee）"),
    ("<table bgcolor='#FFFFFF'><tr><td><font color='white'><a href='/a'>a</a></font></td></tr>"
     "</table>", "文字颜色与背景相同（white，所在元素 font）"),
    ("<div style='background:#fff'><a style='color:#FFFFFF' href='/a'>a</a></div>",
     "文字颜色与背景相同（#ffffff，链接本身）"),
    ("<div style='background-color:rgba(0,0,0,1)'><a style='color:black' href='/a'>a</a></div>",
     "文字颜色与背景相同（black，链接本身）"),
    ("<div class='c' id='x-1'><a href='/a'>a</a></div><style>#x-1{display:none}</style>",
     "display:none（所在元素 div#x-1）"),
    ("<style>div.c > p.d a { visibility: collapse }</style>"
     "<div class='c'><p class='d e'><span><a href='/a'>a</a></span></p></div>",
     "visibility:collapse（链接本身）"),
])
def test_each_hiding_technique(html: str, reason: str) -> None:
    found = one(html)
    assert found.links == ()
    assert [h.reason for h in found.hidden] == [reason]
    assert found.hidden[0].href == "http://www.mmx.gov.cn/a"


@pytest.mark.parametrize("html", [
    "<a href='/a'>a</a>",
    "<div aria-hidden='true'><a href='/a'>a</a></div>",
    "<div style='display:none'></div><a href='/a'>a</a>",  # a sibling hides nothing
    "<div style='visibility:hidden'><a style='visibility:visible' href='/a'>a</a></div>",
    "<div hidden style='display:block'><a href='/a'>a</a></div>",  # CSS overrides [hidden]
    "<ul style='font-size:0'><li style='font-size:14px'><a href='/a'>a</a></li></ul>",
    "<div style='font-size:0'><a href='/a'><img src='/logo.png'></a></div>",  # the image shows
    "<a href='/a' style='display:block;text-indent:-9999px;background:url(/l.png)'>logo</a>",
    "<a href='/a' style='text-indent:-9999px'>a</a>",  # no indent on an inline box
    "<a href='/a' style='width:0;height:0;overflow:hidden'>a</a>",  # no size on an inline box
    "<div style='position:static;left:-9999px'><a href='/a'>a</a></div>",  # offsets ignored
    "<div style='position:absolute;left:-200px'><a href='/a'>a</a></div>",  # partly visible
    "<div style='width:0'><a href='/a'>a</a></div>",  # overflows, visible
    "<div style='background:#fff url(/bg.png)'><a style='color:#fff' href='/a'>a</a></div>",
    "<div style='background:#fff'><p style='background:#c00'><a style='color:#fff' href='/a'>"
    "a</a></p></div>",
    "<div style='background:rgba(255,255,255,.5)'><a style='color:#fff' href='/a'>a</a></div>",
    "<style>.m li:hover .sub{display:none} @media print{a{display:none}} a[href]{display:none}"
    " .x + a{display:none} .y{display:none</style><a class='sub' href='/a'>a</a>",
    "<template><a href='/b'>b</a></template><a href='/a'>a</a>",
])
def test_visible_anchors_are_not_reported(html: str) -> None:
    found = one(html)
    assert found.hidden == ()
    assert found.links == ("http://www.mmx.gov.cn/a",)


def test_a_page_wide_background_is_trusted_only_without_external_css() -> None:
    inner = "<a style='color:#fff' href='/a'>a</a>"
    page = "<html><head>{}</head><body style='background:#fff'>{}</body></html>"
    alone = page_links(page.format("", inner), URL)
    assert [h.reason for h in alone.hidden] == ["文字颜色与背景相同（#fff，链接本身）"]
    # another stylesheet may paint the boxes between the body and the link
    styled = page_links(page.format("<link rel='stylesheet' href='/s.css'>", inner), URL)
    assert styled.hidden == () and styled.links == ("http://www.mmx.gov.cn/a",)


def test_the_cascade_order_decides() -> None:
    later = one("<style>.h{display:none} div.h{display:block}</style>"
                "<div class='h'><a href='/a'>a</a></div>")
    assert later.hidden == ()
    inline = one("<style>.h{display:block}</style>"
                 "<div class='h' style='display:none'><a href='/a'>a</a></div>")
    assert [h.reason for h in inline.hidden] == ["display:none（所在元素 div.h）"]
    important = one("<style>.h{display:none!important}</style>"
                    "<div class='h' style='display:block'><a href='/a'>a</a></div>")
    assert [h.reason for h in important.hidden] == ["display:none（所在元素 div.h）"]


def test_hidden_anchor_text_is_stripped_and_bounded() -> None:
    found = one(f"<div style='display:none'><a href='/a'>\n  {'赌' * 300}  </a></div>")
    assert found.hidden[0].text == "赌" * 100
    spaced = one("<div style='display:none'><a href='/a'> 真人\n\t娱乐 </a></div>")
    assert spaced.hidden[0].text == "真人 娱乐"


def test_the_limit_is_honoured_for_each_list() -> None:
    html = "".join(f"<a href='/v{i}'>v</a><a style='display:none' href='/h{i}'>h</a>"
                   for i in range(50))
    found = page_links(html, URL, limit=10)
    assert found.links == tuple(f"http://www.mmx.gov.cn/v{i}" for i in range(10))
    assert [h.href for h in found.hidden] == [f"http://www.mmx.gov.cn/h{i}" for i in range(10)]
    assert len(page_links(html * 10, URL).links) == 50  # duplicates counted once


def test_base_href_is_honoured() -> None:
    found = one("<base href='http://xxgk.mmx.gov.cn/gk/'><a href='a.html'>a</a>")
    assert found.links == ("http://xxgk.mmx.gov.cn/gk/a.html",)


# ----------------------------------------------------------------------------- garbage


@pytest.mark.parametrize("junk", [
    "", b"", "   ", "plain text", "<", b"\x00\xff\xfe" * 1000, bytes(range(256)) * 100,
    "<a href='http://[::1'>x</a>", "<style>{{{{}}}}:;;;{" * 5000 + "</style>",
    "<style>a{display:none}" + "<a href=/a>a</a>",
    "<div style='" + ";".join(["left:-x", "color:rgb(1,2)", "font:", "height:1e9px"] * 50) + "'>",
])
def test_garbage_never_raises(junk: str | bytes) -> None:
    found = page_links(junk, URL)
    assert isinstance(found, PageLinks)


def test_hostile_pages_are_bounded() -> None:
    rules = "".join(f"div .c{i % 50} div div div div div a{{display:none}}\n"
                    for i in range(5000))
    html = (f"<style>{rules} * * {{color:red}}</style><body>" + "<div class='c1 c2'>" * 200
            + "".join(f"<a href='/{i}'>t</a>" for i in range(30000)))
    started = time.monotonic()
    found = page_links(html, URL)
    assert time.monotonic() - started < 10
    assert len(found.links) + len(found.hidden) <= 400


def test_page_links_is_exported() -> None:
    assert extract.page_links is page_links
    assert {"page_links", "PageLinks", "HiddenAnchor"} <= set(extract.__all__)


# ----------------------------------------------------------------------------- real pages


def test_real_pages_read_without_error() -> None:
    pages = real_pages()
    hidden = 0
    for path in pages:
        found = page_links(path.read_bytes(), "http://www.example.gov.cn/a/b.html")
        assert all(u.startswith(("http://", "https://")) for u in found.links), path.name
        assert all("#" not in u for u in found.links), path.name
        hidden += len(found.hidden)
    # the portals' own hidden dropdowns and CMS credits: display:none, nothing planted
    assert hidden < 100


# ------------------------------------------------------ pages sharing a stylesheet (_Tree)

SHARED_STYLE = ("<style>.side{position:absolute;left:-9999px}.menu a{color:#fff}"
                ".box{background:#fff}.tip{display:none}</style>")


def template_page(body: str) -> str:
    return (f"<html><head>{SHARED_STYLE}</head><body><div class='menu'><a href='/m1'>一</a>"
            f"</div><div class='box'>{body}</div><div class='side'><a href='/s'>s</a></div>"
            "</body></html>")


TEMPLATE_PAGES = [
    template_page("<ul><li><a href='/a1'>甲</a></li><li><a href='/a2'>乙</a></li></ul>"),
    # the same places, but an ancestor of the list now hides it inline, and one link has a
    # class the sheet hides: what the first page worked out must not be taken for these
    template_page("<ul style='display:none'><li><a href='/b1'>甲</a></li></ul>"
                  "<p><a class='tip' href='/b2'>乙</a><a href='/b3'>丙</a></p>"),
    template_page("<div class='menu'><a href='/c1'>丁</a></div>"
                  "<ul><li style='font-size:0'><a href='/c2'>戊</a></li></ul>"),
]


def alone(html: str | bytes, url: str = URL) -> PageLinks:
    """``page_links`` of a page with no tree kept from the pages read before it."""
    links_module._TREES.clear()
    return page_links(html, url)


def test_pages_sharing_a_stylesheet_read_as_each_alone() -> None:
    pages = [*TEMPLATE_PAGES, (PAGES / "hacked_article.html").read_text(encoding="utf-8")]
    expected = [alone(html) for html in pages]
    assert any(found.hidden for found in expected[1:3])  # the pages differ in what they hide
    for order in (pages, pages[::-1], pages[1:] + pages[:1]):
        links_module._TREES.clear()
        assert [page_links(html, URL) for html in order] == [
            expected[pages.index(html)] for html in order]


def test_real_pages_read_the_same_after_one_another() -> None:
    pages = real_pages()
    url = "http://www.example.gov.cn/a/b.html"
    expected = {path: alone(path.read_bytes(), url) for path in pages}
    links_module._TREES.clear()
    for path in pages + pages[::-1]:  # each page read again after the others
        assert page_links(path.read_bytes(), url) == expected[path], path.name


def test_a_page_out_of_matching_budget_leaves_no_tree_for_the_next() -> None:
    rules = "".join(f"div .c{i % 50} div div div div div a{{display:none}}\n"
                    for i in range(5000))
    css = f"{rules} * * {{color:red}}"
    html = (f"<style>{css}</style><body>" + "<div class='c1 c2'>" * 200
            + "".join(f"<a id='a{i}' href='/{i}'>t</a>" for i in range(5000)))
    links_module._TREES.clear()
    page_links(html, URL)
    assert not links_module._TREES


def test_a_tree_that_only_grows_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links_module, "_TREE_NODES", 50)
    links_module._TREES.clear()
    page = "<style>a{color:red}</style><body>{}</body>"
    page_links(page.replace("{}", "".join(f"<p id='x{i}'><a href='/{i}'>t</a></p>"
                                          for i in range(20))), URL)
    assert len(links_module._TREES) == 1  # 40 places: kept
    page_links(page.replace("{}", "".join(f"<p id='y{i}'><a href='/{i}'>t</a></p>"
                                          for i in range(20))), URL)
    assert not links_module._TREES  # 80 places: every element its own id, dropped


def test_pages_read_in_threads_read_as_each_alone() -> None:
    pages = [*TEMPLATE_PAGES, (PAGES / "hacked_article.html").read_text(encoding="utf-8")] * 8
    expected = [alone(html) for html in pages]
    links_module._TREES.clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(lambda html: page_links(html, URL), pages)) == expected


def test_only_the_first_elements_of_a_huge_page_are_examined() -> None:
    """A hostile page's walk stops after ``MAX_ELEMENTS`` elements, in page order: an
    anchor before the bound is read, one after it is not, however few anchors there are."""
    bound = links_module.MAX_ELEMENTS
    # <html>, <head>, <meta>, <body> and the first anchor come before the filler
    filler = "<i></i>" * (bound - 6)
    page = (f"<html><head><meta charset='utf-8'></head><body>"
            f"<a href='/first.html'>一</a>{filler}<a href='/last.html'>二</a>"
            f"<a href='/beyond.html'>三</a></body></html>")
    found = page_links(page, URL)
    assert found.links == ("http://www.mmx.gov.cn/first.html",
                           "http://www.mmx.gov.cn/last.html")
    small = page.replace(filler, filler[:70])
    assert len(page_links(small, URL).links) == 3


def _every_element_walk(html: str, limit: int) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The links and hidden anchors as the walk found them before it read only the anchors
    and their ancestors: every element of the page visited in order, its place worked out
    from its parent's (the reference the anchor-only walk must agree with)."""
    from lxml import etree

    m = links_module
    doc = m._parse(html)
    assert doc is not None
    base = m._page_base(doc, URL)
    css = "".join(s.text or "" for s in doc.iter("style"))
    sheet = m._sheet_for(css) if css.strip() else None
    matcher = m._Matcher(sheet) if sheet is not None else None
    external = any("stylesheet" in (x.get("rel") or "").lower() for x in doc.iter("link"))
    tree, links, hidden = m._Tree(), {}, {}
    chain: list = []
    nodes = [tree.root]
    for event, el in etree.iterwalk(doc, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "end":
            chain.pop()
            nodes.pop()
            continue
        tag = el.tag.lower()
        parent = nodes[-1]
        signature = m._signature(el, tag)
        node = parent.children.get(signature)
        if node is None:
            chain.append(m._info(el, tag))
            node = parent.children[signature] = m._node(el, tag, parent, chain, matcher)
        else:
            chain.append(node.info)
        nodes.append(node)
        ctx = node.ctx
        href = m._resolve(el.get("href"), base) if tag == "a" and not ctx.inert else None
        if not href or not href.lower().startswith(("http://", "https://")):
            continue
        depth = len(chain)
        reason = ctx.hidden.reason(depth) if ctx.hidden is not None else None
        if reason is None and ctx.visibility[0] in ("hidden", "collapse"):
            owner = ctx.visibility[1]
            reason = (f"visibility:{ctx.visibility[0]}（"
                      f"{'链接本身' if owner is None else m._describe(owner, depth)}）")
        if reason is None and (ctx.font_zero or ctx.indent or (
                ctx.colour and ctx.background and ctx.colour[0] == ctx.background[0])):
            reason = m._text_hiding(el, depth, node.style, ctx, m._anchor_text(el), external)
        if reason is None:
            if len(links) < limit:
                links.setdefault(href, None)
        elif href not in hidden and len(hidden) < limit:
            hidden[href] = (href, m._anchor_text(el), reason)
    return tuple(links), list(hidden.values())


def _random_page(rng: random.Random) -> str:
    tags = ["div", "span", "ul", "li", "p", "font", "marquee", "td", "table", "tr", "b",
            "template", "noscript", "section"]
    names = ["hide", "nav", "x", "y", "off", "zero", "col", "bg"]
    styles = ["display:none", "visibility:hidden", "position:absolute;left:-9999px",
              "font-size:0", "color:#fff", "background:#fff", "text-indent:-9999px",
              "width:0;height:0;overflow:hidden", "height:1px;overflow:hidden",
              "visibility:visible", "display:block", "color:red", "font: 0/0 a"]
    sheets = ["", ".hide{display:none}", ".nav .x{visibility:hidden} #off a{font-size:0}",
              "body{background:#fff} .bg{color:#fff}",
              "div > .y {position:absolute; top:-2000px} .zero{width:0;height:0}",
              ".col span{text-indent:-999px}"]

    def element(depth: int) -> str:
        if depth > 6 or rng.random() < 0.25:
            if rng.random() < 0.5:
                style = f' style="{rng.choice(styles)}"' if rng.random() < 0.3 else ""
                href = rng.choice(["http://casino.example.com/", f"/a/{rng.randint(0, 30)}.html",
                                   "#x", "javascript:void(0)", f"http://www.gov.cn/{rng.randint(0, 9)}"])
                text = rng.choice(["博彩", "新闻", "", "<img src=x>", "链接文字"])
                return f'<a href="{href}"{style}>{text}</a>'
            return rng.choice(["text", "<br>", "<!-- c -->", "&nbsp;"])
        tag = rng.choice(tags)
        attrs = ""
        if rng.random() < 0.4:
            attrs += f' class="{" ".join(rng.sample(names, rng.randint(1, 2)))}"'
        if rng.random() < 0.2:
            attrs += f' id="{rng.choice(names)}"'
        if rng.random() < 0.25:
            attrs += f' style="{rng.choice(styles)}"'
        if rng.random() < 0.05:
            attrs += " hidden"
        if tag == "font" and rng.random() < 0.5:
            attrs += ' color="#ffffff"'
        if tag in ("td", "table") and rng.random() < 0.5:
            attrs += ' bgcolor="#ffffff"'
        if tag == "marquee" and rng.random() < 0.5:
            attrs += ' width="1" height="1"'
        children = "".join(element(depth + 1) for _ in range(rng.randint(0, 4)))
        return f"<{tag}{attrs}>{children}</{tag}>"

    body = "".join(element(0) for _ in range(rng.randint(1, 5)))
    return f"<html><head><style>{rng.choice(sheets)}</style></head><body>{body}</body></html>"


def test_reading_the_anchors_alone_finds_what_a_walk_of_every_element_finds() -> None:
    """The walk works out the places of the anchors and their ancestors only; on random
    pages of nested, styled, classed and hidden blocks (600, a third with hidden anchors)
    it finds the same links and hidden anchors, with the same reasons and order, as a walk
    of every element, also when the limit cuts the lists short."""
    rng = random.Random(11)
    with_hidden = 0
    for _ in range(600):
        html = _random_page(rng)
        for limit in (200, 2):
            found = links_module.links_in(links_module._parse(html), URL, limit)
            assert (found.links, [(h.href, h.text, h.reason) for h in found.hidden]) \
                == _every_element_walk(html, limit), html
        with_hidden += bool(found.hidden)
    assert with_hidden > 100


def test_links_resolve_as_urljoin_resolves_them() -> None:
    """``_resolve``'s shortcuts (a plain relative path appended to the page's folder, site-wide
    links joined against the site's root) give what ``urljoin`` gives, less the fragment, for
    relative paths with empty, "." and ".." segments, queries and fragments, and for bases
    with and without a file, a query or a folder."""
    from itertools import product
    from urllib.parse import urldefrag, urljoin

    from crawler.extract.parsing import _clean_href, _resolve

    bases = ["http://x.gov.cn/a/b/index.html", "http://x.gov.cn/a/b/", "http://x.gov.cn",
             "https://x.gov.cn:8443/a/list.jsp?page=2", "http://x.gov.cn/a/./b//c.html",
             "http://x.gov.cn/a;p/c.html"]
    pieces = ["t1.html", ".", "..", "", "c", "?id=3", "#top"]
    hrefs = {"/".join(parts) for n in range(1, 4) for parts in product(pieces, repeat=n)}
    hrefs |= {"./" + h for h in list(hrefs)} | {"/" + h for h in list(hrefs)}
    hrefs |= {"http://y.gov.cn/z.html", "//y.gov.cn/z", "javascript:void(0)", "#", "?q=1"}
    for base, href in product(bases, sorted(hrefs)):
        cleaned = _clean_href(href)
        expected = None
        if cleaned and not cleaned.startswith("#") and not cleaned.lower().startswith(
                ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:")):
            expected = urldefrag(urljoin(base, cleaned))[0] or None
        assert _resolve(href, base) == expected, (base, href)
