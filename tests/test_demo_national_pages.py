"""The demo portal's national-check plants: what the pages show is the ground truth of
``demo_portal.site.national`` (homepages, the blank column, the 100-day 留言, the dead and hidden
links, the 错敏词, the 身份证号, the back-dated items), read from the generated pages with lxml."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from lxml import html as lxml_html

from demo_portal.site import (
    BACKDATED,
    BACKDATED_DAYS,
    BACKDATED_PATH,
    BLANK_COLUMN,
    CONTACT_LINES,
    CST,
    DEAD_LINK,
    HIDDEN_LINKS,
    HOMEPAGE_STALE,
    HOMEPAGE_STALE_DAYS,
    HOMEPAGES,
    LINK_NEAR_MISSES,
    MASKED_NOTICE,
    MESSAGES,
    PERSONAL_INFO,
    PORTAL_HOME,
    PORTAL_LATEST_HEADING,
    RELEASE_EVERY,
    ROUTINE,
    SOURCE_BY_PATH,
    SOURCES,
    UNANSWERED_DAYS,
    UNANSWERED_MESSAGE,
    WRONG_EXPRESSION,
    WRONG_EXPRESSION_NEAR_MISSES,
    Site,
    backdated_items,
    build_site,
    first_listed_on,
    gsgg_items,
    gsgg_newest_age,
    is_release_day,
    late_reply_messages,
    national_findings,
    unanswered_messages,
)

from .test_demo_measures_pages import page, site_for
from .test_demo_measures_pages import text as flat

WEDNESDAY = date(2021, 9, 8)
NEW_YEAR_MONDAY = date(2022, 1, 3)
AS_OFS = [WEDNESDAY, NEW_YEAR_MONDAY]
BOARD = "/a02/hdjl/"
STAMP = "%Y-%m-%d %H:%M:%S"
TYPO, RIGHT = "中华人名共和国", "中华人民共和国"


@pytest.fixture(params=AS_OFS, ids=str)
def site(request: pytest.FixtureRequest) -> Site:
    return site_for(request.param)


def dated_links(nodes: list[lxml_html.HtmlElement]) -> list[tuple[str, str, date]]:
    """(href, title, date) of <li><a>…</a><span>YYYY-MM-DD</span></li> items."""
    return [
        (li.xpath("./a/@href")[0], li.xpath("./a")[0].text_content(),
         date.fromisoformat(li.xpath("./span")[0].text_content()))
        for li in nodes
    ]


def published_on(site: Site, path: str) -> date:
    shown = re.search(r"发布日期：(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}", page(site, path).text_content())
    assert shown, path
    return date.fromisoformat(shown.group(1))


def check_digit(first17: str) -> str:
    """GB 11643-1999 (ISO 7064 MOD 11-2), written out again on purpose."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def valid_id(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    try:
        born = datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError:
        return False
    return date(1900, 1, 1) < born < date(2010, 1, 1) and check_digit(number[:17]) == number[17]


def text_block(site: Site, path: str) -> lxml_html.HtmlElement:
    (block,) = page(site, path).xpath('//div[@id="zoom"]')
    return block


# --------------------------------------------------------------------------- ground truth


