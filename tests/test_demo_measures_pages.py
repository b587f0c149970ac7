"""The demo portal's measured rubric lines: what the pages show is the ground truth of
``demo_portal.site.measures`` (interpretation forms and channels, 留言 reply times, annual
reports), read from the generated pages with lxml, for several as-of dates."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from lxml import html as lxml_html

from demo_portal.site import (
    ANNUAL_REPORT_COLUMNS,
    CST,
    INTERPRETATIONS,
    MESSAGES,
    MISSING_ANNUAL_REPORT,
    REPLY_HOURS,
    SOURCE_BY_PATH,
    SOURCES,
    UNIT_BY_CODE,
    WECHAT_NEAR_MISS,
    Site,
    annual_reports,
    build_site,
    interpretation_age,
    latest_due_year,
)

DECEMBER = date(2026, 12, 9)  # a Wednesday
AFTER_DUE = date(2027, 2, 1)  # a Monday, the day after the annual reports' due date
DUE_DAY = date(2027, 1, 31)  # the due date itself: not yet passed
NEW_YEAR_MONDAY = date(2022, 1, 3)
NEW_YEARS_DAY = date(2027, 1, 1)
MID_JANUARY = date(2027, 1, 20)
DEMO_DAY = date(2021, 9, 8)
AS_OFS = [DECEMBER, AFTER_DUE, DUE_DAY, MID_JANUARY, NEW_YEAR_MONDAY, NEW_YEARS_DAY, DEMO_DAY]
MEASURED = ("/b02/zcjd/", "/a02/hdjl/", "/a03/ndbg/", "/b03/ndbg/")
INTERP_COLUMN, BOARD, WECHAT = "/b02/zcjd/", "/a02/hdjl/", "/b02/wechat/"
KEYWORDS = re.compile(r"图解|一图|图说|视频")
WECHAT_PATTERN = (1, 1, 3, 3, 4, 5, 4)
STAMP = "%Y-%m-%d %H:%M:%S"
_SITES: dict[date, Site] = {}


def site_for(as_of: date) -> Site:
    if as_of not in _SITES:
        _SITES[as_of] = build_site(as_of)
    return _SITES[as_of]


@pytest.fixture(params=AS_OFS, ids=str)
def site(request: pytest.FixtureRequest) -> Site:
    return site_for(request.param)


def page(site: Site, path: str) -> lxml_html.HtmlElement:
    found = site.pages[path]
    assert found.status == 200 and found.content_type == "text/html; charset=utf-8", path
    return lxml_html.fromstring(found.body.decode("utf-8"))


def text(node: lxml_html.HtmlElement) -> str:
    return "".join(node.text_content().split())


def list_rows(site: Site, path: str) -> list[tuple[str, str, date]]:
    """(href, title, date) of a ul/li column with <span>YYYY-MM-DD</span>."""
    doc = page(site, path)
    return [
        (li.xpath("./a/@href")[0], li.xpath("./a")[0].text_content(),
         date.fromisoformat(li.xpath("./span")[0].text_content()))
        for li in doc.xpath('//div[@class="list-bd"]//li')
    ]


def norm(title: str) -> str:
    """A title without a 【解读】 prefix, punctuation and whitespace."""
    return re.sub(r"[\W_]+", "", title.removeprefix("【解读】"))


# --------------------------------------------------------------------------- ground truth


def test_ground_truth_as_planned() -> None:
    assert len(INTERPRETATIONS) == 10
    assert len({i.title for i in INTERPRETATIONS}) == len({i.path for i in INTERPRETATIONS}) == 10
    assert Counter((i.form, i.recognisable) for i in INTERPRETATIONS) == {
        ("graphic", "title"): 3,
        ("graphic", "page"): 2,
        ("video", "title"): 1,
        ("video", "page"): 1,
        ("video", "player"): 1,
        ("text", "page"): 2,
    }
    assert sum(i.varied for i in INTERPRETATIONS) == 8
    carried = [i for i in INTERPRETATIONS if i.carried_on_wechat]
    assert len(carried) == 4 and all(i.wechat_title for i in carried)
    assert {i.form for i in carried} == {"graphic", "video", "text"}
    assert all(norm(i.wechat_title) == norm(i.title) for i in carried)  # lightly edited
    assert {i.title == i.wechat_title for i in carried} == {True, False}
    assert all(i.wechat_title is None for i in INTERPRETATIONS if not i.carried_on_wechat)
    assert not next(i for i in INTERPRETATIONS if i.key == WECHAT_NEAR_MISS[0]).carried_on_wechat
    assert all(3 <= i.age <= 30 for i in INTERPRETATIONS)
    for i in INTERPRETATIONS:  # the title tells the form exactly when it is recognised by it
        assert bool(KEYWORDS.search(i.title)) == (i.recognisable == "title"), i.title
    late = [m for m in MESSAGES if m.late]
    assert [m.key for m in late] == ["M1"]
    for m in MESSAGES:
        assert m.late == (m.reply_after is not None
                          and m.reply_after > timedelta(hours=REPLY_HOURS))
    assert [c.unit for c in ANNUAL_REPORT_COLUMNS] == ["A03", "B03"]
    assert MISSING_ANNUAL_REPORT == "B03"
    new = SOURCES[-4:]
    assert [(s.unit, s.path, s.kind) for s in new] == [
        ("B02", INTERP_COLUMN, "interpretation"),
        ("A02", BOARD, "messages"),
        ("A03", "/a03/ndbg/", "annual_report"),
        ("B03", "/b03/ndbg/", "annual_report"),
    ]
    assert all(not s.expect_update and not s.is_stale() and s.fault is None for s in new)
    assert SOURCE_BY_PATH[WECHAT].weekly_posts == WECHAT_PATTERN


@pytest.mark.parametrize(
    ("as_of", "ages"),
    [
        (date(2027, 3, 5), [3, 30]),
        (date(2027, 1, 31), [3, 30]),  # 30 days after 1 January: the nominal ages
        (date(2027, 1, 30), [2, 29]),  # squeezed: 3 * 29 // 30, 30 * 29 // 30
        (date(2027, 1, 3), [0, 2]),
        (date(2027, 1, 1), [0, 0]),
    ],
    ids=str,
)
def test_interpretation_ages_stay_in_the_year(as_of: date, ages: list[int]) -> None:
    assert [interpretation_age(a, as_of) for a in (3, 30)] == ages
    for i in INTERPRETATIONS:
        day = as_of - timedelta(days=interpretation_age(i.age, as_of))
        assert day.year == as_of.year and day <= as_of


# --------------------------------------------------------------------------- interpretations


def test_interpretation_column_lists_the_ten(site: Site) -> None:
    rows = list_rows(site, INTERP_COLUMN)
    by_path = {i.path: i for i in INTERPRETATIONS}
    assert len(rows) == 10 and {h for h, _, _ in rows} == set(by_path)
    for href, title, day in rows:
        rec = by_path[href]
        assert title == rec.title
        assert day == site.as_of - timedelta(days=interpretation_age(rec.age, site.as_of))
        assert day.year == site.as_of.year and day <= site.as_of
        if site.as_of >= date(site.as_of.year, 1, 31):
            assert 3 <= (site.as_of - day).days <= 30
    assert [d for _, _, d in rows] == sorted((d for _, _, d in rows), reverse=True)
    assert [(e.path, e.title, e.published.date()) for e in site.entries[INTERP_COLUMN]] == rows


def test_interpretation_pages_show_their_form(site: Site) -> None:
    for rec in INTERPRETATIONS:
        doc = page(site, rec.path)
        (body,) = doc.xpath('//div[@id="zoom"]')
        assert text(doc.xpath("//h1")[-1]) == norm_space(rec.title)
        shown = re.search(r"发布日期：(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}", doc.text_content())
        assert shown and date.fromisoformat(shown.group(1)) == site.as_of - timedelta(
            days=interpretation_age(rec.age, site.as_of))
        images = body.xpath(".//img")
        videos = body.xpath(".//video")
        players = body.xpath(".//iframe")
        words = text(body)
        # chrome, outside the text block: the logo, the QR code and a 16×16 print icon
        chrome = [img for img in doc.xpath("//img") if img not in images]
        assert [(i.get("width"), i.get("height")) for i in chrome] == [
            ("400", "80"), ("150", "150"), ("16", "16")]
        assert [i.get("src") for i in chrome] == [
            "/b02/images/logo.png", "/b02/images/qrcode.png", "/b02/images/print.gif"]
        if rec.recognisable != "title":
            assert not KEYWORDS.search(rec.title) and not KEYWORDS.search(words), rec.key
        if rec.form == "graphic":
            assert not videos and not players
            sizes = {(i.get("width"), i.get("height")) for i in images}
            if rec.recognisable == "title":
                assert 1 <= len(images) <= 2 and sizes == {("750", "2400")}
                assert len(words) <= 40
            else:
                assert 2 <= len(images) <= 3 and sizes == {("750", "1334")}
                assert len(words) < 60
        elif rec.form == "video":
            assert not images
            if rec.recognisable == "player":
                assert not videos and len(players) == 1
                assert players[0].get("src").startswith(
                    "https://v.qq.com/txp/iframe/player.html?vid=")
            else:
                (video,) = videos
                assert video.get("src").startswith("/b02/media/")
                assert video.get("src").endswith(".mp4") and video.get("controls") is not None
                assert not players
        else:
            assert not images and not videos and not players
            assert len(words) >= 600
        for src in doc.xpath("//img/@src | //video/@src"):
            served = site.pages[src]
            assert served.status == 200
            assert served.content_type.startswith(("image/", "video/")), src


def norm_space(title: str) -> str:
    return "".join(title.split())


# --------------------------------------------------------------------------- WeChat channel


def week_counts(dates: list[date], as_of: date) -> tuple[int, ...]:
    monday = as_of - timedelta(days=as_of.weekday())
    counts = Counter((monday - (d - timedelta(days=d.weekday()))).days // 7 for d in dates)
    assert all(d <= as_of for d in dates)
    return tuple(counts.get(k, 0) for k in range(max(counts) + 1))


def wechat_posts(site: Site) -> list[tuple[str, str, str, date]]:
    """(href, title, digest, date) of the account's profile list."""
    doc = page(site, WECHAT)
    out = []
    for box in doc.xpath('//div[contains(@class, "weui_media_box")]'):
        (title,) = box.xpath('.//h4[@class="weui_media_title"]')
        (desc,) = box.xpath('.//p[@class="weui_media_desc"]')
        (extra,) = box.xpath('.//p[@class="weui_media_extra_info"]')
        y, m, d = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", extra.text_content()).groups()
        out.append((title.get("hrefs"), title.text_content(), desc.text_content(),
                    date(int(y), int(m), int(d))))
    return out


