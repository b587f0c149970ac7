"""`govwatch score` and `govwatch entries` end to end on the demo county: a real SQLite file,
findings stored and confirmed through storage.repo (no crawl needed), entries imported from a
CSV, scores as a table, JSON and an XLSX score sheet read back with openpyxl."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from govwatch.cli import app
from govwatch.cli.scoring import entries, score
from govwatch.config import load_config
from scoring.entries import HEADERS
from scoring.sheets import RANK_HEADERS, SHEET_HEADERS
from storage import repo
from storage.models import Source
from storage.repo import FindingDraft

from .conftest import AS_OF, DEMO_CONFIG, config_text_in


@click.group()
@click.option("--config", "config_path", type=click.Path(path_type=Path))
@click.pass_context
def cli(ctx: click.Context, config_path: Path) -> None:
    """Stand-in for govwatch.cli.main, which registers the same two commands."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_path


cli.add_command(score)
cli.add_command(entries)


@pytest.fixture()
def county(tmp_path: Path) -> Iterator[Path]:
    """The demo config with its data folder in tmp_path, and confirmed findings stored."""
    path = tmp_path / "demo.yaml"
    path.write_text(config_text_in(DEMO_CONFIG, tmp_path / "data"), encoding="utf-8")
    config = load_config(path)
    db = app.open_database(config)
    with db.session() as session:
        sources = repo.sync_config(session, config)
        units = {code: session.get_one(Source, sid).unit_id
                 for (code, _), sid in sources.items()}

        def draft(rule: str, code: str, source: str, period: str) -> FindingDraft:
            sid = sources[(code, source)]
            return FindingDraft(rule=rule, unit_id=units[code], subject=f"source:{sid}",
                                period=period, as_of=AS_OF, points=1, evidence={},
                                source_id=sid)

        confirmed, _ = repo.save_findings(session, [
            draft("stale_column", "A01", "通知公告", "2021-W35"),
            draft("stale_column", "A01", "通知公告", "2021-W36"),
            draft("stale_column", "A03", "工作动态", "2021-W36"),
            draft("stale_column", "B01", "通知公告", "2021-W36"),
            draft("low_post_frequency", "B02", "演示县教育发布", "2021-W35"),
            draft("crawl_failure", "B03", "通知公告", "2021-W36"),
        ])
        pending, _ = repo.save_findings(session, [
            draft("stale_column", "A02", "信息公开", "2021-W36"),
            draft("stale_column", "A02", "乡镇动态", "2021-W36"),
        ])
        repo.review_findings(session, confirmed, to_status="confirmed", actor="张三")
        repo.review_findings(session, pending[1:], to_status="dismissed", actor="张三",
                             reason="栏目已停用")
        # every unit was crawled in 2021 — but B04's crawls all failed: it was not monitored
        for (code, _), sid in sources.items():
            run_id = repo.open_crawl_run(session, sid, reference_date=AS_OF)
            repo.close_crawl_run(session, run_id, outcome="timeout" if code == "B04" else "ok")
    db.dispose()
    yield path