def test_ground_truth_as_planned() -> None:
    new = {s.path: s for s in SOURCES if s.shape in ("homepage", "portal-home", "blank",
                                                       "backdated")}
    assert {p: (s.unit, s.name, s.kind, s.expect_update) for p, s in new.items()} == {
        "/jyj/": ("B02", "县教育局网站首页", "homepage", False),
        "/": ("A01", "县政府门户网站首页", "homepage", False),
        "/a03/zxgk/": ("A03", "专项公开", "general", False),
        "/a01/gsgg/": ("A01", "公示公告", "general", True),
    }
    assert all(s.newest_age is None and not s.is_stale() for s in new.values())
    # the measured block stays last
    assert [s.kind for s in SOURCES[-4:]] == [
        "interpretation", "messages", "annual_report", "annual_report"]
    for home in HOMEPAGES:
        assert (SOURCE_BY_PATH[home.path].unit, SOURCE_BY_PATH[home.path].name) == (
            home.unit, home.name)
    assert HOMEPAGE_STALE.newest_age == HOMEPAGE_STALE_DAYS + 1 and HOMEPAGE_STALE.rule
    assert PORTAL_HOME.newest_age <= HOMEPAGE_STALE_DAYS - 1 and PORTAL_HOME.rule is None
    assert [(b.key, b.published, b.visible_from, b.backdated) for b in BACKDATED] == [
        ("G1", -6, 0, True), ("G2", -5, 0, True), ("G3", -1, 0, False)]
    for item in (*BACKDATED, *ROUTINE):
        assert item.backdated == (item.visible_from - item.published > BACKDATED_DAYS)
    assert all(r.visible_from == r.published for r in ROUTINE)
    assert is_release_day(WEDNESDAY) and is_release_day(NEW_YEAR_MONDAY)
    assert (NEW_YEAR_MONDAY - WEDNESDAY).days % RELEASE_EVERY == 0
    m7 = next(m for m in MESSAGES if m.key == UNANSWERED_MESSAGE)
    assert m7.reply_after is None and not m7.late
    assert [m.key for m in MESSAGES if m.late] == ["M1"]  # the measured truth is unchanged
    for person in PERSONAL_INFO.people:
        assert valid_id(person.id_number), person
        assert int(person.id_number[16]) % 2 == (1 if person.gender == "男" else 0)
    for person in MASKED_NOTICE.people:
        assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", person.id_number), person
        assert int(person.id_number[16]) % 2 == (1 if person.gender == "男" else 0)
    assert DEAD_LINK.href.startswith("/") and DEAD_LINK.rule == "dead_link"
    assert [h.rule for h in HIDDEN_LINKS] == ["hidden_link", None]


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_national_findings_and_messages_by_date(as_of: date) -> None:
    assert national_findings(as_of) == {
        ("homepage_stale", "B02", "县教育局网站首页"),
        ("blank_column", "A03", "专项公开"),
        ("unanswered_message", "A02", "互动交流"),
        ("dead_link", "B03", "双随机一公开"),
        ("hidden_link", "B03", "双随机一公开"),
        ("wrong_expression", "A01", "政务动态"),
        ("personal_info", "A02", "信息公开"),
    }
    assert [m.key for m in unanswered_messages(as_of)] == [UNANSWERED_MESSAGE]
    # M7's deadline (98 days before) is in 2021 for both dates: in the as-of year only on 9-08
    late = {WEDNESDAY: ["M1", "M7"], NEW_YEAR_MONDAY: ["M1"]}[as_of]
    assert [m.key for m in late_reply_messages(as_of)] == late


def test_late_reply_counts_only_deadlines_in_the_as_of_year() -> None:
    m1 = next(m for m in MESSAGES if m.key == "M1")  # asked 4 days before 09:00, due 2 days before
    assert m1.gives_late_reply(date(2022, 1, 3))  # due 2022-01-01 09:00
    assert not m1.gives_late_reply(date(2022, 1, 1))  # due 2021-12-30
    m4 = next(m for m in MESSAGES if m.key == "M4")  # asked on the as-of date: not yet due
    assert not any(m4.gives_late_reply(d) for d in AS_OFS)
    m7 = next(m for m in MESSAGES if m.key == UNANSWERED_MESSAGE)
    assert m7.unanswered_days(WEDNESDAY) == 100 > UNANSWERED_DAYS
    assert m7.reply_due(WEDNESDAY) == m7.asked_at(WEDNESDAY) + timedelta(hours=48)


# --------------------------------------------------------------------------- homepages


def test_unit_homepage_newest_item_is_15_days_old(site: Site) -> None:
    doc = page(site, "/jyj/")
    boxes = doc.xpath('//div[@class="home-box"]')
    assert [flat(b.xpath(".//h2")[0]) for b in boxes] == ["工作动态", "通知公告"]
    listed = dated_links(doc.xpath('//div[@class="home-box"]//li'))
    assert len(listed) >= 10
    newest = max(d for _, _, d in listed)
    assert (site.as_of - newest).days == HOMEPAGE_STALE.newest_age == 15
    for href, title, day in listed:
        assert href.startswith("/jyj/") and published_on(site, href) == day
        assert flat(page(site, href).xpath("//h1")[-1]) == "".join(title.split())
    assert sorted((h, t, d) for h, t, d in listed) == sorted(
        (e.path, e.title, e.published.date()) for e in site.entries["/jyj/"])


def test_portal_home_is_the_near_miss(site: Site) -> None:
    doc = page(site, "/")
    (heading,) = [h for h in doc.xpath("//h2") if flat(h) == PORTAL_LATEST_HEADING]
    listed = dated_links(doc.xpath('//ul[@id="zxdt"]/li'))
    assert heading is not None and len(listed) == 8
    ages = [(site.as_of - d).days for _, _, d in listed]
    assert min(ages) == PORTAL_HOME.newest_age == 1 and max(ages) <= HOMEPAGE_STALE_DAYS - 1
    assert listed == [(e.path, e.title, e.published.date()) for e in site.entries["/"]]
    for href, _, day in listed:
        assert published_on(site, href) == day
    assert 'href="/jyj/"' in site.pages["/"].body.decode()  # every source is linked