def test_wechat_carries_four_interpretations(site: Site) -> None:
    posts = wechat_posts(site)
    assert week_counts([d for *_, d in posts], site.as_of) == WECHAT_PATTERN
    by_title = {title: (href, desc, day) for href, title, desc, day in posts}
    assert len(by_title) == len(posts)
    listed = {path: day for path, _, day in list_rows(site, INTERP_COLUMN)}
    carried = 0
    for rec in INTERPRETATIONS:
        assert rec.title not in by_title or rec.title == rec.wechat_title
        if not rec.carried_on_wechat:
            assert not any(norm(t) == norm(rec.title) for t in by_title), rec.key
            continue
        href, desc, day = by_title[rec.wechat_title]
        body = page(site, rec.path).xpath('//div[@id="zoom"]/p')
        first = next(p.text_content() for p in body if p.text_content().strip())
        sentence = first[: first.index("。") + 1] if "。" in first else first
        assert desc == sentence
        article = page(site, href)
        assert article.xpath('//h1[@id="activity-name"]')[0].text_content() == rec.wechat_title
        assert sentence in article.xpath('//div[@id="js_content"]')[0].text_content()
        if site.as_of >= date(site.as_of.year, 1, 31):
            assert day >= listed[rec.path]
        elif site.as_of.day >= 12:  # squeezed into January: posts since 1 January are few
            assert day >= listed[rec.path] - timedelta(days=7)
        carried += 1
    assert carried == 4
    key, near_miss = WECHAT_NEAR_MISS
    rec = next(i for i in INTERPRETATIONS if i.key == key)
    assert near_miss in by_title and norm(near_miss) != norm(rec.title)
    article = page(site, by_title[near_miss][0])
    assert "召开" in article.xpath('//div[@id="js_content"]')[0].text_content()