def run(config: Path, *args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def write_entries(path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerow(["A02", "河西镇", "加分", "A-JF1", "", "", "市级先进单位 晋市政办〔2021〕3号",
                         "", "2021"])
        writer.writerow(["B01", "", "扣分", "B5.2.1a", "", "80", "多样化解读 16/20", "", "2021"])
        writer.writerow(["B02", "", "重大扣分", "B-ZD2", "", "", "网站错别字被省办通报", "", "2021"])
    return path


EXPECTED = {  # code: (得分, 等次, 名次)
    "A02": (100, "优秀", 1),  # 100 + 3 = 103 → 100, ahead of equal scores
    "A03": (99, "优秀", 2),  # one stale week
    "A01": (98, "优秀", 3),  # two stale weeks
    "B03": (100, "优秀", 1),  # crawl failure: never a deduction
    "B01": (95, "优秀", 2),  # stale 1 + 多样化解读 80% → 4 (capped)
    "B02": (88, "良好", 3),  # new media under-posting 2 + major deduction 10
    "B04": (100, "未监测", None),  # every crawl of 2021 failed: no grade, no rank, listed last
}


def test_score_after_confirming_findings(county: Path, tmp_path: Path) -> None:
    result = run(county, "entries", "import", str(write_entries(tmp_path / "录入.csv")),
                 "--by", "李四")
    assert result.exit_code == 0, result.output
    assert "已从 录入.csv 导入 3 条记录" in result.stdout

    result = run(county, "score", "--year", "2021", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = {u["unit_code"]: (u["final"], u["grade"], u["rank"]) for u in data["units"]}
    assert got == EXPECTED
    assert data["unscored_findings"] == 1
    a02 = next(u for u in data["units"] if u["unit_code"] == "A02")
    assert (a02["total"], a02["capped_total"], a02["bonus"]) == (103, 100, 3)
    a01 = next(u for u in data["units"] if u["unit_code"] == "A01")
    stale = a01["indicators"][2]["lines"][0]
    assert (stale["id"], stale["deduction"], stale["score"]) == ("A3.1.1", 2, 8)
    assert [r["source"] for r in stale["reasons"]] == ["发现#1", "发现#2"]
    assert stale["reasons"][0]["note"] == "栏目长期未更新（通知公告，2021-W35）"
    b01 = next(u for u in data["units"] if u["unit_code"] == "B01")
    diverse = next(ln for ind in b01["indicators"] for ln in ind["lines"] if ln["id"] == "B5.2.1")
    assert diverse["deduction"] == 4
    assert diverse["reasons"][0]["source"].endswith("（录入.csv 第3行）")

    # The table: ranked within class, level-1 subtotals, details with reasons.
    result = run(county, "score", "--year", "2021")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "演示县 2021年度政务公开工作考核得分排名（A类" in out
    assert out.index("A02 河西镇") < out.index("A03 六泉乡") < out.index("A01 城关镇")
    assert out.index("B03") < out.index("B01 县发改局") < out.index("B02 县教育局")
    assert "扣分、加分明细" in out and "发现#1" in out
    assert "已确认的抓取异常 1 条不计分" in out
    assert "未监测单位（不评等次、不排名）：B04 县卫体局（所有栏目和账号均未能抓取）" in out

    result = run(county, "score", "--year", "2021", "--unit", "B02")
    assert result.exit_code == 0, result.output
    assert "得分 88，等次 良好，B类第 3 名" in result.stdout
    result = run(county, "score", "--year", "2021", "--unit", "B04")
    assert "等次 未监测，B类不排名（未监测：所有栏目和账号均未能抓取）" in result.stdout


def test_xlsx_score_sheet_layout(county: Path, tmp_path: Path) -> None:
    run(county, "entries", "import", str(write_entries(tmp_path / "录入.csv")), "--by", "李四")
    out = tmp_path / "评分表.xlsx"
    result = run(county, "score", "--year", "2021", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["排名", "A01 城关镇", "A02 河西镇", "A03 六泉乡", "B01 县发改局",
                               "B02 县教育局", "B03 县市场监管局", "B04 县卫体局"]
    ranking = book["排名"]
    assert [c.value for c in ranking[2]] == list(RANK_HEADERS)
    assert ranking.freeze_panes == "A3" and ranking["A2"].font.bold
    rows = [[c.value for c in r][:10] for r in ranking.iter_rows(min_row=3)]
    assert rows[0] == ["A类", 1, "A02", "河西镇", 100, 3, None, 103, 100, "优秀"]
    assert [(r[2], r[1], r[8]) for r in rows] == [
        (code, rank or "未监测", final) for code, (final, _, rank) in EXPECTED.items()]

    sheet = book["A01 城关镇"]
    assert [c.value for c in sheet[2]] == list(SHEET_HEADERS)
    assert sheet.freeze_panes == "A3"
    assert all(c.font.bold for c in sheet[2])
    assert sheet.column_dimensions["E"].width == 46 and sheet.column_dimensions["I"].width == 48
    assert "A3:A4" in {str(m) for m in sheet.merged_cells.ranges}  # 组织领导与工作保障 block
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    stale = next(r for r in values if r[2] == "在本乡镇设置目录下保持内容更新")
    assert stale[3] == 10 and stale[6:8] == [2, 8]
    assert "发现#1" in stale[8] and "发现#2" in stale[8]
    assert ["组织领导与工作保障 小计", None, None, 10, None, None, 0, 10, None] in values
    assert ["主动公开 小计", None, None, 30, None, None, 2, 28, None] in values
    final = next(r for r in values if r[0] == "得分")
    assert final[7] == 98 and final[8] == "等次：优秀；A类第 3 名"
    explanation = next(c for c in sheet["I"] if c.value and "发现#" in str(c.value))
    assert explanation.alignment.wrap_text

    b02 = [[c.value for c in r] for r in book["B02 县教育局"].iter_rows(min_row=3)]
    major = next(r for r in b02 if r[0] == "重大扣分项")
    assert major[6:8] == [10, -10] and "网站错别字被省办通报" in major[8]
    assert major[5] == "根据考核情况评定"  # 考核方式


def test_jingchuan_rubric_on_the_same_data(county: Path) -> None:
    result = run(county, "score", "--year", "2021", "--rubric", "jingchuan", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = {u["unit_code"]: u["final"] for u in data["units"]}
    assert got == {"A02": 100, "A03": 99, "A01": 98, "B03": 100, "B04": 100, "B01": 99, "B02": 98}
    a01 = next(u for u in data["units"] if u["unit_code"] == "A01")
    assert [(i["name"], i["weight"], i["score"]) for i in a01["indicators"]] == [
        ("年度专项业务工作", 70, 70), ("日常工作", 30, 28)]


def test_bad_entries_and_options(county: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(HEADERS) + "\nA01,,扣分,A3.1.1a,abc,,说明,张三,2021\n"
                   "Q1,,扣分,A3.1.1a,,,说明,张三,2021\n", encoding="utf-8")
    result = run(county, "entries", "import", str(bad))
    assert result.exit_code == 1
    assert "第 2 行：分值「abc」不是数字" in result.stderr
    assert "第 3 行：单位代码「Q1」不存在" in result.stderr
    result = run(county, "score", "--unit", "X99")
    assert result.exit_code == 2 and "配置中没有单位代码「X99」" in result.output
    result = run(county, "score", "--rubric", "nonesuch")
    assert result.exit_code == 2 and "找不到该评分细则" in result.stderr


def test_entries_template_and_list(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = run(county, "entries", "template", "--out", str(out))
    assert result.exit_code == 0 and out.exists()
    assert [c.value for c in load_workbook(out)["录入"][1]] == list(HEADERS)
    run(county, "entries", "import", str(write_entries(tmp_path / "录入.csv")), "--by", "李四")
    result = run(county, "entries", "list", "--year", "2021")
    assert result.exit_code == 0
    assert "录入.csv 第4行" in result.stdout and "80%" in result.stdout
    assert "共 3 条。" in result.stdout


HOSTILE_UNIT = '=HYPERLINK("http://evil.example/","城关镇")'


def test_unit_names_never_become_formulas(county: Path, tmp_path: Path) -> None:
    """A unit name from the config that looks like a formula is written as text: in the score
    sheet and the entries template (XLSX: a text cell) and the CSV template and findings
    (a leading apostrophe)."""
    text = county.read_text(encoding="utf-8").replace(
        "name: 城关镇", "name: '" + HOSTILE_UNIT.replace("'", "''") + "'", 1)
    county.write_text(text, encoding="utf-8")
    sheet = tmp_path / "评分表.xlsx"
    assert run(county, "score", "--year", "2021", "--format", "xlsx",
               "--out", str(sheet)).exit_code == 0
    template = tmp_path / "模板.xlsx"
    assert run(county, "entries", "template", "--out", str(template)).exit_code == 0
    for path in (sheet, template):
        book = load_workbook(path)
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
        assert any(c.value == HOSTILE_UNIT for c in cells), path
        assert not [c.coordinate for c in cells if c.data_type == "f"], path
    csv_template = tmp_path / "模板.csv"
    assert run(county, "entries", "template", "--out", str(csv_template)).exit_code == 0
    rows = list(csv.reader(csv_template.open(encoding="utf-8-sig")))
    assert all(not cell.startswith("=") for row in rows for cell in row)


def test_csv_cells_that_look_like_formulas_get_an_apostrophe() -> None:
    import io

    from govwatch.tabular import sheet_text, write_csv

    for text in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert sheet_text(text) == "'" + text
    assert sheet_text("城关镇") == "城关镇" and sheet_text(-2) == -2 and sheet_text(None) is None
    buffer = io.StringIO()
    write_csv(buffer, [["=1+1", 3, "正常"]])
    assert buffer.getvalue().splitlines() == ["'=1+1,3,正常"]


def test_a_published_bulletin_deducts_once_per_unit_it_names(county: Path) -> None:
    """被通报的一次扣0.5分（A）/1分（B）: each unit a published bulletin names loses the line's
    points once per bulletin, however many of its findings the bulletin lists."""
    def finals() -> dict[str, float]:
        result = run(county, "score", "--year", "2021", "--format", "json")
        assert result.exit_code == 0, result.output
        return {u["unit_code"]: u["final"] for u in json.loads(result.stdout)["units"]}

    from govwatch.cli import main

    def report(*args: str) -> click.testing.Result:
        return CliRunner().invoke(main, ["--config", str(county), "report", "weekly", *args],
                                  catch_exceptions=False)

    before = finals()
    published = report("--week", "2021-W36", "--publish", "--by", "张三", "--date", "2021-09-13")
    assert published.exit_code == 0, published.output
    after = finals()
    # W36 names the stale columns of A01, A03 and B01 (B03's crawl failure is not a violation)
    assert {code: round(before[code] - after[code], 2) for code in before
            if before[code] != after[code]} == {"A01": 0.5, "A03": 0.5, "B01": 1}
    detail = run(county, "score", "--year", "2021", "--unit", "B01")
    assert "被通报" in detail.stdout and "通报2021-W36" in detail.stdout
    # publishing the same week again names nobody twice
    again = report("--week", "2021-W36", "--publish", "--by", "张三", "--date", "2021-09-13")
    assert again.exit_code == 0, again.output
    assert finals() == after


def test_terminal_details_are_cut_short_a_file_keeps_them_all(
        county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's 50,000 detail rows are not dumped on the terminal: the first
    ``TERMINAL_ROWS``, how many there are and where to see them all; ``--out`` has every row."""
    from govwatch.cli import scoring as scoring_cli

    monkeypatch.setattr(scoring_cli, "TERMINAL_ROWS", 2)
    result = run(county, "score", "--year", "2021")
    assert result.exit_code == 0, result.output
    details = result.stdout[result.stdout.index("扣分、加分明细"):]
    shown, note = details.split("（共", 1)
    rows = int(note.split(" 行")[0])
    assert rows > 2 and "这里只显示前 2 行。全部明细：加 --out 文件" in note
    out = tmp_path / "得分.txt"
    assert run(county, "score", "--year", "2021", "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "只显示前" not in text
    cited = set(re.findall(r"发现#\d+", text))
    assert set(re.findall(r"发现#\d+", shown)) < cited  # the file has the rows cut short
