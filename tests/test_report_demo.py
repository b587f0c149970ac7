"""`govwatch report weekly` on the demo county: the demo portal crawled as of Wednesday
2021-09-08 and the monitors run, then bulletins drafted, approved and published from the
command line and opened with python-docx and openpyxl.

The demo's findings as of 2021-09-08: stale columns A01 通知公告 (10 days), A03 工作动态 (7),
B01 通知公告 (12) in 2021-W36 (the as-of week); under-posted accounts B02 演示县教育发布 in
2021-W35 (1 post) and B04 演示县卫体局 in 2021-W34 (2 posts); the policy 演示县粮食生产扶持
资金管理办法 (2021-08-24) without interpretation, grace ended in 2021-W34; five crawl failures.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlalchemy import func, select

from demo_portal import DemoPortal
from demo_portal.site import HOSTILE_TITLE, SOURCES
from govwatch.cli import app, demo_monitoring_start, main
from govwatch.cli.report import report
from govwatch.config import CountyConfig
from monitors.runner import run_monitors
from reports.weekly import last_complete_week
from storage import repo
from storage.db import Database
from storage.models import Bulletin, BulletinFinding, Item, Source, Unit

from .conftest import DEMO_CONFIG, config_in

AS_OF = date(2021, 9, 8)
STALE_DAYS = {("城关镇", "通知公告"): 10, ("六泉乡", "工作动态"): 7, ("县发改局", "通知公告"): 12}
FORMATS = ("md", "html", "docx", "xlsx")

main.add_command(report)  # what govwatch/cli.py registers


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder holding the demo county crawled and monitored as of AS_OF."""
    folder = tmp_path_factory.mktemp("report-demo") / "data"
    portal = DemoPortal(port=0, as_of=AS_OF).start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVWATCH_DEMO_URL", portal.url)
        mp.setenv("GOVWATCH_DEMO_MONITORING_START", demo_monitoring_start(AS_OF).isoformat())
        config = config_in(DEMO_CONFIG, folder)
        db = app.open_database(config)
        try:
            summary = app.crawl(config, db, reference_date=AS_OF)
            assert summary.result is not None and summary.result.error is None
            run_monitors(db, config, AS_OF)
        finally:
            db.dispose()
            portal.stop()
        yield folder


@dataclass
class County:
    """A private copy of the demo data, the CLI run in its folder, and the database."""

    cwd: Path
    config: CountyConfig
    db: Database

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(main, ["--config", str(DEMO_CONFIG), *args])
        assert result.exit_code == 0, (result.output, result.exception)
        return result

    def findings(self, **filters: str) -> list[repo.FindingRow]:
        with self.db.session() as session:
            return repo.list_findings(session, **filters)

    def review(self, ids: list[int], to_status: str = "confirmed") -> None:
        with self.db.session() as session:
            repo.review_findings(session, ids, to_status=to_status, actor="王芳",
                                 reason=None if to_status == "confirmed" else "单位申诉")

    def confirm_violations(self) -> None:
        self.review([f.id for f in self.findings() if f.rule != "crawl_failure"])

    def file(self, week: str, fmt: str, *, draft: bool = False) -> Path:
        reports = self.cwd / "data" / "reports"
        return reports / "drafts" / f"通报-{week}-草稿.{fmt}" if draft else reports / f"通报-{week}.{fmt}"


