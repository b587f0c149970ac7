"""The national checks' pages, generated from ``national``: B02's own small site (``/jyj/``)
and the portal's 最新动态 list, the blank 专项公开 column, the 公示公告 column released in
batches, and — through the ``_BuilderBase`` hooks ``plant_articles`` and ``list_extra`` — the
plants in generated columns: the 错敏词, the 公示 with 身份证号, the dead link and the hidden
links.

The 公示公告 items are the only ones not seeded by the as-of date: their titles, paths, times and
texts come from the item, so every as-of date that lists an item shows the same item.
"""

from __future__ import annotations

import random
from datetime import datetime, time

from demo_portal.site.base import _Article, _BuilderBase
from demo_portal.site.markup import esc
from demo_portal.site.national import (
    BLANK_COLUMN,
    CONTACT_LINES,
    DEAD_LINK,
    HIDDEN_LINKS,
    JYJ_BOXES,
    LINK_NEAR_MISSES,
    MASKED_NOTICE,
    PERSONAL_INFO,
    PORTAL_HOME,
    PORTAL_LATEST_FROM,
    PORTAL_LATEST_HEADING,
    PORTAL_LATEST_PER_COLUMN,
    WRONG_EXPRESSION,
    WRONG_EXPRESSION_NEAR_MISSES,
    WRONG_SENTENCE,
    GsggItem,
    Notice,
    gsgg_items,
)
from demo_portal.site.sources import CST, SourceSpec, Unit
from demo_portal.site.text import POOLS

JYJ_SERIAL = {"/jyj/gzdt/": 3300, "/jyj/tzgg/": 3400}


def _dated_row(art: _Article) -> str:
    return (
        f'<li><a href="{art.path}" target="_blank" title="{esc(art.title)}">{esc(art.title)}</a>'
        f"<span>{art.published:%Y-%m-%d}</span></li>"
    )