# --------------------------------------------------------------------------- blank column


def test_blank_column(site: Site) -> None:
    doc = page(site, BLANK_COLUMN.path)
    (box,) = doc.xpath('//div[@class="list-bd"]')
    assert flat(box) == BLANK_COLUMN.notice == "暂无信息"
    assert box.xpath(".//a") == [] and box.xpath(".//li") == []
    assert doc.xpath('//div[@class="side"]//a/@href').count(BLANK_COLUMN.path) == 1  # a frame
    assert site.entries[BLANK_COLUMN.path] == ()


# --------------------------------------------------------------------------- 留言 board


def test_message_unanswered_for_100_days(site: Site) -> None:
    msg = next(m for m in MESSAGES if m.key == UNANSWERED_MESSAGE)
    doc = page(site, BOARD)
    rows = {r.xpath(".//a/@href")[0]: [td.text_content() for td in r.xpath("./td")]
            for r in doc.xpath('//tr[not(@class)]')}
    asked = msg.asked_at(site.as_of)
    assert rows[msg.path] == [msg.title, f"{asked:%Y-%m-%d}", "办理中"]
    assert (site.as_of - asked.date()).days == 100
    detail = page(site, msg.path)
    fields = {th.text_content(): th.getnext().text_content()
              for th in detail.xpath('//div[@class="hdjl-detail"]//tr/th')}
    assert datetime.strptime(fields["留言时间"], STAMP).replace(tzinfo=CST) == asked
    assert fields["办理状态"] == "办理中" and fields["回复内容"] == "暂无回复"
    assert "回复时间" not in fields
    assert msg.path in {e.path for e in site.entries[BOARD]}


# --------------------------------------------------------------------------- links


def test_dead_link_and_its_near_misses(site: Site) -> None:
    entries = site.entries[DEAD_LINK.column]
    carrier = entries[DEAD_LINK.article].path
    anchors = [(a.get("href"), a.text_content()) for a in text_block(site, carrier).xpath(".//a")]
    assert anchors == [(DEAD_LINK.href, DEAD_LINK.label)] + [
        (link.href, link.label) for link in LINK_NEAR_MISSES]
    assert site.get(DEAD_LINK.href).status == 404
    same_site, off_site = LINK_NEAR_MISSES
    assert same_site.href.startswith("/") and site.get(same_site.href).status == 200
    assert off_site.href.startswith("http://") and "127.0.0.1" not in off_site.href
    for other in entries[1:]:
        assert text_block(site, other.path).xpath(".//a") == []
    assert sum(DEAD_LINK.href.encode() in p.body for p in site.pages.values()) == 1


def test_hidden_links(site: Site) -> None:
    for plant in HIDDEN_LINKS:
        doc = page(site, plant.column)
        hidden = doc.xpath('//div[@style="display:none"]/a')
        assert [(a.get("href"), a.text_content()) for a in hidden] == [(plant.href, plant.text)]
    assert HIDDEN_LINKS[0].text == "澳门赌场 在线娱乐"
    assert "gov.cn" in HIDDEN_LINKS[1].href
    with_hidden = {p for p, pg in site.pages.items() if b"display:none" in pg.body}
    assert with_hidden == {h.column for h in HIDDEN_LINKS}


# --------------------------------------------------------------------------- 错敏词


def test_wrong_expression_once_and_right_ones_beside(site: Site) -> None:
    entries = site.entries[WRONG_EXPRESSION.column]
    wrong = text_block(site, entries[WRONG_EXPRESSION.article].path)
    sentences = [p.text_content() for p in wrong.xpath("./p")]
    assert sum(s.count(TYPO) for s in sentences) == 1
    (sentence,) = [s for s in sentences if TYPO in s]
    assert sentence.startswith("会议要求") and sentence.endswith("。")
    for near in WRONG_EXPRESSION_NEAR_MISSES:
        body = flat(text_block(site, entries[near.article].path))
        assert near.phrase == RIGHT and RIGHT in body and TYPO not in body
    typo = {p for p, pg in site.pages.items() if TYPO.encode() in pg.body}
    assert typo == {entries[WRONG_EXPRESSION.article].path}


# --------------------------------------------------------------------------- personal information


ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])")


def notice_rows(site: Site, path: str) -> list[list[str]]:
    return [[td.text_content() for td in tr.xpath("./td")]
            for tr in text_block(site, path).xpath(".//table//tr[td]")]


