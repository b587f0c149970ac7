"""Pure parts of the crawler: site profiles, account adapters, crawl health."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from crawler import accounts, extract, health, profiles
from govwatch.timeutil import CHINA

REF = date(2021, 9, 8)
NOW = datetime(2021, 9, 8, 15, 30, tzinfo=CHINA)


# ----------------------------------------------------------------------------- profiles


def test_detect_profile() -> None:
    assert profiles.detect_profile("http://x.gov.cn/gkmlpt/index#5061", None) == "gkmlpt"
    assert profiles.detect_profile("http://x.gov.cn/col/col2031/index.html", None) == "hanweb"
    assert profiles.detect_profile("http://x.gov.cn/a/", "<datastore><recordset>") == "hanweb"
    trs = '<script>createPageHTML(3, 0, "index", "html");</script>'
    assert profiles.detect_profile("http://x.gov.cn/tzgg/", trs) == "trs"
    assert profiles.detect_profile("http://x.gov.cn/tzgg/", "<ul><li>") == "generic"


def test_trs_next_page_from_create_page_html() -> None:
    url = "http://x.gov.cn/zwgk/tzgg/index.html"
    first = '<script>createPageHTML(3, 0, "index", "html");</script>'
    assert profiles.trs_next_page(first, url) == "http://x.gov.cn/zwgk/tzgg/index_1.html"
    second = "createPageHTML(3,1,'index','html')"
    assert profiles.trs_next_page(second, url) == "http://x.gov.cn/zwgk/tzgg/index_2.html"
    assert profiles.trs_next_page('createPageHTML(3, 2, "index", "html")', url) is None
    assert profiles.trs_next_page("<p>no pager</p>", url) is None


HANWEB_PAGE = """<div id="2031"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=2031&unitid=7001&webname=演示县教育局&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2021/9/6/art_2031_1001.html">秋季开学工作部署会召开</a><span>2021-09-06</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/9/1/art_2031_1000.html">教师节表彰名单公示</a><span>2021-09-01</span></li>]]></record>
</recordset></datastore></script></div>"""


def test_hanweb_first_page_and_proxy_calls() -> None:
    url = "http://x.gov.cn/col/col2031/index.html"
    page = profiles.hanweb_first_page(HANWEB_PAGE, url, REF, date(2021, 8, 4), 300)
    assert [(e.title, e.published_on) for e in page.entries] == [
        ("秋季开学工作部署会召开", date(2021, 9, 6)), ("教师节表彰名单公示", date(2021, 9, 1))]
    assert page.entries[0].url == "http://x.gov.cn/art/2021/9/6/art_2031_1001.html"
    call = page.next
    assert call is not None and call.method == "POST"
    assert call.url == ("http://x.gov.cn/module/web/jpage/dataproxy.jsp"
                        "?startrecord=3&endrecord=47&perpage=15")
    assert call.formdata is not None
    assert call.formdata["columnid"] == "2031" and call.formdata["unitid"] == "7001"
    assert call.formdata["webname"] == "演示县教育局"
    xml = ("<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>50</totalrecord>"
           "<recordset><record><![CDATA[<li><a href='/art/2021/8/20/art_2031_990.html'>"
           "暑期安全提醒</a><span>2021-08-20</span></li>]]></record></recordset></datastore>")
    more = profiles.hanweb_proxy_page(xml, call, REF, date(2021, 8, 4), 300)
    assert [e.title for e in more.entries] == ["暑期安全提醒"]
    assert more.next is not None and "startrecord=48&endrecord=50" in more.next.url
    # Past the window: stop asking.
    done = profiles.hanweb_proxy_page(xml, call, REF, date(2021, 8, 25), 300)
    assert done.next is None


def test_gkmlpt_api_pages() -> None:
    assert (profiles.gkmlpt_api_url("http://x.gov.cn/gkmlpt/index#5061")
            == "http://x.gov.cn/gkmlpt/api/all/5061?page=1")
    assert profiles.gkmlpt_api_url("http://x.gov.cn/gkmlpt/index") is None
    epoch = int(datetime(2021, 9, 7, 23, 30, tzinfo=CHINA).timestamp())  # 15:30 UTC
    body = json.dumps({"articles": [
        {"title": "关于公布2021年第三季度双随机抽查结果的通知",
         "url": "http://x.gov.cn/gkmlpt/content/3/3456/post_3456789.html",
         "create_time": epoch}], "total": 43})
    api = "http://x.gov.cn/gkmlpt/api/all/5061?page=1"
    page = profiles.gkmlpt_page(body, api, 1, date(2021, 8, 4), 5)
    assert page.entries[0].published_on == date(2021, 9, 7)  # China date, not UTC
    assert page.next is not None and page.next.url.endswith("page=2")
    empty = profiles.gkmlpt_page(json.dumps({"articles": []}), api, 5, date(2021, 8, 4), 5)
    assert empty.entries == [] and empty.next is None
    with pytest.raises(ValueError):
        profiles.gkmlpt_page("<html>", api, 1, date(2021, 8, 4), 5)


# ----------------------------------------------------------------------------- accounts


RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>演示县市场监管</title>
<item><title>开展中秋月饼质量抽检</title><link>http://x.gov.cn/b03/xw/1.html</link>
<pubDate>Tue, 07 Sep 2021 23:30:00 +0800</pubDate></item>
<item><title>无日期的一条</title><link>/b03/xw/2.html</link></item>
</channel></rss>""".encode()