class _NationalPages(_BuilderBase):
    """The homepages, the blank and the back-dating columns, and the plants in others."""

    # -- homepages -------------------------------------------------------------------------

    def jyj_box(self, src: SourceSpec, unit: Unit, folder: str,
                ages: tuple[int, ...]) -> list[_Article]:
        """One box of B02's site: its items (``ages`` days old), their pages served."""
        rng = self.rng(folder)
        pool = POOLS[folder]
        base = JYJ_SERIAL[folder]
        arts = []
        for i, age in enumerate(ages):
            published = self.stamp(self.day(age), rng)
            title, topic = pool.pick(i, unit.name, published.year)
            serial = base + len(ages) - i
            path = (
                f"{folder}{published:%Y%m}/t{published:%Y%m%d}_{serial}.html"
                if folder.endswith("gzdt/")
                else f"{folder}content_{serial}.html"
            )
            arts.append(
                _Article(
                    title,
                    path,
                    published,
                    unit.org,
                    self.paragraphs(rng, topic, unit.org, published.date()),
                    topic,
                    views=rng.randint(50, 1500),
                )
            )
        for art in arts:
            self.add_html(art.path, self.article_page(src, unit, art))
        return arts

    def shape_homepage(self, src: SourceSpec, unit: Unit) -> None:
        """B02 县教育局's own small site: a welcome line and boxes of dated links."""
        found: list[_Article] = []
        boxes = []
        for heading, folder, ages in JYJ_BOXES:
            arts = self.jyj_box(src, unit, folder, ages)
            found += arts
            rows = "\n".join(_dated_row(a) for a in arts)
            boxes.append(
                f'<div class="home-box" id="{folder.rstrip("/").rsplit("/", 1)[-1]}">\n'
                f'<div class="list-hd"><h2>{esc(heading)}</h2></div>\n'
                f'<ul class="list">\n{rows}\n</ul>\n</div>'
            )
        content = (
            f'<div class="list-hd"><h2>{esc(unit.org)}</h2></div>\n'
            f"<p>欢迎访问{esc(unit.org)}网站。"
            f'<a href="/{unit.slug}/">政务公开</a> <a href="/b02/zcjd/">政策解读</a></p>\n'
            + "\n".join(boxes)
        )
        self.add_html(src.path, self.layout(unit.org, [(unit.org, None)], content))
        found.sort(key=lambda a: a.published, reverse=True)
        self.entries[src.path] = tuple(a.entry() for a in found)

    def portal_latest(self) -> str:
        """The portal 首页's 最新动态 list (the newest items of a few columns, already built),
        recorded as the entries of the portal homepage source."""
        picked = [
            e for path in PORTAL_LATEST_FROM for e in self.entries[path][:PORTAL_LATEST_PER_COLUMN]
        ]
        picked.sort(key=lambda e: e.published, reverse=True)
        self.entries[PORTAL_HOME.path] = tuple(picked)
        rows = "\n".join(
            f'<li><a href="{e.path}" target="_blank" title="{esc(e.title)}">{esc(e.title)}</a>'
            f"<span>{e.published:%Y-%m-%d}</span></li>"
            for e in picked
        )
        return (
            f'<div class="list-hd"><h2>{PORTAL_LATEST_HEADING}</h2></div>\n'
            f'<ul class="list news-list" id="zxdt">\n{rows}\n</ul>\n'
        )

    # -- blank column ----------------------------------------------------------------------

    def shape_blank(self, src: SourceSpec, unit: Unit) -> None:
        """The page frame of a column with nothing in it: 暂无信息 where the list would be."""
        inner = (
            '<ul class="list">\n</ul>\n'
            '<div class="no-data" style="text-align:center;padding:60px 0;color:#999">'
            f"{BLANK_COLUMN.notice}</div>"
        )
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(0)))
        self.entries[src.path] = ()

    # -- 公示公告, released in batches -------------------------------------------------------

    def shape_backdated(self, src: SourceSpec, unit: Unit) -> None:
        arts = []
        for item in gsgg_items(self.as_of):
            rng = random.Random(item.path)  # the item's, not the as-of date's
            published = datetime.combine(
                item.published, time(rng.randint(8, 17), rng.randrange(60)), CST
            )
            arts.append(
                _Article(
                    item.title,
                    item.path,
                    published,
                    unit.org,
                    self.gsgg_text(item),
                    views=rng.randint(60, 900),
                )
            )
        self.list_column(src, unit, arts, _dated_row, '<ul class="list">')

    @staticmethod
    def gsgg_text(item: GsggItem) -> tuple[str, ...]:
        core = item.title.removeprefix("城关镇关于").removeprefix("城关镇")
        core = core.removesuffix("的公示").removesuffix("公示")
        return (
            "根据有关政策规定，经村（社区）初审、入户核查、民主评议和镇人民政府审核，"
            f"现将{core}予以公示。",
            "公示期为5个工作日（自发布之日起计算）。公示期间，如有异议，请以书面形式向"
            "城关镇社会事务办公室反映。",
            "监督电话：0799-6123456。",
        )

    # -- plants in generated columns (hooks of _BuilderBase) -------------------------------

    def plant_articles(self, src: SourceSpec, unit: Unit, arts: list[_Article]) -> None:
        for plant in (WRONG_EXPRESSION, *WRONG_EXPRESSION_NEAR_MISSES):
            if plant.column == src.path:
                art = arts[plant.article]
                sentence = WRONG_SENTENCE.format(phrase=plant.phrase, topic=art.topic)
                art.paragraphs = (art.paragraphs[0], sentence, *art.paragraphs[1:])
        for notice in (PERSONAL_INFO, MASKED_NOTICE):
            if notice.column == src.path:
                self.plant_notice(arts[notice.article], notice)
        if src.path == DEAD_LINK.column:
            self.plant_links(arts[DEAD_LINK.article])

    @staticmethod
    def plant_notice(art: _Article, notice: Notice) -> None:
        """Turn ``art`` into the 公示 ``notice`` (same date and path)."""
        y = art.published.year
        art.title = notice.title.format(y=y)
        art.topic = "公示"
        art.paragraphs = (notice.intro.format(y=y),)
        rows = "\n".join(
            f"<tr><td>{k}</td><td>{esc(p.name)}</td><td>{esc(p.gender)}</td>"
            f"<td>{esc(p.id_number)}</td><td>{esc(p.post)}</td></tr>"
            for k, p in enumerate(notice.people, start=1)
        )
        closing = (
            "公示期为5个工作日（自发布之日起计算）。公示期间，如有异议，请以书面形式实名向"
            "河西镇党政综合办公室反映，并提供必要的调查线索。",
            *CONTACT_LINES,
        )
        post = "拟聘用岗位" if "聘用" in notice.title else "拟录用岗位"
        art.extra = (
            '<table class="gs-table" border="1" cellspacing="0" cellpadding="4">\n'
            f"<tr><th>序号</th><th>姓名</th><th>性别</th><th>身份证号</th><th>{post}</th></tr>\n"
            f"{rows}\n</table>\n" + "\n".join(f"<p>{esc(line)}</p>" for line in closing)
        )

    @staticmethod
    def plant_links(art: _Article) -> None:
        """An attachment link answering 404 and, beside it, two links that are no finding."""
        related = "　".join(
            f'<a href="{link.href}"'
            + ("" if link.href.startswith("/") else ' target="_blank"')
            + f">{esc(link.label)}</a>"
            for link in LINK_NEAR_MISSES
        )
        art.extra = (
            f'<p>附件：<a href="{DEAD_LINK.href}">{esc(DEAD_LINK.label)}</a></p>\n'
            f"<p>相关链接：{related}</p>"
        )

    def list_extra(self, src: SourceSpec) -> str:
        return "".join(
            f'\n<div style="display:none"><a href="{h.href}">{esc(h.text)}</a></div>'
            for h in HIDDEN_LINKS
            if h.column == src.path
        )
