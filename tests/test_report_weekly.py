"""The weekly bulletin's pure parts: weeks, which findings a bulletin lists, the 整改 rule,
the summary, and the renderers' escaping — on hand-made inputs, no database."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from govwatch.timeutil import CHINA
from reports import render_html, render_md
from reports.model import DocumentParts, Link, Section, Table, is_web_url
from reports.queries import PublishedBulletin, ReportFinding, UnitInfo, WeeklyInputs
from reports.weekly import (
    CLOSING_DEMAND,
    build_weekly,
    last_complete_week,
    listing_week,
    parse_week,
    week_range,
    write_files,
)
from storage.repo import FindingRow, PostFact

HOSTILE = '<script>alert("xss")</script>关于做好防汛工作的通知'
UNITS = (UnitInfo("A01", "城关镇", "A"), UnitInfo("B01", "县发改局", "B"))
STAMP = datetime(2021, 9, 6, 8, 0, tzinfo=CHINA)
_ids = iter(range(1, 1000))


def finding(rule: str, period: str, *, status: str = "confirmed", unit: str = "A01",
            source: str = "通知公告", source_id: int = 1, item_id: int | None = None,
            subject: str | None = None, points: float = 1.0,
            **evidence: Any) -> ReportFinding:
    fid = next(_ids)
    name = dict((u.code, u.name) for u in UNITS)[unit]
    row = FindingRow(id=fid, rule=rule, unit_code=unit, unit_name=name, category=unit[0],
                     source_name=source, item_url=evidence.get("item_url"), period=period,
                     as_of=date(2021, 9, 5), points=points, indicator=None, status=status,
                     evidence=evidence, created_at=STAMP)
    return ReportFinding(row, subject or f"source:{source_id}", source_id, item_id, "general",
                         "http://gov.example/a01/tzgg/")


def stale(period: str, newest: str = "2021-08-29", days: int = 8, **kw: Any) -> ReportFinding:
    kw.setdefault("column_url", "http://gov.example/a01/tzgg/")
    return finding("stale_column", period, newest_published_on=newest, days_without_update=days,
                   **kw)


def inputs(findings: list[ReportFinding], week: str = "2021-W35", *,
           previous: list[ReportFinding] | None = None,
           posts: dict[int, dict[date, int]] | None = None,
           policies: dict[int, PostFact] | None = None,
           explained: dict[int, str | None] | None = None,
           originals: dict[int, ReportFinding] | None = None) -> WeeklyInputs:
    published = None
    if previous is not None:
        published = PublishedBulletin(1, "2021-W34", "上期", STAMP, "王芳")
    return WeeklyInputs(
        county="演示县", week=week, reference=week_range(week)[1], units=UNITS, columns=20,
        accounts=3, findings=tuple(findings), previous=published,
        previous_findings=tuple(previous or ()), originals=originals or {},
        posts_per_day=posts or {}, policies=policies or {},
        explained=explained or {})


# ----------------------------------------------------------------------------- weeks


def test_weeks() -> None:
    assert parse_week("2021-W35") == "2021-W35"
    assert parse_week("2021w5") == "2021-W05"
    assert parse_week(" 2020-W53 ") == "2020-W53"
    for bad in ("2021-35", "2021-W54", "2021-W00", "第35周", ""):
        with pytest.raises(ValueError, match="2021-W35"):
            parse_week(bad)
    assert week_range("2021-W35") == (date(2021, 8, 30), date(2021, 9, 5))
    # the last complete Mon–Sun week, seen from any day of the next one
    assert last_complete_week(date(2021, 9, 6)) == "2021-W35"  # Monday
    assert last_complete_week(date(2021, 9, 8)) == "2021-W35"
    assert last_complete_week(date(2021, 9, 12)) == "2021-W35"  # Sunday: W36 not over
    assert last_complete_week(date(2022, 1, 3)) == "2021-W52"


def test_title_issuer_and_year_boundary() -> None:
    b = build_weekly(inputs([]), issued_on=date(2021, 9, 6))
    assert b.title == "演示县政务公开监测周通报（2021年第35周：2021年8月30日—9月5日）"
    assert b.issuer == "演示县政务公开领导小组办公室"
    assert b.file_stem == "通报-2021-W35"
    b = build_weekly(inputs([], "2021-W52"), issued_on=date(2022, 1, 3))
    assert b.title.endswith("（2021年第52周：2021年12月27日—2022年1月2日）")
    b = build_weekly(inputs([], "2022-W01"), issued_on=date(2022, 1, 10))
    assert "2022年第1周" in b.title


# ----------------------------------------------------------------------------- selection


def test_a_bulletin_lists_confirmed_findings_of_its_week_only() -> None:
    listed = stale("2021-W35")
    low = finding("low_post_frequency", "2021-W35", source="演示县教育发布", source_id=2,
                  week_start="2021-08-30", week_end="2021-09-05", posts_in_week=1,
                  min_weekly_posts=3, platform="wechat", points=2.0)
    pending = stale("2021-W35", source="工作动态", source_id=3, status="pending", days=7)
    dismissed = stale("2021-W35", source="政务动态", source_id=4, status="dismissed")
    other_week = stale("2021-W36", source="乡镇动态", source_id=5)
    crawl = finding("crawl_failure", "2021-W35", source="图片新闻", source_id=6, points=0,
                    outcome="http_error", http_status=500, failing_days=2,
                    source_url="http://gov.example/a01/tpxw/", status="pending")
    b = build_weekly(inputs([listed, low, pending, dismissed, other_week, crawl]),
                     issued_on=date(2021, 9, 6), draft=True)
    assert b.listed_ids == (listed.id, low.id)
    assert b.pending_ids == (pending.id,)
    assert [r[2] for r in b.table("stale").rows] == ["通知公告"]
    assert b.table("accounts").rows[0][1:7] == ("城关镇", "演示县教育发布", "微信公众号",
                                                "8月30日—9月5日", 1, 3)
    assert [r[0] for r in b.table("pending").rows] == [pending.id]
    assert b.table("pending").rows[0][-1] == "待审核"
    assert [r[2] for r in b.table("crawl").rows] == ["图片新闻"]
    assert b.confirmed == {"stale_column": 1, "low_post_frequency": 1}
    assert b.pending_count == 1 and b.crawl_issue_count == 1
    everything = repr(b.tables())
    assert "政务动态" not in everything  # dismissed: nowhere
    assert "乡镇动态" not in everything  # another week
    units = {u.code: u for u in b.units}
    assert units["A01"].total == 2 and units["A01"].points == 3.0
    assert units["B01"].total == 0

    # the edition to publish: the same findings named, nothing pending anywhere
    published = build_weekly(inputs([listed, low, pending, dismissed, other_week, crawl]),
                             issued_on=date(2021, 9, 6))
    assert published.listed_ids == b.listed_ids and not published.draft
    assert [t.key for t in published.tables()] == [t.key for t in b.tables() if t.key != "pending"]
    assert published.table("crawl").rows == () and "审核状态" not in published.table("crawl").headers
    assert published.crawl_issue_count == 0 and "待审核" not in repr(published)
    assert published.table("stale").rows == b.table("stale").rows


def test_the_closing_demand_only_when_problems_are_named() -> None:
    named = build_weekly(inputs([stale("2021-W35")]), issued_on=date(2021, 9, 6))
    assert named.closing == CLOSING_DEMAND and named.closing.startswith("请被通报单位高度重视")
    for findings in ([], [stale("2021-W35", status="pending")]):
        for draft in (False, True):
            clean_week = build_weekly(inputs(findings), issued_on=date(2021, 9, 6), draft=draft)
            assert "请被通报单位" not in clean_week.closing and "整改" not in clean_week.closing


def test_the_digest_says_what_is_published_not_how_it_is_numbered() -> None:
    findings = [stale("2021-W35"), stale("2021-W35", source_id=2, status="pending")]
    plain = build_weekly(inputs(findings), issued_on=date(2021, 9, 6))
    numbered = build_weekly(inputs(findings), issued_on=date(2022, 1, 4), document=DocumentParts(
        number="演政公开通〔2022〕1号", signer="李明", cc=("县委办公室",)))
    assert numbered.number == "演政公开通〔2022〕1号" and numbered.signer == "李明"
    assert numbered.content_digest() == plain.content_digest()
    assert build_weekly(inputs(findings), issued_on=date(2021, 9, 6),
                        draft=True).content_digest() != plain.content_digest()
    more = build_weekly(inputs([*findings, stale("2021-W35", source_id=3)]),
                        issued_on=date(2021, 9, 6))
    assert more.content_digest() != plain.content_digest()
    draft = build_weekly(inputs(findings), issued_on=date(2021, 9, 6), draft=True,
                         document=DocumentParts(number="不该出现"))
    assert draft.number is None and draft.number_text == "文号：审核发布时编排"
    assert draft.file_stem == "通报-2021-W35-草稿" and plain.file_stem == "通报-2021-W35"


def test_not_rectified_goes_to_the_week_after_its_deadline() -> None:
    overdue = finding("not_rectified", "2021-W35", subject="finding:7",
                      original_finding_id=7, original_rule="stale_column",
                      bulletin_period="2021-W35", deadline="2021-09-13")
    assert listing_week(overdue) == "2021-W37"  # first found on 9-14, not in W35's bulletin
    assert listing_week(stale("2021-W35")) == "2021-W35"
    b35 = build_weekly(inputs([overdue], "2021-W35"), issued_on=date(2021, 9, 6))
    assert b35.listed_ids == ()
    b37 = build_weekly(inputs([overdue], "2021-W37"), issued_on=date(2021, 9, 20))
    assert b37.listed_ids == (overdue.id,)
    assert "逾期" in b37.table("overdue").rows[0][3]
    assert b37.confirmed == {"not_rectified": 1}


def test_summary_compares_with_the_week_before() -> None:
    this = [stale("2021-W35", source_id=i) for i in (1, 2, 3)]
    before = [stale("2021-W34", source_id=9)]
    b = build_weekly(inputs([*this, *before]), issued_on=date(2021, 9, 6))
    assert "本周共监测2个单位的20个政务公开栏目、3个政务新媒体账号" in b.summary
    assert "本周发现问题3条，较上周增加2条" in b.summary
    assert "栏目长期未更新3条（上周1条）" in b.summary
    b = build_weekly(inputs([*this[:1], *before]), issued_on=date(2021, 9, 6))
    assert "与上周持平" in b.summary
    b = build_weekly(inputs(before), issued_on=date(2021, 9, 6))
    assert "本周未发现问题，较上周减少1条" in b.summary
    pending = stale("2021-W35", status="pending")
    b = build_weekly(inputs([pending]), issued_on=date(2021, 9, 6), draft=True)
    assert "另有1条问题尚待审核，未列入本通报（见附件2）" in b.summary
    b = build_weekly(inputs([pending]), issued_on=date(2021, 9, 6))
    assert "待审核" not in b.summary and "附件2" not in b.summary


def test_a_unit_nobody_could_look_at_is_listed_apart_not_counted_clean() -> None:
    unmonitored = (UNITS[0], UnitInfo("B01", "县发改局", "B", "所有栏目和账号均未能抓取"),
                   UnitInfo("B02", "县教育局", "B", "未配置栏目或账号"))
    week = replace(inputs([stale("2021-W35")]), units=unmonitored)
    b = build_weekly(week, issued_on=date(2021, 9, 6))
    assert "本周共监测1个单位" in b.summary
    assert ("另有2个单位本周未监测：县发改局（所有栏目和账号均未能抓取）、"
            "县教育局（未配置栏目或账号），不作评判") in b.summary
    assert [r[0] for r in b.table("units").rows] == ["城关镇"]


# ----------------------------------------------------------------------------- 整改


def test_rectification_rule() -> None:
    column = stale("2021-W34", newest="2021-08-20", source_id=1)
    quiet = stale("2021-W34", newest="2021-08-20", source_id=11, source="工作动态")
    account = finding("low_post_frequency", "2021-W34", source="演示县教育发布", source_id=2,
                      week_start="2021-08-23", week_end="2021-08-29", posts_in_week=1,
                      min_weekly_posts=3, platform="wechat")
    lazy = finding("low_post_frequency", "2021-W34", source="演示县卫体局", source_id=3,
                   week_start="2021-08-23", week_end="2021-08-29", posts_in_week=0,
                   min_weekly_posts=3, platform="weibo")
    policy = finding("uninterpreted_policy", "2021-W34", unit="B01", source="政策文件",
                     source_id=4, item_id=40, subject="item:40", policy_title="演示县停车管理办法",
                     published_on="2021-08-20", match_threshold=0.85,
                     item_url="http://gov.example/b01/zcwj/40.html")
    declined = finding("uninterpreted_policy", "2021-W34", unit="B01", source="政策文件",
                       source_id=4, item_id=41, subject="item:41", policy_title="演示县某方案",
                       published_on="2021-08-20")
    ignored = finding("uninterpreted_policy", "2021-W34", unit="B01", source="政策文件",
                      source_id=4, item_id=42, subject="item:42", policy_title="演示县粮食办法",
                      published_on="2021-08-20")
    # the column was updated but a not_rectified finding was recorded: still 未整改
    updated_late = stale("2021-W34", newest="2021-08-20", source_id=12, source="乡镇动态")
    overdue = finding("not_rectified", "2021-W34", subject=f"finding:{updated_late.id}",
                      status="pending", original_finding_id=updated_late.id,
                      original_rule="stale_column", deadline="2021-09-06")
    posts = {1: {date(2021, 9, 1): 1}, 11: {date(2021, 8, 20): 2},
             2: {date(2021, 8, 30): 1, date(2021, 9, 2): 2}, 3: {date(2021, 9, 3): 2},
             12: {date(2021, 9, 4): 1}}
    policies = {
        40: PostFact(40, 4, "http://gov.example/b01/zcwj/40.html", "演示县停车管理办法",
                     date(2021, 8, 20), None, [], None),
        41: PostFact(41, 4, "http://gov.example/b01/zcwj/41.html", "演示县某方案",
                     date(2021, 8, 20), None, [], "本文件不作解读。理由：内部工作安排。"),
        42: PostFact(42, 4, "http://gov.example/b01/zcwj/42.html", "演示县粮食办法",
                     date(2021, 8, 20), None, [], None),
    }
    # what the monitor's matching answers now (reports.interpretations.explaining_titles)
    explained = {40: "关于《演示县停车管理办法》的解读", 42: None}
    named = [column, quiet, account, lazy, policy, declined, ignored, updated_late]
    b = build_weekly(inputs([overdue], previous=named, posts=posts, policies=policies,
                            explained=explained), issued_on=date(2021, 9, 6), draft=True)
    result = {r.finding_id: (r.rectified, r.note) for r in b.rectifications}
    assert result[column.id] == (True, "栏目已于2021年9月1日更新")
    assert result[quiet.id] == (False, "栏目仍未更新（最新发布日期：2021年8月20日）")
    assert result[account.id] == (True, "本周发布3条")
    assert result[lazy.id] == (False, "本周发布2条，仍少于3条")
    assert result[policy.id] == (True, "已发布解读：关于《演示县停车管理办法》的解读")
    assert result[declined.id] == (True, "已在文件页面说明不作解读")
    assert result[ignored.id] == (False, "仍未见解读")
    assert result[updated_late.id][0] is False
    assert f"第{overdue.id}号（待审核）" in result[updated_late.id][1]
    rows = b.table("rectification").rows
    assert [r[4] for r in rows].count("未整改") == 4
    assert "2021年第34周通报列出的8个问题，截至本周末已整改4个，未整改4个。" in b.sections[3].intro
    # published, a pending not_rectified finding is neither cited nor counted: the column
    # was updated, so 已整改
    published = build_weekly(inputs([overdue], previous=named, posts=posts, policies=policies,
                                    explained=explained), issued_on=date(2021, 9, 6))
    again = {r.finding_id: (r.rectified, r.note) for r in published.rectifications}
    assert again[updated_late.id] == (True, "栏目已于2021年9月4日更新")
    assert "待审核" not in repr(published.sections)
    confirmed = replace(overdue, row=replace(overdue.row, status="confirmed"))
    published = build_weekly(inputs([confirmed], previous=named, posts=posts, policies=policies,
                                    explained=explained), issued_on=date(2021, 9, 6))
    again = {r.finding_id: (r.rectified, r.note) for r in published.rectifications}
    assert again[updated_late.id][0] is False
    assert f"第{overdue.id}号（已确认）" in again[updated_late.id][1]


def test_first_bulletin_has_nothing_to_rectify() -> None:
    b = build_weekly(inputs([]), issued_on=date(2021, 9, 6))
    assert b.rectifications == () and b.previous_period is None
    assert b.table("rectification").empty == "此前未发布通报，本期无整改事项。"


# ----------------------------------------------------------------------------- escaping


def _hostile_bulletin() -> Any:
    policy = finding("uninterpreted_policy", "2021-W35", unit="B01", source="政策文件",
                     item_id=9, subject="item:9", policy_title=HOSTILE, published_on="2021-08-20",
                     item_url="javascript:alert(1)")
    formula = finding("uninterpreted_policy", "2021-W35", unit="B01", source="政策文件",
                      item_id=10, subject="item:10", published_on="2021-08-21",
                      policy_title='=HYPERLINK("http://evil.example","点我")|cmd\x07',
                      item_url='http://gov.example/"><img src=x onerror=alert(1)>')
    column = stale("2021-W35", column_url="http://gov.example/a01/?a=1&b=<2>")
    return build_weekly(inputs([policy, formula, column]), issued_on=date(2021, 9, 6))


def test_html_escapes_every_crawled_string() -> None:
    page = render_html.render(_hostile_bulletin())
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;关于做好防汛工作的通知" in page
    assert 'href="javascript' not in page
    assert "javascript:alert(1)" in page  # shown as text, not linked
    assert 'href="http://gov.example/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in page
    assert 'href="http://gov.example/a01/?a=1&amp;b=&lt;2&gt;"' in page
    assert "\x07" not in page
    assert "<svg" in page and "Content-Security-Policy" in page
    assert "http://" not in page.split("<body>")[0].replace("http://www.w3.org", "")


def test_markdown_escapes_crawled_strings() -> None:
    text = render_md.render(_hostile_bulletin())
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert "](<javascript" not in text
    assert "=HYPERLINK(\"http://evil.example\",\"点我\")\\|cmd" in text  # pipe cannot split a row


def test_docx_and_xlsx_keep_hostile_text_as_text(tmp_path: Any) -> None:
    b = _hostile_bulletin()
    docx_path, xlsx_path = write_files(b, tmp_path, ["docx", "xlsx"])
    cells = [c.text for t in Document(str(docx_path)).tables for r in t.rows for c in r.cells]
    assert HOSTILE in cells
    ws = load_workbook(xlsx_path)["政策解读情况"]
    titles = {ws.cell(row=r, column=3).value: ws.cell(row=r, column=3).data_type
              for r in range(3, ws.max_row + 1)}
    assert titles[HOSTILE] == "s"
    assert titles['=HYPERLINK("http://evil.example","点我")|cmd'] == "s"  # not a formula
    links = [ws.cell(row=r, column=5) for r in range(3, ws.max_row + 1)]
    assert all(c.hyperlink is None for c in links if "javascript" in str(c.value))


def test_only_http_urls_are_links() -> None:
    assert is_web_url("https://gov.example/x") and is_web_url("HTTP://gov.example")
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//x.y/z",
                "http://", "", None, "http://[bad"):
        assert not is_web_url(bad)
    assert render_md._cell(Link("x", "ftp://a/b")) == "x"


def _edge_bulletin() -> Any:
    """The hostile bulletin plus a table of every kind of cell (tables are written as XML
    text in DOCX and XLSX: see reports.ooxml)."""
    link = "http://gov.example/?q=<1>&r"
    edge = Table("edge", "边界", ("序号", "文本", "链接", "日期", "扣分", "整改情况"), (
        (1, "第一行\n第二行\t之后", Link(link, link), date(2021, 1, 2), 1.5, "未整改"),
        (2, "  两端空格  ", Link("ftp://x", "ftp://x"), "—", 2.0, "已整改"),
        (3, "=SUM(A1)", Link(link, link), "", 3, "未整改\x07"),
    ), "无", widths=(5, 20, 30, 10, 8, 8))
    b = _hostile_bulletin()
    return dataclasses.replace(b, sections=(*b.sections, Section("edge", "六、边界", "", (edge,))))


def test_docx_table_rows_keep_text_links_and_looks(tmp_path: Any) -> None:
    (path,) = write_files(_edge_bulletin(), tmp_path, ["docx"])
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "文本")
    assert "tblHeader" in table.rows[0]._tr.xml
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[1] for r in rows] == ["第一行\n第二行\t之后", "  两端空格  ", "=SUM(A1)"]
    assert [r[3] for r in rows] == ["2021-01-02", "—", ""]
    assert rows[0][4] == "1.5" and rows[2][5] == "未整改"
    red = table.rows[1].cells[5].paragraphs[0].runs[0]
    assert red.bold and str(red.font.color.rgb) == "D40000"
    assert red._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert table.rows[3].cells[5].paragraphs[0].runs[0].font.color.rgb == red.font.color.rgb
    links = {r.target_ref for r in doc.part.rels.values() if r.is_external}
    assert "http://gov.example/?q=<1>&r" in links and "ftp://x" not in links
    assert 'href="javascript' not in doc.part.blob.decode() and "javascript:alert(1)" not in links


def test_xlsx_table_rows_keep_types_links_and_looks(tmp_path: Any) -> None:
    (path,) = write_files(_edge_bulletin(), tmp_path, ["xlsx"])
    ws = load_workbook(path)["边界"]
    rows = list(ws.iter_rows(min_row=3))
    assert [[c.value for c in r] for r in rows] == [
        [1, "第一行\n第二行\t之后", "http://gov.example/?q=<1>&r", datetime(2021, 1, 2), 1.5,
         "未整改"],
        [2, "  两端空格  ", "ftp://x", "—", 2, "已整改"],
        [3, "=SUM(A1)", "http://gov.example/?q=<1>&r", None, 3, "未整改"]]
    assert rows[2][1].data_type == "s"  # not a formula
    assert rows[0][3].number_format == "yyyy-mm-dd"
    assert [c.hyperlink.target if c.hyperlink else None for c in (r[2] for r in rows)] == [
        "http://gov.example/?q=<1>&r", None, "http://gov.example/?q=<1>&r"]
    assert rows[0][5].font.color.rgb == "00D40000" and rows[0][5].font.bold
    assert rows[1][5].font.color.rgb != "00D40000" and not rows[1][5].font.bold
    assert all(c.border.left.style == "thin" for r in rows for c in r)
    assert ws.auto_filter.ref == "A2:F5" and ws.freeze_panes == "A3"