# --------------------------------------------------------------------------- 留言 board


def message_fields(site: Site, path: str) -> dict[str, str]:
    doc = page(site, path)
    return {th.text_content(): th.getnext().text_content()
            for th in doc.xpath('//div[@class="hdjl-detail"]//tr/th')}


def test_message_board_reply_times(site: Site) -> None:
    doc = page(site, BOARD)
    heads = [th.text_content() for th in doc.xpath('//tr[@class="list-head"]/th')]
    assert heads == ["标题", "留言时间", "状态"]
    rows = doc.xpath('//tr[not(@class)]')
    assert len(rows) == len(MESSAGES) == 7
    by_path = {m.path: m for m in MESSAGES}
    midnight = datetime.combine(site.as_of, datetime.min.time(), CST)
    late = []
    for row in rows:
        href = row.xpath(".//a/@href")[0]
        msg = by_path[href]
        cells = [td.text_content() for td in row.xpath("./td")]
        assert cells[0] == msg.title
        fields = message_fields(site, href)
        asked = datetime.strptime(fields["留言时间"], STAMP).replace(tzinfo=CST)
        assert asked == msg.asked_at(site.as_of) and cells[1] == f"{asked:%Y-%m-%d}"
        assert fields["留言标题"] == msg.title and re.fullmatch(r"\w\*\*", fields["留言人"])
        assert fields["回复单位"] == "河西镇人民政府"
        if msg.reply_after is None:
            assert cells[2] == fields["办理状态"] == "办理中"
            assert fields["回复内容"] == "暂无回复" and "回复时间" not in fields
            if msg.key == "M7":  # national.UNANSWERED_MESSAGE: 100 days without a reply
                assert (site.as_of - asked.date()).days == 100
            else:
                assert asked == midnight + timedelta(hours=8)  # on the as-of date: not yet due
            continue
        assert cells[2] == fields["办理状态"] == "已回复"
        assert 2 <= (site.as_of - asked.date()).days <= 20
        replied = datetime.strptime(fields["回复时间"], STAMP).replace(tzinfo=CST)
        assert replied == msg.replied_at(site.as_of) and asked < replied < midnight
        if replied - asked > timedelta(hours=REPLY_HOURS):
            late.append(msg.key)
        assert (replied - asked > timedelta(hours=REPLY_HOURS)) == msg.late
    assert late == ["M1"]
    times = {m.key: message_fields(site, m.path) for m in MESSAGES}
    spans = {
        k: datetime.strptime(f["回复时间"], STAMP) - datetime.strptime(f["留言时间"], STAMP)
        for k, f in times.items() if "回复时间" in f
    }
    assert spans["M1"] == timedelta(hours=73) and times["M1"]["留言时间"].endswith(" 09:00:00")
    assert spans["M2"] == timedelta(hours=20)
    assert spans["M3"] == timedelta(hours=47, minutes=30)  # the near miss: on time
    assert [(e.path, e.published) for e in site.entries[BOARD]] == [
        (m.path, m.asked_at(site.as_of)) for m in sorted(MESSAGES, key=lambda m: -m.asked)]


