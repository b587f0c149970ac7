"""The builder's shared machinery: its state, page layout and item generation.

``_BuilderBase`` holds what a build accumulates (pages, ground-truth entries, Hanweb records,
gkmlpt categories) and the helpers every page shape uses: seeded ``random.Random`` per source,
publication stamps, the portal layout (header, nav, side menu, crumbs, footer), article pages,
``general_articles`` / ``spread_articles`` (the dated items of a column), ``publish``,
``list_column`` and ``column_page``, and the two hooks ``national_pages`` fills
(``plant_articles``, ``list_extra``). ``_Article`` is an item being built. Nothing here does I/O
or reads the clock: every date comes from the as-of date.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from demo_portal.site.markup import CSS, DOCTYPE, FRIEND_LINKS, NAV, WEEKDAYS, esc
from demo_portal.site.model import Entry, GkmlptCategory, Page
from demo_portal.site.policies import PolicyDoc
from demo_portal.site.sources import (
    CST,
    HOSTILE_INDEX,
    HOSTILE_PATH,
    HOSTILE_TITLE,
    SITE_NAME,
    SOURCES,
    WEIBO_PROFILE,
    SourceSpec,
    Unit,
)
from demo_portal.site.text import CLOSINGS, MIDDLES, POOLS


@dataclass
class _Article:
    title: str
    path: str
    published: datetime
    org: str
    paragraphs: tuple[str, ...]
    topic: str = ""
    views: int = 0
    doc_no: str | None = None
    written_on: date | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, path) shown after the text
    policy: PolicyDoc | None = None
    digest: str | None = None  # a WeChat post's summary when not its text's first 40 chars
    extra: str = ""  # HTML after the paragraphs, inside the text block (tables, links)

    def entry(self) -> Entry:
        return Entry(self.title, self.path, self.published)



@dataclass
class _BuilderBase:
    """The builder's state (pages, entries, data-proxy records) and what every shape uses:
    seeded randomness, the page layout, article pages and item generation. The shape mixins
    (``lists``, ``cms``, ``faults``, ``policy_pages``, ``measure_pages``, ``national_pages``,
    ``feeds``) add the pages."""

    as_of: date
    base_url: str
    pages: dict[str, Page] = field(default_factory=dict)
    entries: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    hanweb: dict[int, tuple[str, ...]] = field(default_factory=dict)
    gkmlpt: dict[int, GkmlptCategory] = field(default_factory=dict)

    # -- helpers -------------------------------------------------------------------------

    def rng(self, key: str) -> random.Random:
        return random.Random(f"{self.as_of.isoformat()}|{key}")

    def absolute(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def stamp(self, day: date, rng: random.Random) -> datetime:
        """A publication time on ``day``; early morning when ``day`` is the as-of date."""
        hour = rng.randint(7, 8) if day == self.as_of else rng.randint(8, 18)
        return datetime.combine(day, time(hour, rng.randrange(0, 60)), CST)

    def day(self, age: int) -> date:
        return self.as_of - timedelta(days=age)

    def paragraphs(self, rng: random.Random, topic: str, org: str, when: date) -> tuple[str, ...]:
        event = when - timedelta(days=rng.choice((0, 1, 1, 2)))
        lead = rng.choice(("近日", "日前", f"{event.month}月{event.day}日"))
        first = (
            f"{lead}，{org}围绕{topic}工作召开专题会议，传达学习上级有关会议和文件精神，"
            "分析当前形势，安排部署下一阶段重点任务。"
        )
        middle = rng.sample(MIDDLES, 2)
        closing = rng.choice(CLOSINGS).format(org=org, t=topic)
        return (first, *middle, closing)

    def add_html(self, path: str, text: str, encoding: str = "utf-8", status: int = 200) -> None:
        if encoding == "utf-8":
            self.pages[path] = Page(text.encode("utf-8"), "text/html; charset=utf-8", status)
        else:  # charset declared only in the <meta http-equiv>, as on many old portals
            self.pages[path] = Page(text.encode(encoding), "text/html", status)

    def add_data(self, path: str, text: str, content_type: str) -> None:
        self.pages[path] = Page(text.encode("utf-8"), content_type)

    # -- page furniture ------------------------------------------------------------------

    def layout(
        self,
        title: str,
        crumbs: list[tuple[str, str | None]],
        content: str,
        unit: Unit | None = None,
        charset: str = "utf-8",
        head: str = "",
    ) -> str:
        today = f"{self.as_of.year}年{self.as_of:%m}月{self.as_of:%d}日"
        weekday = WEEKDAYS[self.as_of.weekday()]
        nav = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in NAV)
        trail = ['<a href="/">首页</a>']
        for name, href in crumbs:
            here = f"<span>{esc(name)}</span>"
            trail.append(f'<a href="{href}">{esc(name)}</a>' if href else here)
        friends = "".join(
            f'<li><a href="{href}" target="_blank">{name}</a></li>' for name, href in FRIEND_LINKS
        )
        body = content
        if unit is not None:
            side = f'<div class="side">{self.side_menu(unit)}</div>'
            body = f'{side}<div class="content">{content}</div>'
        return f"""{DOCTYPE}
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<meta name="SiteName" content="{SITE_NAME}" />
<meta name="SiteIDCode" content="3609990001" />
<title>{esc(title)}_{SITE_NAME}</title>
<style type="text/css">{CSS}</style>
{head}</head>
<body>
<div class="wrap">
<div class="top-bar"><span class="fr"><a href="/">设为首页</a><a href="/">加入收藏</a>\
<a href="/">无障碍浏览</a><a href="/">English</a></span>今天是：{today} 星期{weekday}</div>
<div class="header"><h1>{SITE_NAME}</h1></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="crumb">当前位置：{" &gt; ".join(trail)}</div>
<div class="main">
{body}
</div>
<div class="footer">
<div class="friend">友情链接：<ul>{friends}</ul></div>
<p><a href="/zjys/">关于我们</a>|<a href="/">网站地图</a>|<a href="/hdjl/">联系我们</a></p>
<p>主办单位：演示县人民政府办公室　承办单位：演示县政务公开办公室</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">演ICP备20160001号-1</a>\
<a href="http://www.beian.gov.cn/" target="_blank">演公网安备 36099902000123号</a>\
网站标识码：3609990001</p>
<p>本站为govwatch演示网站，所有单位、人名和内容均为虚构。</p>
</div>
</div>
</body>
</html>
"""

    def side_menu(self, unit: Unit) -> str:
        links = []
        for src in SOURCES:
            if src.unit != unit.code:
                continue
            href, label = src.path, src.name
            if src.shape == "weibo":
                href, label = WEIBO_PROFILE, f"政务微博：{src.name}"
            elif src.shape == "wechat":
                label = f"微信公众号：{src.name}"
            elif src.shape == "rss":
                label = f"RSS订阅：{src.name}"
            links.append(f'<li><a href="{href}">{esc(label)}</a></li>')
        return (
            f'<h3><a href="/{unit.slug}/" style="color:#fff">{unit.name}</a></h3>'
            f'<ul class="side-menu">{"".join(links)}</ul>'
        )

    def column_crumbs(self, unit: Unit, src: SourceSpec) -> list[tuple[str, str | None]]:
        return [(unit.name, f"/{unit.slug}/"), (src.name, None)]

    def list_box(self, src: SourceSpec, inner: str, pager: str = "") -> str:
        return (
            f'<div class="list-hd"><h2>{esc(src.name)}</h2></div>\n'
            f'<div class="list-bd">\n{inner}\n</div>\n{pager}'
        )

    def count_line(self, n: int) -> str:
        return f'<div class="pages"><span>共{n}条记录</span> <span>第1/1页</span></div>'

    def article_page(self, src: SourceSpec, unit: Unit, art: _Article) -> str:
        info = (
            f"发布日期：{art.published:%Y-%m-%d %H:%M}　　来源：{esc(art.org)}　　"
            '字号：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            f'<a href="javascript:doZoom(14)">小</a>]　　阅读次数：{art.views}'
        )
        meta = ""
        if art.doc_no and art.written_on:
            serial = art.path.rsplit("_", 1)[-1].split(".")[0]
            meta = (
                '<table class="meta"><tr>'
                f"<td>索引号：11360999MB0001234X/{art.written_on.year}-{serial}</td>"
                f"<td>发布机构：{esc(art.org)}</td></tr><tr>"
                f"<td>文号：{esc(art.doc_no)}</td>"
                f"<td>成文日期：{art.written_on.year}年{art.written_on:%m}月{art.written_on:%d}日"
                "</td></tr></table>"
            )
        text = "\n".join(f"<p>{esc(p)}</p>" for p in art.paragraphs)
        if art.extra:
            text += "\n" + art.extra
        links = "".join(
            f'<p class="related">【<a href="{href}">{esc(label)}</a>】</p>'
            for label, href in art.links
        )
        content = f"""<div class="article">
