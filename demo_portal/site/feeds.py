"""New-media accounts: posts per ISO week as ``SourceSpec.weekly_posts`` says.

The WeChat profile list and its articles (some posts of B02's account re-titled to carry the
interpretations ``measures.INTERPRETATIONS`` says, see ``carry_interpretations``), the RSS 2.0
feed (plus an Atom feed of the same posts) with its article pages, and the Weibo container API
pages (``getIndex``), status pages and profile page.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from demo_portal.site.base import _Article
from demo_portal.site.markup import _token, cn_date, esc, rfc822, weibo_time
from demo_portal.site.measure_pages import _MeasurePages
from demo_portal.site.sources import (
    ATOM_PATH,
    CST,
    JSON_TYPE,
    UNIT_BY_CODE,
    WEIBO_API,
    WEIBO_CONTAINER,
    WEIBO_PAGE_SIZE,
    WEIBO_PROFILE,
    WEIBO_UID,
    SourceSpec,
)
from demo_portal.site.text import POOLS


class _FeedPages(_MeasurePages):
    """The WeChat, RSS/Atom and Weibo accounts."""

    def posts(self, src: SourceSpec) -> list[_Article]:
        """An account's posts following ``src.weekly_posts``, newest first."""
        unit = UNIT_BY_CODE[src.unit]
        rng = self.rng(src.path)
        pool = POOLS[src.path]
        monday = self.as_of - timedelta(days=self.as_of.weekday())
        stamps: list[datetime] = []
        for k, count in enumerate(src.weekly_posts):
            start = monday - timedelta(weeks=k)
            last = self.as_of.weekday() if k == 0 else 6
            days = sorted(rng.sample(range(last + 1), count))
            stamps += [self.stamp(start + timedelta(days=d), rng) for d in days]
        stamps.sort(reverse=True)
        arts = []
        for i, published in enumerate(stamps):
            title, topic = pool.pick(i, unit.name, published.year)
            arts.append(
                _Article(
                    title,
                    "",
                    published,
                    unit.org,
                    self.paragraphs(rng, topic, unit.org, published.date()),
                    topic,
                    views=rng.randint(300, 20000),
                )
            )
        return arts

    def wechat(self, src: SourceSpec) -> None:
        arts = self.posts(src)
        if src.unit == "B02":
            self.carry_interpretations(arts)
        blocks = []
        for i, art in enumerate(arts):
            token = _token(self.as_of, src.path, i)
            art.path = f"{src.path}s/{token}"
            msgid = 2247483000 + len(arts) - i
            href = esc(self.absolute(art.path))
            blocks.append(
                f'<div class="weui_media_box appmsg" msgid="{msgid}" id="WXAPPMSG{msgid}">\n'
                f'<span class="weui_media_hd" hrefs="{href}" data-s="640"></span>\n'
                f'<div class="weui_media_bd">\n'
                f'<h4 class="weui_media_title" hrefs="{href}">{esc(art.title)}</h4>\n'
                f'<p class="weui_media_desc">{self.digest(art)}</p>\n'
                f'<p class="weui_media_extra_info">{cn_date(art.published.date())}</p>\n'
                "</div>\n</div>"
            )
            self.add_html(art.path, self.wechat_article(src, art))
        text = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" />