# --------------------------------------------------------------------------- annual reports


def test_annual_reports(site: Site) -> None:
    y = latest_due_year(site.as_of)
    assert y == (site.as_of.year if site.as_of > date(site.as_of.year, 1, 31)
                 else site.as_of.year - 1)
    truth = annual_reports(site.as_of)
    for col in ANNUAL_REPORT_COLUMNS:
        rows = list_rows(site, col.path)
        org = UNIT_BY_CODE[col.unit].org
        items = [i for i in truth if i.column == col.path]
        assert rows == [(i.path, i.title, i.published_on) for i in items]
        reports = {title: day for _, title, day in rows if title.endswith("年度报告")}
        for x in (y - 1, y - 2, y - 3):
            title = f"{org}{x}年政府信息公开工作年度报告"
            present = (col.unit != MISSING_ANNUAL_REPORT) or x != y - 1
            assert (title in reports) == present, (col.unit, x)
            if present:
                assert reports[title].year == x + 1 and reports[title].month == 1
                assert 15 <= reports[title].day <= 25
        plans = [(t, d) for _, t, d in rows if "工作要点" in t]
        if col.unit == MISSING_ANNUAL_REPORT:
            assert plans == [(f"{org}{y - 1}年政府信息公开工作要点", plans[0][1])]
            assert plans[0][1].year == y and plans[0][1].month == 1
        else:
            assert plans == []
        for href, _, day in rows:
            assert day <= site.as_of
            shown = re.search(r"发布日期：(\d{4}-\d{2}-\d{2})", page(site, href).text_content())
            assert shown and date.fromisoformat(shown.group(1)) == day


def test_annual_reports_on_the_first_of_february_2027() -> None:
    site = site_for(AFTER_DUE)
    a03 = {t: d for _, t, d in list_rows(site, "/a03/ndbg/")}
    b03 = {t for _, t, _ in list_rows(site, "/b03/ndbg/")}
    assert a03["六泉乡人民政府2026年政府信息公开工作年度报告"].strftime("%Y-%m") == "2027-01"
    assert not any("2026年政府信息公开工作年度报告" in t for t in b03)
    assert "演示县市场监督管理局2026年政府信息公开工作要点" in b03
    assert "演示县市场监督管理局2025年政府信息公开工作年度报告" in b03
    before = {t for _, t, _ in list_rows(site_for(DUE_DAY), "/a03/ndbg/")}
    assert not any("2026年" in t for t in before)  # not yet due on 31 January


# --------------------------------------------------------------------------- whole pages


DATES = re.compile(r"(?<!\d)(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")


def test_nothing_dated_after_the_as_of_date(site: Site) -> None:
    paths = set(MEASURED) | {WECHAT}
    for src in (*MEASURED, WECHAT):
        paths |= {e.path for e in site.entries[src]}
    for path in paths:
        found = site.pages[path].body.decode("utf-8")
        for y, m, d in DATES.findall(found):
            assert date(int(y), int(m), int(d)) <= site.as_of, (path, y, m, d)


@pytest.mark.parametrize("as_of", [DECEMBER, AFTER_DUE], ids=str)
def test_pages_are_byte_identical(as_of: date) -> None:
    one, two = build_site(as_of), build_site(as_of)
    assert one.pages == two.pages and one.entries == two.entries
    other = build_site(as_of + timedelta(days=1))
    assert other.pages[INTERP_COLUMN] != one.pages[INTERP_COLUMN]
    assert other.pages[BOARD] != one.pages[BOARD]