@pytest.fixture()
def county(demo_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[County]:
    shutil.copytree(demo_data, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOVWATCH_DATA_DIR", str(tmp_path / "data"))
    config = config_in(DEMO_CONFIG, tmp_path / "data")
    db = app.open_database(config)
    yield County(tmp_path, config, db)
    db.dispose()


def docx_tables(path: Path) -> dict[str, list[list[str]]]:
    """The DOCX tables keyed by their header row's joined text."""
    doc = Document(str(path))
    return {"|".join(c.text for c in t.rows[0].cells): [[c.text for c in r.cells]
                                                       for r in t.rows[1:]]
            for t in doc.tables}


def table_with(tables: dict[str, list[list[str]]], header: str) -> list[list[str]]:
    return next(rows for key, rows in tables.items() if header in key.split("|"))


def sheet_rows(path: Path, name: str) -> list[tuple[object, ...]]:
    ws = load_workbook(path)[name]
    return [tuple(r) for r in ws.iter_rows(min_row=3, values_only=True)]


# ----------------------------------------------------------------------------- make report


def test_make_report_drafts_the_four_formats_for_the_last_complete_week(county: County
                                                                        ) -> None:
    """What `make report` runs: `govwatch report weekly` with no options — a draft."""
    done = county.run("report", "weekly")
    week = last_complete_week()
    for fmt in FORMATS:
        assert county.file(week, fmt, draft=True).stat().st_size > 0, fmt
        assert str(county.file(week, fmt, draft=True)) in done.output.replace("\n", "")
        assert not county.file(week, fmt).exists()
    assert "草稿待审核" in done.output and "已发布" not in done.output
    assert f"govwatch report approve {week} --by 姓名" in done.output
    with county.db.session() as session:
        bulletin = session.scalar(select(Bulletin).where(Bulletin.period == week))
        assert bulletin is not None and bulletin.status == "draft"
        assert bulletin.drafted_by == "govwatch" and bulletin.published_at is None
        assert sorted(Path(f).suffix for f in bulletin.draft_files) == sorted(
            f".{f}" for f in FORMATS)
        assert bulletin.files == [] and bulletin.doc_number is None
    assert _links(county) == {}  # a draft names nothing not_rectified reads


# ----------------------------------------------------------------------------- contents


def test_sections_and_rows_in_docx_and_xlsx(county: County) -> None:
    county.confirm_violations()
    for week in ("2021-W34", "2021-W35", "2021-W36"):
        county.run("report", "weekly", "--week", week, "--no-publish", "--date", "2021-09-13")

    # 2021-W36: the stale columns with their days (the drafts: each a 审核稿, no 文号 yet)
    doc = Document(str(county.file("2021-W36", "docx", draft=True)))
    text = [p.text for p in doc.paragraphs]
    assert text[:3] == ["审核稿（草稿）：经审核通过并发布前不得印发", "演示县政务公开领导小组办公室",
                        "文号：审核发布时编排"]
    assert "演示县政务公开监测周通报（2021年第36周：2021年9月6日—9月12日）" in text
    assert "演示县政务公开领导小组办公室\u3000\u30002021年9月13日" in text
    for heading in ("一、栏目更新情况", "二、政务新媒体更新情况", "三、政策解读情况",
                    "四、整改情况", "五、各单位问题汇总", "（一）上期通报问题整改情况"):
        assert heading in text, heading
    summary = next(t for t in text if t.startswith("本周共监测"))
    columns = sum(1 for s in SOURCES if s.type == "column")
    assert f"本周共监测7个单位的{columns}个政务公开栏目、3个政务新媒体账号" in summary
    assert "本周发现问题3条，较上周增加1条" in summary
    assert "栏目长期未更新3条（上周0条）" in summary
    stale = table_with(docx_tables(county.file("2021-W36", "docx", draft=True)), "未更新天数")
    assert {(r[1], r[2]): int(r[4]) for r in stale} == STALE_DAYS
    assert {r[3] for r in stale} == {"2021-08-29", "2021-09-01", "2021-08-27"}
    assert all(r[5].startswith("http://127.0.0.1:") for r in stale)
    rows = sheet_rows(county.file("2021-W36", "xlsx", draft=True), "栏目更新情况")
    assert {(r[1], r[2]): r[4] for r in rows} == STALE_DAYS
    assert {r[3].date() for r in rows} == {date(2021, 8, 29), date(2021, 9, 1),  # type: ignore[union-attr]
                                           date(2021, 8, 27)}
    crawl = table_with(docx_tables(county.file("2021-W36", "docx", draft=True)), "审核状态")
    assert {(r[1], r[2]) for r in crawl} == {
        ("城关镇", "图片新闻"), ("河西镇", "通知公告"), ("县市场监管局", "通知公告"),
        ("县市场监管局", "行政执法公示"), ("县卫体局", "办事指南")}

    # 2021-W35 and W34: the under-posted weeks
    accounts = table_with(docx_tables(county.file("2021-W35", "docx", draft=True)), "本周发布（条）")
    assert [r[1:7] for r in accounts] == [
        ["县教育局", "演示县教育发布", "微信公众号", "8月30日—9月5日", "1", "3"]]
    rows = sheet_rows(county.file("2021-W34", "xlsx", draft=True), "政务新媒体更新情况")
    assert [r[1:7] for r in rows] == [("县卫体局", "演示县卫体局", "微博", "8月23日—8月29日", 2, 3)]

    # 2021-W34: the policy rows (the one with none, the one whose look-alike links elsewhere)
    policies = table_with(docx_tables(county.file("2021-W34", "docx", draft=True)), "政策文件")
    assert [r[1:4] for r in policies] == [
        ["县发改局", "关于印发《演示县物业服务收费管理办法》的通知", "2021-08-21"],
        ["县发改局", "演示县粮食生产扶持资金管理办法", "2021-08-24"]]
    rows = sheet_rows(county.file("2021-W34", "xlsx", draft=True), "政策解读情况")
    assert [(r[1], r[2], r[3].date()) for r in rows] == [  # type: ignore[union-attr]
        ("县发改局", "关于印发《演示县物业服务收费管理办法》的通知", date(2021, 8, 21)),
        ("县发改局", "演示县粮食生产扶持资金管理办法", date(2021, 8, 24))]
    assert re.search(r"/b01/zcwj/content_\d+\.html$", str(rows[1][4]))

    # per-unit table: every unit, counts and points
    units = sheet_rows(county.file("2021-W34", "xlsx", draft=True), "汇总")
    assert [u[0] for u in units] == ["城关镇", "河西镇", "六泉乡", "县发改局", "县教育局",
                                     "县市场监管局", "县卫体局"]
    by_unit = {u[0]: u for u in units}
    assert by_unit["县发改局"][1:] == ("B类", 0, 0, 2, 0, 2, 2)
    assert by_unit["县卫体局"][1:] == ("B类", 0, 1, 0, 0, 1, 2)
    md = county.file("2021-W34", "md", draft=True).read_text(encoding="utf-8")
    assert "| 县发改局 | B类 | 0 | 0 | 2 | 0 | 2 | 2 |" in md


def test_docx_and_xlsx_layout(county: County) -> None:
    county.confirm_violations()
    county.run("report", "weekly", "--week", "2021-W36", "--no-publish",
               "--format", "docx,xlsx")
    assert not county.file("2021-W36", "md", draft=True).exists()
    doc = Document(str(county.file("2021-W36", "docx", draft=True)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    title_run = next(p for p in doc.paragraphs if p.text.startswith("演示县政务公开监测")).runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert title_run.font.color.rgb is not None
    footer = section.footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    assert all("tblHeader" in t.rows[0]._tr.xml for t in doc.tables)
    assert all(c.paragraphs[0].runs[0].bold for t in doc.tables for c in t.rows[0].cells)

    wb = load_workbook(county.file("2021-W36", "xlsx", draft=True))
    assert wb.sheetnames[0] == "汇总"
    assert set(wb.sheetnames) >= {"栏目更新情况", "政务新媒体更新情况", "政策解读情况",
                                   "整改情况", "抓取异常", "待审核"}
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A3"
        assert all(c.font.bold for c in ws[2] if c.value)
        assert ws.column_dimensions["B"].width >= 10


def test_pending_findings_only_in_the_appendix(county: County) -> None:
    stale = {f.unit_code: f for f in county.findings(rule="stale_column")}
    county.review([stale["A01"].id])  # confirmed
    county.review([stale["B01"].id], "dismissed")  # dismissed: never shown
    county.run("report", "weekly", "--week", "2021-W36", "--no-publish")
    tables = docx_tables(county.file("2021-W36", "docx", draft=True))
    assert [(r[1], r[2]) for r in table_with(tables, "未更新天数")] == [("城关镇", "通知公告")]
    pending = table_with(tables, "问题编号")
    assert [(int(r[0]), r[1], r[2], r[-1]) for r in pending] == [
        (stale["A03"].id, "六泉乡", "工作动态", "待审核")]
    doc = Document(str(county.file("2021-W36", "docx", draft=True)))
    assert any(p.text.startswith("附件2：待审核问题清单") for p in doc.paragraphs)
    summary = next(p.text for p in doc.paragraphs if p.text.startswith("本周共监测"))
    assert "本周发现问题1条" in summary and "另有1条问题尚待审核" in summary
    rows = sheet_rows(county.file("2021-W36", "xlsx", draft=True), "待审核")
    assert [(r[0], r[-1]) for r in rows] == [(stale["A03"].id, "待审核")]
    listed = [c for header, rows in tables.items() if not header.startswith("单位|类别")
              for r in rows for c in r]  # every table but the per-unit one
    assert "县发改局" not in listed  # the dismissed B01 finding appears nowhere
    page = county.file("2021-W36", "html", draft=True).read_text(encoding="utf-8")
    section_one = page.split('id="section-stale"')[1].split("</section>")[0]
    assert "城关镇" in section_one and "六泉乡" not in section_one
    appendix = page.split('id="section-pending"')[1].split("</section>")[0]
    assert "六泉乡" in appendix and "待审核" in appendix

    # approved and published: the same confirmed finding, nothing pending in any format
    approved = county.run("report", "approve", "2021-W36", "--by", "王芳")
    assert "已发布：2021-W36" in approved.output
    tables = docx_tables(county.file("2021-W36", "docx"))
    assert [(r[1], r[2]) for r in table_with(tables, "未更新天数")] == [("城关镇", "通知公告")]
    assert not any("问题编号" in header.split("|") for header in tables)
    assert not any("审核状态" in header.split("|") for header in tables)
    listed = [c for header, rows in tables.items() if not header.startswith("单位|类别")
              for r in rows for c in r]
    assert "六泉乡" not in listed  # the pending A03 finding: only in the per-unit tally (0)
    doc = Document(str(county.file("2021-W36", "docx")))
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "待审核" not in text
    assert "附件2" not in text
    assert "待审核" not in load_workbook(county.file("2021-W36", "xlsx")).sheetnames
    for fmt in ("html", "md"):
        published = county.file("2021-W36", fmt).read_text(encoding="utf-8")
        assert "待审核" not in published and "工作动态" not in published, fmt
        assert "section-pending" not in published


def test_html_escapes_crawled_titles(county: County) -> None:
    """A finding about the demo's hostile item (A01 政务动态), evidence as crawled."""
    with county.db.session() as session:
        item, unit_id = session.execute(
            select(Item, Unit.id).join(Source, Source.id == Item.source_id)
            .join(Unit, Unit.id == Source.unit_id).where(Item.title == HOSTILE_TITLE)).one()
        new, _ = repo.save_findings(session, [repo.FindingDraft(
            rule="uninterpreted_policy", unit_id=unit_id, subject=f"item:{item.id}",
            period="2021-W35", as_of=AS_OF, points=1, source_id=item.source_id,
            item_id=item.id, evidence={"item_url": item.url, "policy_title": item.title,
                                       "published_on": item.published_on.isoformat()})])
    county.review(new)
    county.run("report", "weekly", "--week", "2021-W35", "--no-publish")
    page = county.file("2021-W35", "html", draft=True).read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;关于做好防汛工作的通知" in page
    md = county.file("2021-W35", "md", draft=True).read_text(encoding="utf-8")
    assert "<script" not in md and "&lt;script&gt;" in md
    policies = table_with(docx_tables(county.file("2021-W35", "docx", draft=True)), "政策文件")
    assert [r[2] for r in policies] == [HOSTILE_TITLE]


# ----------------------------------------------------------------------------- publishing


def _links(county: County) -> dict[str, set[int]]:
    with county.db.session() as session:
        rows = session.execute(select(Bulletin.period, BulletinFinding.finding_id)
                               .join(BulletinFinding, BulletinFinding.bulletin_id == Bulletin.id))
        found: dict[str, set[int]] = {}
        for period, finding_id in rows:
            found.setdefault(period, set()).add(finding_id)
    return found


def test_publishing_two_consecutive_weeks(county: County) -> None:
    county.confirm_violations()
    ids = {(f.rule, f.unit_code): f.id for f in county.findings()
           if f.rule != "uninterpreted_policy"}
    policies = {f.period: set() for f in county.findings(rule="uninterpreted_policy")}
    for f in county.findings(rule="uninterpreted_policy"):
        policies[f.period].add(f.id)  # W34: two policies (P2, P13); W35: one (P9)
    assert {k: len(v) for k, v in policies.items()} == {"2021-W34": 2, "2021-W35": 1}
    county.run("report", "weekly", "--week", "2021-W34", "--publish", "--by", "王芳")
    county.run("report", "weekly", "--week", "2021-W35", "--publish", "--by", "王芳")
    assert _links(county) == {
        "2021-W34": {ids[("low_post_frequency", "B04")], *policies["2021-W34"]},
        "2021-W35": {ids[("low_post_frequency", "B02")], *policies["2021-W35"]},
    }
    with county.db.session() as session:
        bulletins = {b.period: b for b in session.scalars(select(Bulletin))}
        named = repo.bulletined_findings(session)  # what monitors.not_rectified reads
    assert bulletins["2021-W35"].published_by == "王芳"
    year = date.today().year  # the issue date's year (default today)
    assert [bulletins[w].doc_number for w in ("2021-W34", "2021-W35")] == [
        f"演政公开通〔{year}〕1号", f"演政公开通〔{year}〕2号"]
    assert all(b.status == "published" and b.drafted_by == "王芳" for b in bulletins.values())
    assert bulletins["2021-W35"].title == ("演示县政务公开监测周通报"
                                            "（2021年第35周：2021年8月30日—9月5日）")
    assert {(n.finding_id, n.bulletin_period) for n in named} == {
        (ids[("low_post_frequency", "B04")], "2021-W34"),
        *((i, "2021-W34") for i in policies["2021-W34"]),
        (ids[("low_post_frequency", "B02")], "2021-W35"),
        *((i, "2021-W35") for i in policies["2021-W35"])}

    # section 四 of W35 looks back at W34: the policy is still uninterpreted, the Weibo
    # account posted enough in W35
    rectification = table_with(docx_tables(county.file("2021-W35", "docx")), "整改情况")
    status = {(r[1], r[2]): (r[4], r[5]) for r in rectification}
    assert status[("县发改局", "政策文件")] == ("未整改", "仍未见解读")
    assert status[("县卫体局", "演示县卫体局")][0] == "已整改"
    assert status[("县卫体局", "演示县卫体局")][1].startswith("本周发布")
    rows = sheet_rows(county.file("2021-W35", "xlsx"), "整改情况")
    assert sorted(r[4] for r in rows) == ["已整改", "未整改", "未整改"]
    doc = Document(str(county.file("2021-W35", "docx")))
    assert any(p.text.startswith("2021年第34周通报列出的3个问题，截至本周末已整改1个，未整改2个")
               for p in doc.paragraphs)

    # publishing W34 again: same record, links follow what it now names, no duplicates
    with county.db.session() as session:
        first_at = session.scalar(select(Bulletin.published_at)
                                  .where(Bulletin.period == "2021-W34"))
    county.run("report", "weekly", "--week", "2021-W34", "--publish", "--by", "赵强")
    with county.db.session() as session:
        again = session.scalar(select(Bulletin).where(Bulletin.period == "2021-W34"))
        assert again.published_at == first_at  # nothing changed: a re-render
        assert again.published_by == "赵强"
        assert again.doc_number == f"演政公开通〔{year}〕1号"  # its number kept
    county.review(sorted(policies["2021-W34"]), "dismissed")
    county.run("report", "weekly", "--week", "2021-W34", "--publish", "--by", "赵强")
    assert _links(county)["2021-W34"] == {ids[("low_post_frequency", "B04")]}
    with county.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Bulletin)) == 2
        assert session.scalar(select(func.count()).select_from(BulletinFinding)) == 3


def test_bad_options_are_explained_in_chinese(county: County) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["--config", str(DEMO_CONFIG), "report", "weekly",
                               "--week", "2021-35"])
    assert bad.exit_code == 2 and "应写成 2021-W35" in bad.output
    bad = runner.invoke(main, ["--config", str(DEMO_CONFIG), "report", "weekly",
                               "--format", "pdf"])
    assert bad.exit_code == 2 and "不支持的格式「pdf」" in bad.output
    bad = runner.invoke(main, ["--config", str(DEMO_CONFIG), "report", "weekly", "--publish"])
    assert bad.exit_code == 2 and "审核发布人" in bad.output
    bad = runner.invoke(main, ["--config", str(DEMO_CONFIG), "report", "approve", "2021-W35"])
    assert bad.exit_code == 2 and "--by" in bad.output
