"""New-media posts carry their own text (for matching posts against interpretations): HTML
stripped, whitespace collapsed, at most 2,000 characters; the account spider stores it as the
entry's body."""

from __future__ import annotations

import json
from datetime import date, datetime

import scrapy
from scrapy.http import TextResponse

from crawler import accounts
from crawler.items import EntryBatch
from crawler.job import SourceSpec
from crawler.spiders.account import AccountSpider
from govwatch.timeutil import CHINA

NOW = datetime(2021, 9, 8, 15, 30, tzinfo=CHINA)
FEED_URL = "http://x.gov.cn/b03/rss.xml"


def rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            + "".join(items) + "</channel></rss>").encode()


def item(description: str, link: str = "/b03/xw/1.html") -> str:
    return f"<item><title>一条</title><link>{link}</link><description>{description}</description></item>"


# ----------------------------------------------------------------------------- RSS / Atom


def test_rss_description_is_the_posts_text() -> None:
    body = rss(
        item("县市场监管局开展中秋月饼质量抽检。"),
        item("&lt;p&gt;第一段&lt;/p&gt;&lt;p&gt;第二段&lt;br/&gt;第三行 A &amp;amp; B&lt;/p&gt;", "/2.html"),
        item("<![CDATA[<p>通知<b>加粗</b></p><script>alert('x')</script><style>p{color:red}</style>"
             "<img src='/a.jpg'>  尾巴\n\n换行]]>", "/3.html"),
        "<item><title>无描述</title><link>/4.html</link></item>",
    )
    texts = [post.text for post in accounts.parse_feed(body, FEED_URL, NOW).posts]
    assert texts == ["县市场监管局开展中秋月饼质量抽检。", "第一段 第二段 第三行 A & B", "通知加粗 尾巴 换行", ""]


def test_fast_rss_reading_gives_the_text_feedparser_gives() -> None:
    for description in ("纯文本", "A &amp; B", "&lt;p&gt;段落&lt;/p&gt;&lt;p&gt;二&lt;/p&gt;",
                        "<![CDATA[<div>  多个   空白 <a href='/x'>链接</a>&nbsp;后面</div>]]>",
                        "<![CDATA[<table><tr><td>一</td><td>二</td></tr></table>]]>"):
        body = rss(item(description))
        fast = accounts._plain_rss_posts(body, FEED_URL)
        assert fast is not None and fast[0].text, description
        assert fast == accounts._feedparser_posts(body, FEED_URL).posts, description
    # form fields and noscript, whose text feedparser's sanitiser keeps: left to feedparser
    assert accounts._plain_rss_posts(rss(item("<![CDATA[<textarea>x</textarea>]]>")),
                                     FEED_URL) is None


def test_atom_content_before_summary_and_rss_content_encoded() -> None:
    atom = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>t</title><entry><title>a</title><link href='/1.html'/>"
            "<summary>摘要</summary><content type='html'>&lt;p&gt;全文&lt;/p&gt;&lt;p&gt;第二段&lt;/p&gt;"
            "</content></entry><entry><title>b</title><link href='/2.html'/><summary>只有摘要"
            "</summary></entry></feed>").encode()
    assert [p.text for p in accounts.parse_feed(atom, FEED_URL, NOW).posts] == ["全文 第二段",
                                                                                 "只有摘要"]
    encoded = rss('<item xmlns:content="http://purl.org/rss/1.0/modules/content/"><title>c</title>'
                  "<link>/3.html</link><description>导语</description>"
                  "<content:encoded><![CDATA[<p>正文全文</p>]]></content:encoded></item>")
    assert accounts.parse_feed(encoded, FEED_URL, NOW).posts[0].text == "正文全文"


def test_text_is_at_most_2000_characters() -> None:
    long = "<![CDATA[<p>" + "政策解读。" * 1000 + "</p>]]>"
    post = accounts.parse_feed(rss(item(long)), FEED_URL, NOW).posts[0]
    assert len(post.text) == accounts.POST_TEXT_LIMIT == 2000
    assert post.text == ("政策解读。" * 400)


