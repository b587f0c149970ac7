"""The bulletin's lifecycle — draft, approve, publish — on a real SQLite file through the real
CLI (click's runner), the review web app (Starlette's test client) and the schema migration;
the DOCX files opened with python-docx: 文号 numbered per year, 签发人, 版记 between lines,
nothing pending in the published document, the closing demand only when problems are named,
the signature kept with the closing paragraph."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from click.testing import CliRunner, Result
from docx import Document
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from govwatch.cli import app, main
from govwatch.config import CountyConfig, load_config
from reports.lifecycle import draft_week
from storage import repo
from storage.db import MIGRATIONS, Database
from storage.models import Bulletin, BulletinFinding, Source, Unit

from . import test_web
from .conftest import DEMO_CONFIG, config_text_in
from .test_web import PASSWORD, REVIEWER, VIEWER, Env, _login, _token

env = test_web.env  # the web app's fixture: demo county, two users, three pending findings

BULLETIN = ("  bulletin:\n"
            "    number_format: 演公开办通〔{year}〕{n}号\n"
            "    signer: 李明\n"
            "    cc: [县委办公室, 县人大常委会办公室]\n"
            "    printer: '{county}政务服务中心'\n")
CLOSING = "请被通报单位高度重视"


@dataclass
class County:
    config_path: Path
    config: CountyConfig
    db: Database
    ids: dict[str, int]

    @property
    def reports(self) -> Path:
        return Path(self.config.settings.data_dir) / "reports"

    def run(self, *args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(main, ["--config", str(self.config_path), *args])
        if ok:
            assert result.exit_code == 0, (result.output, result.exception)
        return result

    def bulletin(self, week: str) -> Bulletin:
        with self.db.session() as session:
            found = session.scalar(select(Bulletin).where(Bulletin.period == week))
            assert found is not None
            return found

    def links(self, week: str) -> set[int]:
        with self.db.session() as session:
            return set(session.scalars(
                select(BulletinFinding.finding_id).join(Bulletin)
                .where(Bulletin.period == week)))

    def review(self, label: str, to_status: str = "confirmed") -> None:
        with self.db.session() as session:
            repo.review_findings(session, [self.ids[label]], to_status=to_status, actor="王芳",
                                 reason=None if to_status == "confirmed" else "单位申诉")


def _findings(db: Database) -> dict[str, int]:
    """Two weeks' findings: confirmed and pending stale columns, a pending crawl failure."""
    as_of = date(2021, 9, 8)
    with db.session() as session:
        def source(unit: str, name: str) -> Source:
            found = session.scalar(select(Source).join(Unit).where(Unit.code == unit,
                                                                   Source.name == name))
            assert found is not None
            return found

        def stale(unit: str, name: str, period: str, newest: str) -> repo.FindingDraft:
            s = source(unit, name)
            return repo.FindingDraft(
                rule="stale_column", unit_id=s.unit_id, subject=f"source:{s.id}", period=period,
                as_of=as_of, points=1.0, source_id=s.id,
                evidence={"column_url": s.url, "newest_published_on": newest,
                          "days_without_update": 12})

        broken = source("A01", "图片新闻")
        drafts = [
            stale("B01", "通知公告", "2021-W36", "2021-08-27"),
            stale("A01", "通知公告", "2021-W36", "2021-08-29"),
            stale("B01", "通知公告", "2021-W35", "2021-08-20"),
            repo.FindingDraft(
                rule="crawl_failure", unit_id=broken.unit_id, subject=f"source:{broken.id}",
                period="2021-W36", as_of=as_of, points=0.0, source_id=broken.id,
                evidence={"outcome": "http_error", "http_status": 500, "failing_days": 2,
                          "source_url": broken.url}),
        ]
        ids, _ = repo.save_findings(session, drafts)
        labels = dict(zip(("w36", "w36_pending", "w35", "crawl"), ids, strict=True))
        repo.review_findings(session, [labels["w36"], labels["w35"]], to_status="confirmed",
                             actor="王芳", reason=None)
    return labels