def test_personal_info_and_its_near_misses(site: Site) -> None:
    entries = site.entries[PERSONAL_INFO.column]
    full = entries[PERSONAL_INFO.article]
    masked = entries[MASKED_NOTICE.article]
    assert full.title == PERSONAL_INFO.title.format(y=full.published.year)
    assert "拟录用人员的公示" in full.title and full.title.startswith("关于")
    assert masked.title == MASKED_NOTICE.title.format(y=masked.published.year)
    rows = notice_rows(site, full.path)
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (p.name, p.gender, p.id_number) for p in PERSONAL_INFO.people]
    for _, _, gender, number, _ in rows:
        assert valid_id(number) and number.startswith("410105")
        assert int(number[16]) % 2 == (1 if gender == "男" else 0)
    rows = notice_rows(site, masked.path)
    assert [r[3] for r in rows] == [p.id_number for p in MASKED_NOTICE.people]
    assert all(re.fullmatch(r"410105\*{8}\d{3}[\dX]", r[3]) for r in rows)
    assert any(r[3].endswith("X") for r in rows)
    for entry in (full, masked):
        lines = [p.text_content() for p in text_block(site, entry.path).xpath("./p")]
        assert lines[-2:] == list(CONTACT_LINES)
        assert "0356-1234567" in lines[-2] and "13812345678" in lines[-1]
    # the planted page is the only one with a valid 身份证号
    holders = {path for path, pg in site.pages.items()
               if any(valid_id(n) for n in ID_LIKE.findall(pg.body.decode("utf-8", "replace")))}
    assert holders == {full.path}


# --------------------------------------------------------------------------- back-dated items


def gsgg_listed(site: Site) -> list[tuple[str, str, date]]:
    return dated_links(page(site, BACKDATED_PATH).xpath('//div[@class="list-bd"]//li'))


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_backdated_items_appear_on_the_as_of_date(as_of: date) -> None:
    appear = first_listed_on(as_of)
    assert [i.key for i in appear] == ["G3", "G2", "G1"]
    assert {i.key: (as_of - i.published).days for i in appear} == {"G1": 6, "G2": 5, "G3": 1}
    assert [i.key for i in backdated_items(as_of)] == ["G2", "G1"]
    new_paths = {i.path for i in appear}
    earlier = {}
    for back in (3, 2, 1):
        day = as_of - timedelta(days=back)
        site = site_for(day)
        listed = gsgg_listed(site)
        assert not new_paths & {h for h, _, _ in listed}, day
        assert not new_paths & set(site.pages), day  # their pages are not served yet either
        age = (day - max(d for _, _, d in listed)).days
        assert age == gsgg_newest_age(day) >= 12 and age >= 7  # stale for the stale_column rule
        earlier[back] = listed
    site = site_for(as_of)
    listed = gsgg_listed(site)
    assert (as_of - listed[0][2]).days == gsgg_newest_age(as_of) == 1  # not stale
    by_path = {h: (t, d) for h, t, d in listed}
    for item in appear:
        assert by_path[item.path] == (item.title, item.published)
        assert published_on(site, item.path) == item.published
    # what the crawl 3 days before saw is listed the same way (title, path, date)
    window = as_of - timedelta(days=35)
    for href, title, day in earlier[3]:
        if day >= window:
            assert by_path[href] == (title, day)
            before = page(site_for(as_of - timedelta(days=3)), href).xpath("//h1")[-1]
            assert flat(before) == flat(page(site, href).xpath("//h1")[-1])
    assert listed == [(e.path, e.title, e.published.date()) for e in site.entries[BACKDATED_PATH]]
    assert listed == [(i.path, i.title, i.published) for i in gsgg_items(as_of)]
    # the day after: still listed, nothing new
    after = site_for(as_of + timedelta(days=1))
    assert new_paths <= {h for h, _, _ in gsgg_listed(after)}
    assert first_listed_on(as_of + timedelta(days=1)) == ()


def test_backdating_column_between_releases() -> None:
    day = date(2026, 12, 9)  # no release day
    assert not is_release_day(day) and first_listed_on(day) == () and backdated_items(day) == ()
    listed = gsgg_listed(site_for(day))
    assert listed == [(i.path, i.title, i.published) for i in gsgg_items(day)]
    assert (day - listed[0][2]).days == gsgg_newest_age(day)
    assert len({t for _, t, _ in listed}) == len(listed) == 15


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_pages_are_byte_identical(as_of: date) -> None:
    one, two = build_site(as_of), build_site(as_of)
    assert one.pages == two.pages and one.entries == two.entries
    for path in ("/jyj/", "/", BLANK_COLUMN.path, BACKDATED_PATH, BOARD, DEAD_LINK.column):
        assert one.pages[path].body == two.pages[path].body
    other = build_site(as_of + timedelta(days=1))
    assert other.pages["/jyj/"] != one.pages["/jyj/"]