<h1>{esc(art.title)}</h1>
<div class="info">{info}</div>
{meta}
<div class="text" id="zoom">
{text}
</div>
{links}
<div class="tools"><a href="javascript:window.print()">【打印本页】</a>\
<a href="javascript:window.close()">【关闭窗口】</a></div>
</div>"""
        crumbs = [(unit.name, f"/{unit.slug}/"), (src.name, src.path), ("正文", None)]
        charset = "gb2312" if src.encoding == "gbk" else "utf-8"
        return self.layout(art.title, crumbs, content, unit, charset)

    # -- item generation -----------------------------------------------------------------

    def general_articles(
        self,
        src: SourceSpec,
        unit: Unit,
        url: Callable[[datetime, int], str],
        count: int | None = None,
        gaps: tuple[int, ...] = (0, 1, 2, 2, 3, 3, 4, 4, 5),
    ) -> list[_Article]:
        """20–40 dated items back ~90 days, the newest ``src.newest_age`` days old."""
        assert src.newest_age is not None
        rng = self.rng(src.path)
        pool = POOLS[src.path]
        ages = [src.newest_age]
        while len(ages) < (count or 40):
            age = ages[-1] + rng.choice(gaps)
            if count is None and age > src.newest_age + 90:
                break
            ages.append(age)
        n = len(ages)
        serial_base = 1000 * (SOURCES.index(src) + 11)
        arts = []
        for i, age in enumerate(ages):
            published = self.stamp(self.day(age), rng)
            title, topic = pool.pick(i, unit.name, published.year)
            if src.path == HOSTILE_PATH and i == HOSTILE_INDEX:
                title, topic = HOSTILE_TITLE, "防汛备汛"
            arts.append(
                _Article(
                    title,
                    url(published, serial_base + n - i),
                    published,
                    unit.org,
                    self.paragraphs(rng, topic, unit.org, published.date()),
                    topic,
                    views=rng.randint(80, 3000),
                )
            )
        self.plant_articles(src, unit, arts)
        return arts

    def plant_articles(self, src: SourceSpec, unit: Unit, arts: list[_Article]) -> None:
        """Change some items ``general_articles`` made for ``src`` (newest first) in place,
        before they are listed and published; ``national_pages`` plants its text and link
        checks here. Nothing by default."""

    def list_extra(self, src: SourceSpec) -> str:
        """HTML a column's list page shows after the list (``column_page``);
        ``national_pages`` plants hidden links here. Nothing by default."""
        return ""

    def spread_articles(
        self,
        src: SourceSpec,
        unit: Unit,
        url: Callable[[datetime, int], str],
        count: int,
        serial_base: int,
        hours: tuple[int, ...] = (),
    ) -> list[_Article]:
        """Exactly ``count`` items over 84–89 days, newest ``src.newest_age`` days old, sorted
        newest first; serials ``serial_base + 1`` (oldest) … ``serial_base + count``."""
        assert src.newest_age is not None and count >= 2
        rng = self.rng(src.path)
        pool = POOLS[src.path]
        span = rng.randint(84, 89)
        newest = src.newest_age
        ages = [newest, newest + span] + [newest + rng.randint(0, span) for _ in range(count - 2)]
        stamps = []
        for age in ages:
            published = self.stamp(self.day(age), rng)
            if hours:  # e.g. early-morning posts whose UTC date is the day before
                published = published.replace(hour=rng.choice(hours))
            stamps.append(published)
        stamps.sort(reverse=True)
        arts = []
        for i, published in enumerate(stamps):
            title, topic = pool.pick(i, unit.name, published.year)
            arts.append(
                _Article(
                    title,
                    url(published, serial_base + count - i),
                    published,
                    unit.org,
                    self.paragraphs(rng, topic, unit.org, published.date()),
                    topic,
                    views=rng.randint(80, 3000),
                )
            )
        return arts

    def publish(self, src: SourceSpec, unit: Unit, arts: list[_Article]) -> None:
        """Serve every article page and record the ground-truth entries."""
        for art in arts:
            self.add_html(art.path, self.article_page(src, unit, art), src.encoding)
        self.entries[src.path] = tuple(a.entry() for a in arts)

    @staticmethod
    def trs(prefix: str) -> Callable[[datetime, int], str]:
        return lambda dt, n: f"{prefix}{dt:%Y%m}/t{dt:%Y%m%d}_{n}.html"

    @staticmethod
    def plain(prefix: str, stem: str = "content_") -> Callable[[datetime, int], str]:
        return lambda dt, n: f"{prefix}{stem}{n}.html"

    # -- column pages --------------------------------------------------------------------

    def list_column(self, src: SourceSpec, unit: Unit, arts: list[_Article],
                    row: Callable[[_Article], str], container: str) -> None:
        """A column whose page is one list of ``row(article)`` inside ``container``."""
        close = f"</{container[1:].split()[0].rstrip('>')}>"
        rows = "\n".join(row(a) for a in arts)
        inner = f"{container}\n{rows}\n{close}"
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(arts))))
        self.publish(src, unit, arts)

    def column_page(self, src: SourceSpec, unit: Unit, content: str) -> None:
        charset = "gb2312" if src.encoding == "gbk" else "utf-8"
        content += self.list_extra(src)
        text = self.layout(src.name, self.column_crumbs(unit, src), content, unit, charset)
        self.add_html(src.path, text, src.encoding)
