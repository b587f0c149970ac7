"""The crawl fixture: a province of county portals, generated on the fly and deterministic.

``units`` units spread over ``portals`` portals (distinct loopback addresses 127.0.1.1 …, so
Scrapy gives each its own per-domain slot), each unit with ``columns`` disclosure columns of
``pages`` list pages (~20 dated entries each, like the demo portal's paginated TRS column) and
``accounts`` new-media accounts in all, each an RSS feed. Every list entry carries a date, so
no article page needs opening, and every first page lies wholly inside the crawl window, so
both crawlers fetch exactly ``pages`` pages per column: the same URL set.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from govwatch.timeutil import CHINA

ENTRIES_PER_PAGE = 20
COLUMN_NAMES = ("通知公告", "政务动态", "工作动态", "政策文件", "政策解读", "财政信息",
                "人事信息", "规划计划", "重点领域", "办事指南")
PLACES = ("城关", "河西", "六泉", "东岭", "南塘", "北山", "石桥", "青龙", "白云", "金沙",
          "长乐", "永安", "太平", "新华", "安平", "兴隆")
TOPICS = ("秋季森林防火工作", "农村人居环境整治", "安全生产专项检查", "防汛抗旱工作部署",
          "乡村振兴重点项目", "营商环境优化提升", "城乡居民医保参保", "义务教育招生工作",
          "耕地保护专项整治", "民生实事项目推进", "扫黑除恶常态化", "文明城市创建工作",
          "疫情防控常态化", "生态环境保护督察", "财政预算执行情况", "农业产业结构调整")
ACTIONS = ("关于做好{t}的通知", "关于开展{t}的公告", "{o}召开{t}推进会", "{o}部署{t}",
           "关于{t}情况的通报", "{t}工作简报（第{n}期）", "{o}扎实推进{t}", "关于印发{t}方案的通知")


def _h(*parts: object) -> int:
    """A stable small hash (the same on every run and machine)."""
    return zlib.crc32("/".join(map(str, parts)).encode())


def loopback_host(portal: int) -> str:
    """Portal ``portal`` (0-based) → its loopback address 127.0.1.1, 127.0.1.2, …"""
    third, fourth = divmod(portal, 254)
    return f"127.0.{1 + third}.{fourth + 1}"


@dataclass(frozen=True)
class CrawlFixture:
    """The size and shape of a crawl fixture, and everything derived from it."""

    reference: date  # the crawl's "today": list dates count back from it
    portals: int = 100
    units: int = 2000
    columns: int = 10
    pages: int = 2
    accounts: int = 4000
    port: int = 18080
    hosts: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hosts",
                           tuple(loopback_host(p) for p in range(self.portals)))

    def scaled(self, factor: int) -> CrawlFixture:
        """The same fixture ``factor`` times larger (portals, units and accounts)."""
        return CrawlFixture(self.reference, self.portals * factor, self.units * factor,
                            self.columns, self.pages, self.accounts * factor, self.port)

    # ---------------------------------------------------------------- URLs

    def base(self, unit: int) -> str:
        return f"http://{self.hosts[unit % self.portals]}:{self.port}"

    def column_url(self, unit: int, column: int, page: int = 1) -> str:
        name = "index.html" if page == 1 else f"index_{page - 1}.html"
        return f"{self.base(unit)}/u{unit:05d}/c{column}/{name}"

    def account_unit(self, account: int) -> tuple[int, int]:
        """(unit, index within the unit) of an account."""
        index, unit = divmod(account, self.units)
        return unit, index

    def account_url(self, account: int) -> str:
        unit, index = self.account_unit(account)
        return f"{self.base(unit)}/u{unit:05d}/m{index}/rss.xml"

    def column_chains(self) -> list[list[str]]:
        """Per column, its list pages in the order a crawler reaches them."""
        return [[self.column_url(u, c, p) for p in range(1, self.pages + 1)]
                for u in range(self.units) for c in range(self.columns)]

    def account_urls(self) -> list[str]:
        return [self.account_url(a) for a in range(self.accounts)]

    @property
    def expected_pages(self) -> int:
        return self.units * self.columns * self.pages + self.accounts

    # ---------------------------------------------------------------- names

    def unit_name(self, unit: int) -> str:
        place = PLACES[unit % len(PLACES)]
        return f"{place}{'镇' if unit % 3 else '乡'}{unit:05d}"

    def unit_code(self, unit: int) -> str:
        return f"U{unit:05d}"

    # ---------------------------------------------------------------- pages

    def newest_age(self, unit: int, column: int) -> int:
        """Days since the column's newest entry (0–11: a few columns are stale)."""
        return _h("age", unit, column) % 12

    def entry_title(self, unit: int, column: int, k: int) -> str:
        seed = _h("title", unit, column, k)
        pattern = ACTIONS[seed % len(ACTIONS)]
        topic = TOPICS[(seed >> 4) % len(TOPICS)]
        return pattern.format(t=topic, o=self.unit_name(unit), n=1 + (seed >> 8) % 40)

    def list_page(self, unit: int, column: int, page: int) -> bytes:
        """A list page of ~20 dated entries with a TRS-style pager, ~7 KB."""
        first = (page - 1) * ENTRIES_PER_PAGE
        newest = self.newest_age(unit, column)
        rows = []
        for k in range(first, first + ENTRIES_PER_PAGE):
            day = self.reference - timedelta(days=newest + k)
            title = escape(self.entry_title(unit, column, k))
            rows.append(f'<li><a href="./t{day:%Y%m%d}_{unit:05d}{column}{k:03d}.html" '
                        f'target="_blank" title="{title}">{title}</a>'
                        f"<span>{day:%Y-%m-%d}</span></li>")
        total = self.pages + 3  # the portal has more pages than the crawler is allowed to read

        def name(i: int) -> str:
            return "index.html" if i == 0 else f"index_{i}.html"

        links = [f'<a href="{name(0)}">首页</a>']
        if page > 1:
            links.append(f'<a href="{name(page - 2)}">上一页</a>')
        if page < total:
            links.append(f'<a href="{name(page)}">下一页</a>')
        links.append(f'<a href="{name(total - 1)}">尾页</a>')
        column_name = COLUMN_NAMES[column % len(COLUMN_NAMES)]
        content = (
            f'<div class="list-hd"><h2>{column_name}</h2></div>\n'
            f'<div class="list-bd">\n<ul class="list">\n' + "\n".join(rows) + "\n</ul>\n</div>\n"
            f'<div class="pages"><span>共{total * ENTRIES_PER_PAGE}条 当前第{page}/{total}页'
            f"</span> {' '.join(links)}</div>"
        )
        return _layout(f"{column_name}_{self.unit_name(unit)}", self.unit_name(unit),
                       content).encode("utf-8")

    def feed(self, unit: int, index: int) -> bytes:
        """An account's RSS 2.0 feed: ~20 posts over the last three weeks (a few thin weeks)."""
        items = []
        day = self.reference
        k = 0
        while k < ENTRIES_PER_PAGE:
            seed = _h("post", unit, index, k)
            stamp = datetime.combine(day, time(8 + seed % 10, (seed >> 5) % 60), CHINA)
            title = escape(self.entry_title(unit, 20 + index, k))
            link = f"{self.base(unit)}/u{unit:05d}/m{index}/p{stamp:%Y%m%d%H%M}_{k}.html"
            items.append(f"<item><title>{title}</title><link>{link}</link>"
                         f"<guid>{link}</guid><pubDate>{format_datetime(stamp)}</pubDate>"
                         f"<description>{title}</description></item>")
            k += 1
            day -= timedelta(days=1 + seed % 2)
        name = f"{self.unit_name(unit)}发布{index + 1}"
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(name)}</title><link>{self.base(unit)}/u{unit:05d}/</link>"
            f"<description>{escape(name)}政务信息</description><language>zh-cn</language>"
            + "".join(items) + "</channel></rss>\n"
        ).encode("utf-8")

    # ---------------------------------------------------------------- config

    def write_config(self, path: Path, data_dir: Path, *, concurrency: int, max_pages: int,
                     window_days: int = 35, processes: int | None = None,
                     check_links: bool = True) -> None:
        """The county YAML of the fixture (all columns 'general': lists carry dates);
        ``processes``: crawl processes (default: govwatch's, one per core); ``check_links``
        off: pages' links neither kept nor checked (what the link checks cost)."""
        lines = [
            "# Benchmark fixture (generated by bench/fixture.py); not a real county.",
            "county: 基准省",
            "settings:",
            f"  data_dir: {data_dir}",
            "  thresholds: {stale_days: 7, min_weekly_posts: 3, crawl_failure_days: 2}",
            f"  crawl: {{window_days: {window_days}, max_pages: {max_pages}, download_delay: 0,"
            f" concurrent_requests_per_domain: {concurrency}, timeout: 30, retry_times: 1,"
            " obey_robots: true" + (f", processes: {processes}" if processes else "")
            + ("" if check_links else ", check_links: false") + "}",
            "units:",
        ]
        per_unit: dict[int, list[int]] = {}
        for a in range(self.accounts):
            per_unit.setdefault(self.account_unit(a)[0], []).append(a)
        for u in range(self.units):
            lines += [f"  - code: {self.unit_code(u)}", f"    name: {self.unit_name(u)}",
                      f"    category: {'A' if u % 3 else 'B'}", "    columns:"]
            for c in range(self.columns):
                name = f"{COLUMN_NAMES[c % len(COLUMN_NAMES)]}{c // len(COLUMN_NAMES) or ''}"
                lines.append(f"      - {{name: {name}, url: '{self.column_url(u, c)}',"
                             " kind: general}")
            accounts = per_unit.get(u, [])
            if accounts:
                lines.append("    accounts:")
                for a in accounts:
                    index = self.account_unit(a)[1]
                    lines.append(f"      - {{name: 政务微博{index + 1}, platform: rss,"
                                 f" url: '{self.account_url(a)}'}}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_CSS = ("body{margin:0;font:14px/1.6 'Microsoft YaHei',SimSun,sans-serif;color:#333}"
        ".wrap{width:1100px;margin:0 auto}.nav ul,.list{list-style:none;margin:0;padding:0}"
        ".nav li{float:left;padding:0 18px}.list li{border-bottom:1px dashed #ddd;padding:6px 0}"
        ".list li span{float:right;color:#999}.pages{text-align:center;margin:16px 0}"
        ".footer{background:#f4f4f4;color:#666;text-align:center;padding:20px 0}")
_NAV = "".join(f'<li><a href="/{slug}/">{name}</a></li>' for name, slug in (
    ("首页", ""), ("政务公开", "zwgk"), ("政务服务", "zwfw"), ("互动交流", "hdjl"),
    ("走进本县", "zjbx"), ("专题专栏", "ztzl")))
_FRIENDS = "".join(f'<li><a href="http://www.{slug}.gov.cn/" target="_blank">{name}</a></li>'
                   for name, slug in (("中国政府网", "www"), ("省人民政府", "sheng"),
                                      ("市人民政府", "shi"), ("县人民政府", "xian")))


def _layout(title: str, unit_name: str, content: str) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" \
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="SiteName" content="基准省政府门户网站" />
<title>{escape(title)}</title>
<style type="text/css">{_CSS}</style>
</head>
<body>
<div class="wrap">
<div class="top-bar"><a href="/">设为首页</a><a href="/">加入收藏</a>\
<a href="/">无障碍浏览</a></div>
<div class="header"><h1>基准省政府门户网站</h1></div>
<div class="nav"><ul>{_NAV}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <span>{escape(unit_name)}</span></div>
<div class="main"><div class="content">
{content}
</div></div>
<div class="footer">
<div class="friend">友情链接：<ul>{_FRIENDS}</ul></div>
<p>主办单位：基准省人民政府办公厅　承办单位：基准省政务公开办公室</p>
<p>本站为govwatch基准测试网站，所有单位和内容均为虚构。</p>
</div>
</div>
</body>
</html>
"""