<meta name="viewport" content="width=device-width,initial-scale=1.0,user-scalable=0" />
<title>{esc(src.name)}</title>
<style>body{{font-family:-apple-system,"PingFang SC",sans-serif;margin:0;background:#f7f7f7}}
.profile_info{{background:#fff;padding:20px}}.weui_media_box{{background:#fff;padding:15px 20px;
border-bottom:1px solid #eee}}.weui_media_title{{margin:0 0 6px;font-size:17px}}
.weui_media_desc,.weui_media_extra_info{{color:#999;font-size:13px;margin:2px 0}}</style>
</head>
<body id="activity-profile" class="zh_CN">
<div class="profile_info_area">
<div class="profile_info"><strong class="profile_nickname">{esc(src.name)}</strong>
<p class="profile_account">微信号：yanshijiaoyu</p>
<p class="profile_desc">演示县教育局官方微信公众号，发布全县教育工作动态和政策信息。</p></div>
</div>
<div class="weui_panel weui_panel_access">
<div class="weui_panel_hd">全部消息</div>
<div class="weui_msg_card_list" id="history">
{chr(10).join(blocks)}
</div>
</div>
</body></html>
"""
        self.add_html(src.path, text)
        self.entries[src.path] = tuple(a.entry() for a in arts)

    @staticmethod
    def digest(art: _Article) -> str:
        """A post's summary on the profile list (HTML): its digest, or its text's start."""
        if art.digest is not None:
            return esc(art.digest)
        return f"{esc(art.paragraphs[0][:40])}…"

    def wechat_article(self, src: SourceSpec, art: _Article) -> str:
        text = "\n".join(f'<p style="text-indent:2em">{esc(p)}</p>' for p in art.paragraphs)
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" />
<meta property="og:title" content="{esc(art.title)}" />
<title>{esc(art.title)}</title></head>
<body id="activity-detail" class="zh_CN mm_appmsg">
<div class="rich_media_area_primary">
<h1 class="rich_media_title" id="activity-name">{esc(art.title)}</h1>
<div id="meta_content" class="rich_media_meta_list">
<span class="rich_media_meta rich_media_meta_text">原创</span>
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt">\
<a href="{src.path}" id="js_name">{esc(src.name)}</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">\
{art.published:%Y-%m-%d %H:%M}</em>
</div>
<div class="rich_media_content" id="js_content">
{text}
</div>
<div class="rich_media_tool"><span>阅读 {art.views}</span></div>
</div>
<script type="text/javascript">
var nickname = "{esc(src.name)}";
var user_name = "gh_7e3c0a1b2d4f";
var ct = "{int(art.published.timestamp())}";
var msg_title = "{esc(art.title)}".html(false);
</script>
</body></html>
"""

    def rss(self, src: SourceSpec) -> None:
        unit = UNIT_BY_CODE[src.unit]
        arts = self.posts(src)
        serial_base = 52000
        feed_src = SourceSpec(src.unit, "新闻资讯", f"/{unit.slug}/", "column", "general", "", None)
        for i, art in enumerate(arts):
            art.path = f"/b03/xw/{serial_base + len(arts) - i}.html"
            self.add_html(art.path, self.article_page(feed_src, unit, art))
        self.entries[src.path] = tuple(a.entry() for a in arts)
        newest = arts[0].published if arts else datetime.combine(self.as_of, time(0), CST)
        items = "\n".join(
            f"<item>\n<title>{xml_escape(a.title)}</title>\n"
            f"<link>{xml_escape(self.absolute(a.path))}</link>\n"
            f'<guid isPermaLink="true">{xml_escape(self.absolute(a.path))}</guid>\n'
            f"<pubDate>{rfc822(a.published)}</pubDate>\n"
            f"<description>{xml_escape(a.paragraphs[0])}</description>\n</item>"
            for a in arts
        )
        rss = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{xml_escape(src.name)}</title>
<link>{xml_escape(self.absolute(f"/{unit.slug}/"))}</link>
<description>{unit.org}政务信息</description>
<language>zh-cn</language>
<lastBuildDate>{rfc822(newest)}</lastBuildDate>
<atom:link href="{xml_escape(self.absolute(src.path))}" rel="self" \
type="application/rss+xml" />
{items}
</channel>
</rss>
"""
        self.add_data(src.path, rss, "application/rss+xml; charset=utf-8")
        entries = "\n".join(
            f"<entry>\n<title>{xml_escape(a.title)}</title>\n"
            f'<link rel="alternate" href="{xml_escape(self.absolute(a.path))}" />\n'
            f"<id>tag:ys.gov.cn,2016:{a.path}</id>\n"
            f"<published>{a.published.isoformat()}</published>\n"
            f"<updated>{a.published.isoformat()}</updated>\n"
            f"<summary>{xml_escape(a.paragraphs[0])}</summary>\n</entry>"
            for a in arts
        )
        atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-cn">
<title>{xml_escape(src.name)}</title>
<id>tag:ys.gov.cn,2016:{ATOM_PATH}</id>
<updated>{newest.isoformat()}</updated>
<link rel="self" href="{xml_escape(self.absolute(ATOM_PATH))}" />
<link rel="alternate" href="{xml_escape(self.absolute(f"/{unit.slug}/"))}" />
<author><name>{unit.org}</name></author>
{entries}
</feed>
"""
        self.add_data(ATOM_PATH, atom, "application/atom+xml; charset=utf-8")

    def weibo(self, src: SourceSpec) -> None:
        unit = UNIT_BY_CODE[src.unit]
        arts = self.posts(src)
        tag = "#健康演示#"
        search = (
            "https://m.weibo.cn/search?containerid="
            + quote(f"231522type=1&q={tag}", safe="")
            + "&extparam="
            + quote(tag, safe="")
        )
        user = {
            "id": WEIBO_UID,
            "screen_name": src.name,
            "verified": True,
            "verified_type": 1,
            "description": f"{unit.org}官方微博",
        }
        cards = []
        for i, art in enumerate(arts):
            mid = str(4600000000000000 + int(art.published.timestamp()) * 10 + i % 10)
            art.path = f"{WEIBO_PROFILE}status/{mid}"
            text = (
                f"{esc(art.title)}{esc(art.paragraphs[0])}"
                f'<a href="{esc(search)}" data-hide=""><span class="surl-text">{tag}</span></a> '
            )
            mblog = {
                "visible": {"type": 0, "list_id": 0},
                "created_at": weibo_time(art.published),
                "id": mid,
                "mid": mid,
                "bid": _token("bid", mid, length=9),
                "text": text,
                "source": "微博 weibo.com",
                "isLongText": False,
                "reposts_count": art.views % 37,
                "comments_count": art.views % 23,
                "attitudes_count": art.views % 151,
                "user": user,
            }
            cards.append(
                {
                    "card_type": 9,
                    "itemid": f"{WEIBO_CONTAINER}_-_{mid}",
                    "scheme": self.absolute(art.path),
                    "mblog": mblog,
                }
            )
            status = {"status": mblog}
            self.add_html(art.path, self.weibo_status(src, art, status))
        self.entries[src.path] = tuple(a.entry() for a in arts)
        chunks = [cards[i : i + WEIBO_PAGE_SIZE] for i in range(0, len(cards), WEIBO_PAGE_SIZE)]
        for n, chunk in enumerate(chunks, start=1):
            data = {
                "ok": 1,
                "data": {
                    "cardlistInfo": {
                        "containerid": WEIBO_CONTAINER,
                        "v_p": 42,
                        "show_style": 1,
                        "total": len(cards),
                        "page": n + 1 if n < len(chunks) else None,
                    },
                    "cards": chunk,
                    "scheme": f"sinaweibo://cardlist?containerid={WEIBO_CONTAINER}",
                    "showAppTips": 0,
                },
            }
            key = f"{WEIBO_API}?containerid={WEIBO_CONTAINER}&page={n}"
            self.add_data(key, json.dumps(data, ensure_ascii=False), JSON_TYPE)
        api = f"{WEIBO_API}?containerid={WEIBO_CONTAINER}&amp;page=1"
        profile = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" />
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1" />
<title>{esc(src.name)}的微博</title></head>
<body>
<div id="app" data-uid="{WEIBO_UID}" data-containerid="{WEIBO_CONTAINER}">
<div class="profile-header"><h2 class="m-text-cut">{esc(src.name)}</h2>
<p class="profile-desc">{esc(user["description"])}</p>
<p>微博 {len(cards)}　关注 56　粉丝 1.2万</p></div>
<p><a href="{api}">查看全部微博</a></p>
<p><a href="/{unit.slug}/">返回{unit.name}</a></p>
</div>
</body></html>
"""
        self.add_html(WEIBO_PROFILE, profile)

    def weibo_status(self, src: SourceSpec, art: _Article, status: dict) -> str:
        data = json.dumps([status], ensure_ascii=False).replace("</", "<\\/")
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" /><title>微博正文 - 微博</title></head>
<body>
<div class="weibo-main"><header class="weibo-top"><h3 class="m-text-cut">{esc(src.name)}</h3>
<h4 class="m-text-cut"><span class="time">{art.published:%Y-%m-%d %H:%M}</span>
<span class="from">来自 微博 weibo.com</span></h4></header>
<article class="weibo-text">{status["status"]["text"]}</article></div>
<script>
var $render_data = {data}[0] || {{}};
</script>
</body></html>
"""
