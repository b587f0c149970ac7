"""Broken and defended sources: the failure shapes a crawl must record as such.

An HTTP 500 column, a column answered only after ``SLOW_DELAY`` (timeout), the 瑞数 (HTTP 412)
and 加速乐 (HTTP 521) anti-bot challenges, and a column padded to ``OVERSIZED_BYTES``
(too_large). Nothing here does I/O or reads the clock.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime, time

from demo_portal.site.base import _BuilderBase
from demo_portal.site.markup import DOCTYPE, _token, esc
from demo_portal.site.model import Page
from demo_portal.site.sources import (
    CST,
    OVERSIZED_BYTES,
    RUISHU_JS,
    SLOW_DELAY,
    SourceSpec,
    Unit,
)

RUISHU_SCRIPT = """/* dynamic security bootstrap (demo stub): the real script is obfuscated,
   computes a cookie from $_ts.cd and reloads the page. */
(function () { var _$ts = window.$_ts || {}; void _$ts; })();
"""


@functools.cache
def _filler() -> bytes:
    """Digit-free base64-looking lines, enough for the oversized page's padding."""
    line = b"QUFBQUFB" * 9 + b"QUFB\n"
    return line * (OVERSIZED_BYTES // len(line) + 1)


def _padding(size: int) -> bytes:
    """An HTML comment of exactly ``size`` bytes."""
    head, tail = "<!-- 轮播图历史数据（已停用）\n".encode(), b"\n-->"
    return head + _filler()[: size - len(head) - len(tail)] + tail


class _FaultShapes(_BuilderBase):
    """The http-500, slow, ruishu-412, jsl-521 and oversized columns."""

    def shape_http_500(self, src: SourceSpec, unit: Unit) -> None:
        text = f"""{DOCTYPE}
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>500 - 服务器内部错误</title></head>
<body><h1>500 - 服务器内部错误</h1>
<p>抱歉，您访问的页面暂时无法显示，请稍后再试。</p>
<hr /><p>java.lang.NullPointerException at com.trs.cms.ColumnServlet.doGet</p>
<p><a href="/">返回首页</a></p></body></html>
"""
        self.add_html(src.path, text, status=500)
        self.add_html(src.path + "index.html", text, status=500)

    def shape_slow(self, src: SourceSpec, unit: Unit) -> None:
        """A valid list the server answers only after ``SLOW_DELAY`` seconds."""
        arts = self.spread_articles(src, unit, self.plain(src.path, "xzcf_"), 36, 5200)
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            ),
            '<ul class="list">',
        )
        self.pages[src.path] = replace(self.pages[src.path], delay=SLOW_DELAY)

    def shape_ruishu_412(self, src: SourceSpec, unit: Unit) -> None:
        """瑞数-style challenge: HTTP 412 and a $_ts bootstrap script, whatever is asked."""
        rng = self.rng(src.path)
        letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
        cd = "qqqq" + "".join(rng.choice(letters) for _ in range(1600))
        text = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
            f'$_ts.nsd=12345;$_ts.cd="{cd}";</script>'
            f'<script type="text/javascript" charset="utf-8" src="{RUISHU_JS}"></script>'
            "</head><body></body></html>"
        )
        cookie = f"FSSBBIl1UgzbN7NS={_token(self.as_of, src.path, length=64)}; Path=/; HttpOnly"
        page = Page(text.encode("utf-8"), status=412, headers=(("Set-Cookie", cookie),))
        self.pages[src.path] = self.pages[src.path + "index.html"] = page
        self.add_data(RUISHU_JS, RUISHU_SCRIPT, "application/javascript; charset=utf-8")

    def shape_jsl_521(self, src: SourceSpec, unit: Unit) -> None:
        """加速乐-style challenge: HTTP 521 and a script that sets __jsl_clearance."""
        rng = self.rng(src.path)
        issued = int(datetime.combine(self.as_of, time(9), CST).timestamp())
        value = f"{issued}.{rng.randint(100, 999)}|0|{_token(self.as_of, src.path, length=30)}"
        pieces = "+".join(f"('{c}')" for c in f"__jsl_clearance={value}")
        text = (
            f"<script>document.cookie={pieces}+';max-age=3600;path=/';"
            "var _jsl_tn='__jsl_clearance';"
            "location.href=location.pathname+location.search</script>"
        )
        cookie = f"__jsluid_h={_token('jsluid', self.as_of, length=32)}; max-age=31536000; path=/"
        page = Page(text.encode("utf-8"), status=521, headers=(("Set-Cookie", cookie),))
        self.pages[src.path] = self.pages[src.path + "index.html"] = page

    def shape_oversized(self, src: SourceSpec, unit: Unit) -> None:
        """A valid list padded with an HTML comment to exactly ``OVERSIZED_BYTES``."""
        arts = self.spread_articles(src, unit, self.trs(src.path), 32, 6100)
        rows = "\n".join(
            f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            for a in arts
        )
        marker = "<!--@PADDING@-->"
        inner = f'<ul class="list pic-list">\n{rows}\n</ul>\n{marker}'
        text = self.layout(
            src.name,
            self.column_crumbs(unit, src),
            self.list_box(src, inner, self.count_line(len(arts))),
            unit,
        )
        head, tail = text.encode("utf-8").split(marker.encode())
        self.pages[src.path] = Page(head + _padding(OVERSIZED_BYTES - len(head) - len(tail)) + tail)
        self.publish(src, unit, arts)
