"""List page templates of the plain column shapes.

The ``SHAPES`` ul-span, gbk-cn, table, paged, archive, bracket, no-date, div-list, ul-fr and
js-json: each ``shape_*`` method of ``_ListShapes`` generates one column's list page(s) — static
HTML, GBK bytes, TRS-style static pagination, or a JS shell fed by a JSON list — and its
article pages.
"""

from __future__ import annotations

import json

from demo_portal.site.base import _Article, _BuilderBase
from demo_portal.site.markup import cn_date, esc
from demo_portal.site.sources import (
    JSON_LIST_PATH,
    JSON_TYPE,
    PAGE_SIZE,
    SOURCES,
    SourceSpec,
    Unit,
)
from demo_portal.site.text import ARCHIVE_ITEMS


class _ListShapes(_BuilderBase):
    """The plain list columns: one list page (or static pages) plus article pages."""

    def shape_ul_span(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.trs(src.path))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            ),
            '<ul class="list news-list">',
        )

    def shape_gbk_cn(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.trs(src.path))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a>'
            f'<span class="date">{cn_date(a.published.date())}</span></li>'
            ),
            '<ul class="list">',
        )

    def shape_table(self, src: SourceSpec, unit: Unit) -> None:
        column = 1200 + SOURCES.index(src)
        arts = self.general_articles(
            src,
            unit,
            lambda dt, n: f"{src.path}art/{dt.year}/{dt.month}/{dt.day}/art_{column}_{n}.html",
        )
        rows = "\n".join(
            f'<tr><td class="bt"><a href="{a.path}" target="_blank">{esc(a.title)}</a></td>'
            f'<td class="rq" align="center">{a.published.year}/{a.published.month}/'
            f"{a.published.day}</td></tr>"
            for a in arts
        )
        inner = (
            '<table class="xxgk-list" width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            '<tr class="list-head"><th>标题</th><th width="120">发布日期</th></tr>\n'
            f"{rows}\n</table>"
        )
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(arts))))
        self.publish(src, unit, arts)

    def shape_paged(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(
            src, unit, self.trs(src.path), count=3 * PAGE_SIZE, gaps=(0, 1, 1, 2, 2, 3)
        )
        pages = [arts[i : i + PAGE_SIZE] for i in range(0, len(arts), PAGE_SIZE)]
        total = len(pages)

        def name(k: int) -> str:
            return "index.html" if k == 0 else f"index_{k}.html"

        for k, chunk in enumerate(pages):
            rows = "\n".join(
                f'<li><a href="./{a.path.removeprefix(src.path)}" target="_blank">'
                f"{esc(a.title)}</a><span>{a.published:%Y-%m-%d}</span></li>"
                for a in chunk
            )
            links = [f'<a href="{name(0)}">首页</a>']
            if k > 0:
                links.append(f'<a href="{name(k - 1)}">上一页</a>')
            if k < total - 1:
                links.append(f'<a href="{name(k + 1)}">下一页</a>')
            links.append(f'<a href="{name(total - 1)}">尾页</a>')
            pager = (
                '<div class="pages">\n<script type="text/javascript">\n'
                f'createPageHTML({total}, {k}, "index", "html");\n</script>\n'
                f"<span>共{len(arts)}条 当前第{k + 1}/{total}页</span> {' '.join(links)}\n</div>"
            )
            inner = f'<ul class="list">\n{rows}\n</ul>'
            head = (
                '<script type="text/javascript">\n'
                "// TRS WCM pager hook; the static pager below is what visitors use.\n"
                "function createPageHTML(count, current, prefix, ext) { return; }\n</script>\n"
            )
            text = self.layout(
                src.name,
                self.column_crumbs(unit, src),
                self.list_box(src, inner, pager),
                unit,
                head=head,
            )
            self.add_html(src.path + name(k), text)
            if k == 0:
                self.add_html(src.path, text)
        self.publish(src, unit, arts)

    def shape_archive(self, src: SourceSpec, unit: Unit) -> None:
        rng = self.rng(src.path)
        arts = []
        for i, (title, age) in enumerate(ARCHIVE_ITEMS):
            published = self.stamp(self.day(age), rng)
            text = (
                f"{title}如下（如有变动，以最新公布为准）。",
                f"{unit.org}地址：演示县六泉乡六泉街1号；办公时间：工作日上午8:00—12:00，"
                "下午14:30—17:30（夏季）。",
                "联系电话：0799-6123456。",
            )
            arts.append(
                _Article(
                    title,
                    f"{src.path}content_{9000 - i}.html",
                    published,
                    unit.org,
                    text,
                    views=rng.randint(200, 5000),
                )
            )
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}">{esc(a.title)}</a><span>{a.published:%Y-%m-%d}</span></li>'
            ),
            '<ul class="list">',
        )

    def shape_bracket(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.plain(src.path))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a> '
            f'<span class="time">[{a.published:%m-%d}]</span></li>'
            ),
            '<ul class="list">',
        )

    def shape_no_date(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.plain(src.path))
        rows = "\n".join(
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a></li>' for a in arts
        )
        inner = f'<ul class="list">\n{rows}\n</ul>'
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(arts))))
        self.publish(src, unit, arts)

    def shape_div_list(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.plain(src.path, "detail_"))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<div class="news-item"><a href="{a.path}" target="_blank">{esc(a.title)}</a>'
            f"<em>{a.published:%Y.%m.%d}</em></div>"
            ),
            '<div class="news-list">',
        )

    def shape_ul_fr(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, lambda dt, n: f"{src.path}{dt:%Y%m%d}/{n}.html")
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><span class="fr">{a.published:%Y-%m-%d}</span>'
            f'<a href="{a.path}" target="_blank">{esc(a.title)}</a></li>'
            ),
            '<ul class="list list-con">',
        )

    def shape_js_json(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.trs(src.path))
        data = {
            "total": len(arts),
            "items": [
                {"title": a.title, "url": a.path, "date": f"{a.published:%Y-%m-%d}"} for a in arts
            ],
        }
        self.add_data(JSON_LIST_PATH, json.dumps(data, ensure_ascii=False), JSON_TYPE)
        script = f"""<script type="text/javascript">
(function () {{
  var list = document.getElementById("list");
  fetch("{JSON_LIST_PATH}")
    .then(function (r) {{ return r.json(); }})
    .then(function (data) {{
      list.innerHTML = "";
      data.items.forEach(function (it) {{
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = it.url;
        a.target = "_blank";
        a.textContent = it.title;
        var span = document.createElement("span");
        span.textContent = it.date;
        li.appendChild(a);
        li.appendChild(span);
        list.appendChild(li);
      }});
    }})
    .catch(function () {{
      list.innerHTML = '<li class="error">加载失败，请刷新页面重试</li>';
    }});
}})();
</script>"""
        inner = f'<ul id="list"><li class="loading">加载中…</li></ul>\n{script}'
        self.column_page(src, unit, self.list_box(src, inner))
        self.publish(src, unit, arts)