# ----------------------------------------------------------------------------- Weibo


def weibo(*texts: str) -> bytes:
    cards = [{"card_type": 9, "scheme": f"https://m.weibo.cn/status/K{k}",
              "mblog": {"id": str(k), "created_at": "Tue Sep 07 09:00:00 +0800 2021", "text": text}}
             for k, text in enumerate(texts)]
    return json.dumps({"ok": 1, "data": {"cardlistInfo": {}, "cards": cards}}).encode()


def test_weibo_text_is_the_whole_post() -> None:
    body = weibo(
        "【解读】<a href='/search?containerid=231522'>#养老保险新政#</a> 一图读懂<br />"
        "缴费档次调整为14档<br/>"
        "<span class='url-icon'><img alt='[心]' src='https://h5.sinaimg.cn/m/emoticon/xin.png'></span>"
        "<a href='https://weibo.cn/sinaurl?u=x'><span class='surl-text'>网页链接</span></a>",
        "第一行 ...<a href=\"/status/4711\">全文</a>",
    )
    posts = accounts.parse_weibo(body, "http://x.gov.cn/api/container/getIndex?containerid=1",
                                 NOW).posts
    # the title is still the first line, as before
    assert [p.title for p in posts] == ["【解读】#养老保险新政# 一图读懂", "第一行 ...全文"]
    assert [p.text for p in posts] == [
        "【解读】#养老保险新政# 一图读懂 缴费档次调整为14档 网页链接",
        "第一行 ...",  # the 全文 link is the page's, not the post's
    ]


# ----------------------------------------------------------------------------- WeChat


def test_wechat_list_digest_is_the_posts_text() -> None:
    html = """<div class="weui_media_box appmsg"><div class="weui_media_bd">
    <h4 class="weui_media_title" hrefs="/s/abc">开学第一课：安全教育</h4>
    <p class="weui_media_desc">  全县中小学开展
      安全教育&amp;应急演练<script>track()</script></p>
    <p class="weui_media_extra_info">2021年9月1日</p></div></div>
    <div class="weui_media_box appmsg"><h4 class="weui_media_title" hrefs="/s/def">无摘要</h4>
    <p class="weui_media_extra_info">2021年9月2日</p></div>""".encode()
    posts = accounts.parse_wechat_list(html, "http://x.gov.cn/b02/wechat/", NOW).posts
    assert [p.text for p in posts] == ["全县中小学开展 安全教育&应急演练", ""]


def test_html_account_lists_have_no_text() -> None:
    html = ("<html><body><ul><li><a href='/a/1.html'>关于开展秋季森林防火工作的通知</a>"
            "<span>2021-09-01</span></li><li><a href='/a/2.html'>县政府召开常务会议研究部署</a>"
            "<span>2021-09-02</span></li><li><a href='/a/3.html'>关于印发养老服务补贴办法的通知</a>"
            "<span>2021-09-03</span></li></ul></body></html>").encode()
    posts = accounts.parse_html_list(html, "http://x.gov.cn/a/", NOW).posts
    assert posts and all(p.text == "" for p in posts)


# ----------------------------------------------------------------------------- the spider


def test_account_spider_stores_the_text_as_the_entrys_body() -> None:
    source = SourceSpec(1, "A01", "演示县发布", "account", "rss", FEED_URL)
    spider = AccountSpider([source], reference_date=date(2021, 9, 8))
    spider._in_flight[1] = 2  # another request still out: the source is not finished
    body = rss(item("<![CDATA[<p>正文</p>]]>"), "<item><title>无描述</title><link>/2.html</link></item>")
    request = scrapy.Request(FEED_URL, meta={"source_id": 1, "page": 2})  # no snapshot
    response = TextResponse(FEED_URL, body=body, encoding="utf-8", request=request)
    batches = [b for b in spider.parse_posts(response) if isinstance(b, EntryBatch)]
    assert [(e.url, e.body) for b in batches for e in b.entries] == [
        ("http://x.gov.cn/b03/xw/1.html", "正文"), ("http://x.gov.cn/2.html", None)]