def _county(tmp_path: Path, bulletin: str = BULLETIN) -> Iterator[County]:
    text_ = config_text_in(DEMO_CONFIG, tmp_path / "data")
    path = tmp_path / "county.yaml"
    path.write_text(text_.replace("settings:\n", f"settings:\n{bulletin}", 1), encoding="utf-8")
    config = load_config(path)
    db = app.open_database(config)
    yield County(path, config, db, _findings(db))
    db.dispose()


@pytest.fixture()
def county(tmp_path: Path) -> Iterator[County]:
    yield from _county(tmp_path)


@pytest.fixture()
def plain_county(tmp_path: Path) -> Iterator[County]:
    """The same county without a ``settings.bulletin`` block: the defaults."""
    yield from _county(tmp_path, bulletin="")


def paragraphs(path: Path) -> list[Paragraph]:
    return list(Document(str(path)).paragraphs)


def everything(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def borders(p: Paragraph) -> dict[str, str]:
    """A paragraph's border lines: edge → width (eighths of a point)."""
    found = p._p.pPr.find(qn("w:pBdr"))
    return {} if found is None else {edge.tag.split("}")[1]: edge.get(qn("w:sz"))
                                     for edge in found}


# ----------------------------------------------------------------------------- CLI


def test_draft_then_approve_from_the_command_line(county: County) -> None:
    done = county.run("report", "weekly", "--week", "2021-W36", "--date", "2021-09-13")
    assert "草稿待审核（列入通报的问题 1 条）" in done.output
    drafts = county.reports / "drafts"
    assert sorted(p.name for p in drafts.iterdir()) == [
        f"通报-2021-W36-草稿.{fmt}" for fmt in ("docx", "html", "md", "xlsx")]
    assert not (county.reports / "通报-2021-W36.docx").exists()
    row = county.bulletin("2021-W36")
    assert row.status == "draft" and row.published_at is None and row.doc_number is None
    assert row.draft_findings == [county.ids["w36"]] and row.drafted_by == "govwatch"
    assert county.links("2021-W36") == set()  # not_rectified reads nothing yet

    draft = drafts / "通报-2021-W36-草稿.docx"
    lines = [p.text for p in paragraphs(draft)]
    assert lines[:3] == ["审核稿（草稿）：经审核通过并发布前不得印发", "演示县政务公开领导小组办公室",
                         "文号：审核发布时编排\t签发人：李明"]
    assert any(t.startswith("附件2：待审核问题清单") for t in lines)  # the internal list
    assert "待审核" in load_workbook(drafts / "通报-2021-W36-草稿.xlsx").sheetnames

    done = county.run("report", "approve", "2021-W36", "--by", "王芳", "--date", "2021-09-13")
    assert "已发布：2021-W36（演公开办通〔2021〕1号，2021年9月13日，签发人：李明）" in done.output
    row = county.bulletin("2021-W36")
    assert (row.status, row.published_by, row.doc_year, row.doc_seq) == ("published", "王芳",
                                                                         2021, 1)
    assert row.approved_at is not None and row.published_at == row.approved_at
    assert county.links("2021-W36") == {county.ids["w36"]}
    assert sorted(Path(f).name for f in row.files) == [
        f"通报-2021-W36.{fmt}" for fmt in ("docx", "html", "md", "xlsx")]

    published = county.reports / "通报-2021-W36.docx"
    ps = paragraphs(published)
    # 版头: 发文机关, then 文号 left and 签发人 right (a right tab stop), then the red rule
    assert ps[0].text == "演示县政务公开领导小组办公室"
    assert ps[1].text == "演公开办通〔2021〕1号\t签发人：李明"
    assert [t.alignment for t in ps[1].paragraph_format.tab_stops] == [WD_TAB_ALIGNMENT.RIGHT]
    assert ps[1].runs[-1].text == "李明"
    assert ps[1].runs[-1]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"
    assert borders(ps[2]) == {"bottom": "18"} and ps[2].text == ""
    # nothing pending: no 附件2, no pending table or status column, no pending count
    body = everything(published)
    assert "待审核" not in body and "附件2" not in body and "审核状态" not in body
    assert "待审核" not in load_workbook(county.reports / "通报-2021-W36.xlsx").sheetnames
    for fmt in ("html", "md"):
        assert "待审核" not in (county.reports / f"通报-2021-W36.{fmt}").read_text("utf-8")
    # problems named: the closing demand, kept with the signature
    texts = [p.text for p in ps]
    closing = next(i for i, t in enumerate(texts) if t.startswith(CLOSING))
    assert texts[closing + 1:closing + 4] == ["", "演示县政务公开领导小组办公室", "2021年9月13日"]
    assert all(ps[i].paragraph_format.keep_with_next for i in range(closing, closing + 3))
    assert all(ps[i].paragraph_format.keep_together for i in (closing + 2, closing + 3))
    # 版记 at the end: 抄送 and 印发 between lines, the outer ones thick
    cc, printed = ps[-2], ps[-1]
    assert cc.text == "抄送：县委办公室，县人大常委会办公室。"
    assert printed.text == "演示县政务服务中心\t2021年9月13日印发"
    assert borders(cc) == {"top": "8", "bottom": "4"} and borders(printed) == {"bottom": "8"}
    assert cc.paragraph_format.keep_with_next and printed.paragraph_format.keep_together
    html = (county.reports / "通报-2021-W36.html").read_text("utf-8")
    assert "演公开办通〔2021〕1号" in html and 'class="imprint"' in html and "李明" in html
    md = (county.reports / "通报-2021-W36.md").read_text("utf-8")
    assert md.startswith("演公开办通〔2021〕1号　　签发人：李明")
    assert "抄送：县委办公室，县人大常委会办公室。" in md

    # a second approval that year takes the next number; the next year starts again at 1
    county.run("report", "weekly", "--week", "2021-W35")
    county.run("report", "approve", "2021-W35", "--by", "赵强", "--date", "2021-09-14")
    assert county.bulletin("2021-W35").doc_number == "演公开办通〔2021〕2号"
    assert paragraphs(county.reports / "通报-2021-W35.docx")[1].text.startswith(
        "演公开办通〔2021〕2号\t")
    county.run("report", "weekly", "--week", "2021-W52", "--publish", "--by", "赵强",
               "--date", "2022-01-03")
    assert county.bulletin("2021-W52").doc_number == "演公开办通〔2022〕1号"

    # approving again needs a new draft; a re-publication keeps its number and published_at
    refused = county.run("report", "approve", "2021-W36", "--by", "王芳", ok=False)
    assert refused.exit_code == 1 and "没有待审核的草稿" in refused.output
    first = county.bulletin("2021-W36")
    county.run("report", "weekly", "--week", "2021-W36")
    assert county.bulletin("2021-W36").status == "draft"
    assert county.bulletin("2021-W36").doc_number == "演公开办通〔2021〕1号"  # still published
    county.run("report", "approve", "2021-W36", "--by", "王芳", "--date", "2021-12-31")
    again = county.bulletin("2021-W36")
    assert again.doc_number == "演公开办通〔2021〕1号" and again.published_at == first.published_at
    assert again.approved_at is not None and first.approved_at is not None
    assert again.approved_at > first.approved_at
    listed = county.run("report", "list")
    assert "演公开办通〔2022〕1号" in listed.output and "2021-W35" in listed.output


def test_a_week_without_problems_has_no_closing_demand(county: County) -> None:
    county.run("report", "weekly", "--week", "2021-W37", "--publish", "--by", "王芳",
               "--date", "2021-09-20")
    texts = [p.text for p in paragraphs(county.reports / "通报-2021-W37.docx")]
    assert not any(CLOSING in t for t in texts)
    assert "请各单位继续做好政府信息公开栏目和政务新媒体的日常更新维护工作。" in texts
    assert any("经考核小组审核确认，本周未发现问题" in t for t in texts)
    # with only a pending finding, the draft lists it for review and still makes no demand
    county.review("w36", "dismissed")
    county.run("report", "weekly", "--week", "2021-W36")
    draft = [p.text for p in paragraphs(county.reports / "drafts" / "通报-2021-W36-草稿.docx")]
    assert not any(CLOSING in t for t in draft)
    assert any("另有1条问题尚待审核" in t for t in draft)


def test_an_outdated_draft_is_not_published(county: County) -> None:
    county.run("report", "weekly", "--week", "2021-W36")
    county.review("w36_pending")  # confirmed after the draft was made
    refused = county.run("report", "approve", "2021-W36", "--by", "王芳", ok=False)
    assert refused.exit_code == 1 and "重新生成草稿" in refused.output
    row = county.bulletin("2021-W36")
    assert row.status == "draft" and row.published_at is None and row.doc_seq is None
    assert not (county.reports / "通报-2021-W36.docx").exists()
    county.run("report", "weekly", "--week", "2021-W36")
    county.run("report", "approve", "2021-W36", "--by", "王芳")
    assert county.links("2021-W36") == {county.ids["w36"], county.ids["w36_pending"]}
    assert county.bulletin("2021-W36").doc_seq == 1  # the refused approval took no number


def test_the_defaults_sign_with_the_approver(plain_county: County) -> None:
    plain_county.run("report", "weekly", "--week", "2021-W36", "--publish", "--by", "王芳",
                     "--date", "2021-09-13")
    ps = paragraphs(plain_county.reports / "通报-2021-W36.docx")
    assert ps[0].text == "演示县政务公开领导小组办公室"
    assert ps[1].text == "演政公开通〔2021〕1号\t签发人：王芳"
    # no 抄送: the 印发 line alone between the two thick lines, the issuer printing it
    assert ps[-1].text == "演示县政务公开领导小组办公室\t2021年9月13日印发"
    assert borders(ps[-1]) == {"top": "8", "bottom": "8"}
    assert not any(p.text.startswith("抄送") for p in ps)
    # published at once, the draft is kept as XLSX: the internal list of what was pending
    drafts = plain_county.reports / "drafts"
    assert [p.name for p in drafts.iterdir()] == ["通报-2021-W36-草稿.xlsx"]
    pending = load_workbook(drafts / "通报-2021-W36-草稿.xlsx")["待审核"]
    assert [r[0] for r in pending.iter_rows(min_row=3, values_only=True)] == [
        plain_county.ids["w36_pending"]]


def test_a_bad_number_format_is_explained_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "county.yaml"
    text_ = config_text_in(DEMO_CONFIG, tmp_path / "data")
    path.write_text(text_.replace("settings:\n", "settings:\n  bulletin: {number_format: "
                                  "'陵政公开通〔{year}〕号'}\n", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"])
    assert result.exit_code == 2
    assert "文号格式「陵政公开通〔{year}〕号」须含 {year} 和 {n}" in result.output


# ----------------------------------------------------------------------------- schema


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_keeps_published_bulletins_published(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0013")
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO bulletin (period, title, published_at, published_by, "
                          "files) VALUES ('2021-W35', '通报', '2021-09-06 08:00:00', '王芳', "
                          "'[]')"))
    db.migrate()
    with db.session() as session:
        old = session.scalar(select(Bulletin))
        assert old is not None
        assert (old.status, old.published_by, old.doc_number) == ("published", "王芳", None)
        assert old.approved_at == old.published_at
        session.add(Bulletin(period="2021-W36", title="草稿", status="draft", files=[]))
    with pytest.raises(IntegrityError), db.session() as session:  # one number a year
        session.add_all([Bulletin(period=f"2021-W{w}", title="通报", files=[], doc_year=2021,
                                  doc_seq=1) for w in (37, 38)])
    command.downgrade(cfg, "0013")  # the draft never approved goes, the published stays
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT period FROM bulletin")).scalars().all() == ["2021-W35"]
    db.dispose()


# ----------------------------------------------------------------------------- web


def _draft(env: Env) -> None:
    with env.db.session() as session:
        repo.review_findings(session, [env.ids["stale"]], to_status="confirmed", actor="王芳",
                             reason=None)
    draft_week(env.db, env.config, "2021-W36", issued_on=date(2021, 9, 13))


def _row(env: Env) -> Any:
    with env.db.session() as session:
        return session.scalar(select(Bulletin).where(Bulletin.period == "2021-W36"))


def test_a_reviewer_approves_and_publishes_in_the_web_app(env: Env) -> None:
    _draft(env)
    client = env.client()
    token = _login(client)
    page = client.get("/bulletins")
    assert page.status_code == 200 and "审核通过并发布" in page.text
    assert 'action="/bulletins/approve"' in page.text and 'name="week" value="2021-W36"' in page.text
    preview = client.get("/bulletins/drafts/通报-2021-W36-草稿.html?view=1")
    assert preview.status_code == 200 and "审核稿（草稿）" in preview.text
    assert "sandbox" in preview.headers["content-security-policy"]
    assert "attachment" not in preview.headers.get("content-disposition", "")
    download = client.get("/bulletins/drafts/通报-2021-W36-草稿.docx")
    assert download.headers["content-disposition"].startswith("attachment")
    assert client.get("/bulletins/drafts/..%2Fgovwatch.db").status_code == 404

    unsigned = client.post("/bulletins/approve", data={"week": "2021-W36"})
    assert unsigned.status_code == 403 and _row(env).status == "draft"
    done = client.post("/bulletins/approve", data={"week": "2021-W36", "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/bulletins"
    page = client.get("/bulletins")
    assert "已审核通过并发布2021年第36周通报（演政公开通" in page.text
    assert f"审核人：{REVIEWER}" in page.text and "审核通过并发布</button>" not in page.text
    row = _row(env)
    assert row.status == "published" and row.published_by == REVIEWER
    assert row.doc_number.startswith("演政公开通〔") and row.doc_seq == 1
    published = client.get("/downloads/reports/通报-2021-W36.docx")
    assert published.status_code == 200
    ps = paragraphs(Path(env.config.settings.data_dir) / "reports" / "通报-2021-W36.docx")
    assert ps[1].text.endswith(f"\t签发人：{REVIEWER}")

    # a draft outdated by a review since: refused, said so, drafted again from the page
    client.post("/bulletins/draft", data={"week": "2021-W36", "csrf_token": token})
    with env.db.session() as session:
        repo.review_findings(session, [env.ids["stale"]], to_status="dismissed",
                             actor=REVIEWER, reason="单位申诉")
    client.post("/bulletins/approve", data={"week": "2021-W36", "csrf_token": token})
    assert "未发布" in client.get("/bulletins").text and _row(env).status == "draft"


def test_a_viewer_only_downloads_published_bulletins(env: Env) -> None:
    _draft(env)
    client = env.client()
    token = _login(client, VIEWER)
    page = client.get("/bulletins")
    assert page.status_code == 200
    assert "审核通过并发布" not in page.text and "通报-2021-W36-草稿" not in page.text
    assert client.get("/bulletins/drafts/通报-2021-W36-草稿.docx").status_code == 403
    for path in ("/bulletins/approve", "/bulletins/draft"):
        refused = client.post(path, data={"week": "2021-W36", "csrf_token": token})
        assert refused.status_code == 403, path
    assert _row(env).status == "draft"
    reviewer = env.client()
    reviewer_token = _login(reviewer, REVIEWER, PASSWORD)
    reviewer.post("/bulletins/approve", data={"week": "2021-W36", "csrf_token": reviewer_token})
    assert "通报-2021-W36.docx" in client.get("/bulletins").text
    assert client.get("/downloads/reports/通报-2021-W36.docx").status_code == 200
    assert _token(page.text)  # the page still carries a token for the logout form
