"""``_visible_text`` reads an element whose children are all leaves (a list entry) without a
walk: the text is the walk's, on saved real pages, generated list pages and odd markup."""

from __future__ import annotations

from datetime import date

import lxml.html

from bench.fixture import CrawlFixture
from crawler.extract.parsing import _parse, _visible_text, _walked_text

from .conftest import REAL_PAGES

ODD = """<html><body><ul class="list">
<li>前<a href="1.html">标题一</a><span>2021-09-01</span>后</li>
<li><!-- 注释 -->文字<a href="2.html">标题二</a><?pi x?>尾<br>换行<script>x()</script>脚本后</li>
<li><a href="3.html"></a><div>块</div><p></p>尾巴<style>.a{}</style></li>
<li><noscript>看不见</noscript><a href="4.html">标题四</a><textarea>不显示</textarea>!</li>
<li>&nbsp;<b>粗</b><i>斜</i><td>格</td><label>标</label></li>
<li></li><li><a href="5.html"><span>嵌</span>套</a><em>2021年9月1日</em></li>
<li><a href="6.html"><div>标题六</div><div>2019-12-16</div></a></li>
</ul><script>var a = "<li>";</script><select><option>选项</option></select></body></html>"""


def _pages() -> list[lxml.html.HtmlElement]:
    docs = [_parse(ODD)]
    fixture = CrawlFixture(date(2026, 11, 29), portals=2, units=4, accounts=2)
    docs += [_parse(fixture.list_page(u, c, p)) for u in range(2) for c in range(3)
             for p in (1, 2)]
    docs += [_parse(path.read_bytes()) for path in sorted(REAL_PAGES.glob("*.html"))]
    return [doc for doc in docs if doc is not None]


def test_flat_elements_read_without_a_walk_give_the_walks_text() -> None:
    compared = 0
    for doc in _pages():
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            links = [a for a in el.iter("a") if a is not el][:1]
            children = [c for c in el if isinstance(c.tag, str)]
            # what the list reader skips: the title link, a date element inside the link
            # (a block, at times), the element itself
            for skip in ([], links, children[:1], children[-1:], [el]):
                assert _visible_text(el, skip) == _walked_text(el, set(skip), None), (
                    lxml.html.tostring(el, encoding="unicode")[:200], skip)
                compared += 1
    assert compared > 1000