def test_rss_posts_are_in_china_time() -> None:
    page = accounts.parse_feed(RSS, "http://x.gov.cn/b03/rss.xml", NOW)
    assert [p.title for p in page.posts] == ["开展中秋月饼质量抽检", "无日期的一条"]
    assert page.posts[0].published_at == datetime(2021, 9, 7, 23, 30, tzinfo=CHINA)
    assert page.posts[1].url == "http://x.gov.cn/b03/xw/2.html"
    assert page.posts[1].published_at is None
    with pytest.raises(accounts.AdapterError):
        accounts.parse_feed(b"<html><body>not a feed", "http://x.gov.cn/rss", NOW)


@pytest.mark.parametrize(("text", "expected"), [
    ("Mon Aug 30 10:00:00 +0800 2021", datetime(2021, 8, 30, 10, 0, tzinfo=CHINA)),
    ("刚刚", NOW),
    ("5分钟前", datetime(2021, 9, 8, 15, 25, tzinfo=CHINA)),
    ("3小时前", datetime(2021, 9, 8, 12, 30, tzinfo=CHINA)),
    ("今天 08:15", datetime(2021, 9, 8, 8, 15, tzinfo=CHINA)),
    ("昨天 21:40", datetime(2021, 9, 7, 21, 40, tzinfo=CHINA)),
    ("08-30", datetime(2021, 8, 30, 0, 0, tzinfo=CHINA)),
    ("2020-12-31", datetime(2020, 12, 31, 0, 0, tzinfo=CHINA)),
])
def test_weibo_times(text: str, expected: datetime) -> None:
    assert accounts.weibo_time(text, NOW) == expected


def test_weibo_api_pages_and_refusals() -> None:
    body = json.dumps({"ok": 1, "data": {"cardlistInfo": {"page": 2}, "cards": [
        {"card_type": 9, "scheme": "https://m.weibo.cn/status/K1?mblogid=K1",
         "mblog": {"id": "47", "mid": "47", "created_at": "Tue Sep 07 09:00:00 +0800 2021",
                   "text": "【健康提示】<a href='#'>#秋季腹泻#</a> 注意饮食卫生"}},
        {"card_type": 11, "card_group": []}]}}).encode()
    url = "http://x.gov.cn/api/container/getIndex?containerid=1076031000000004"
    page = accounts.parse_weibo(body, url, NOW)
    assert len(page.posts) == 1
    assert page.posts[0].title == "【健康提示】#秋季腹泻# 注意饮食卫生"
    assert page.posts[0].url == "https://m.weibo.cn/status/K1?mblogid=K1"
    assert page.next_url == url + "&page=2"
    with pytest.raises(accounts.AdapterError, match="请先登录"):
        accounts.parse_weibo(b'{"ok": -100, "msg": "\\u8bf7\\u5148\\u767b\\u5f55"}', url, NOW)
    with pytest.raises(accounts.AdapterError):
        accounts.parse_weibo(b"<html>", url, NOW)


def test_wechat_article_list() -> None:
    html = """<div class="weui_media_box appmsg"><div class="weui_media_bd">
    <h4 class="weui_media_title" hrefs="/s/abc">开学第一课：安全教育</h4>
    <p class="weui_media_extra_info">2021年9月1日</p></div></div>
    <div class="weui_media_box appmsg"><h4 class="weui_media_title" hrefs="https://mp.weixin.qq.com/s/def">
    教师节致全县教师的一封信</h4><p class="weui_media_extra_info">2021年9月10日</p></div>""".encode()
    page = accounts.parse_wechat_list(html, "http://x.gov.cn/b02/wechat/", NOW)
    assert [(p.url, p.published_at) for p in page.posts] == [
        ("http://x.gov.cn/s/abc", datetime(2021, 9, 1, tzinfo=CHINA)),
        ("https://mp.weixin.qq.com/s/def", datetime(2021, 9, 10, tzinfo=CHINA)),
    ]


# ----------------------------------------------------------------------------- health


def test_anti_bot_challenges_are_blocked_not_errors() -> None:
    ruishu = b"<script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=1;</script>"
    assert health.diagnose_status(412, ruishu).outcome == health.BLOCKED
    jsl = b"<script>document.cookie=('_')+('_')+('j')+('s')+('l');__jsl_clearance</script>"
    assert health.diagnose_status(521, jsl).outcome == health.BLOCKED
    assert health.diagnose_status(403, b"").outcome == health.BLOCKED
    plain = health.diagnose_status(500, b"<h1>Internal Server Error</h1>")
    assert (plain.outcome, plain.http_status) == (health.HTTP_ERROR, 500)
    assert health.diagnose_status(412, b"precondition failed").outcome == health.HTTP_ERROR


def test_htmldate_is_only_the_last_resort() -> None:
    labelled = "<html><body><p>发布日期：2021年8月30日</p><time datetime='2021-01-01'></time>"
    assert extract.extract_article_date(labelled, REF) == date(2021, 8, 30)
    only_markup = ("<html><head></head><body><article><time datetime='2021-08-27T10:00'>"
                   "</time><p>正文没有日期。</p></article></body></html>")
    assert extract.extract_article_date(only_markup, REF) == date(2021, 8, 27)


def test_article_after_a_stray_closing_html_tag() -> None:
    page = ("<html><head><meta name='PubDate' content='2023-10-23'></head><body>"
            "<div class='header'>头部</div></body></html>"
            "<div class='article'><h1>关于做好秋季防火工作的通知</h1>"
            "<p>发布日期：2021-08-30</p><p>本文件不作解读。理由：属内部工作安排。</p></div>")
    assert extract.extract_article_date(page, REF) == date(2021, 8, 30)
    assert extract.find_no_interpretation_statement(page) == "本文件不作解读。理由：属内部工作安排。"
