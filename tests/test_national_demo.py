"""The 重大扣分 risks and the national checks on real crawls of the demo portal over several
days (issue 21): a column named in a published bulletin that then shows items dated days
before they appeared (倒签), and the quarterly self-check of the whole county through the CLI.
One crawl's findings of every plant are pinned in test_demo_end_to_end (national_findings)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from demo_portal.site import backdated_items, first_listed_on, release_day
from govwatch.cli import app, main
from govwatch.config import load_config
from monitors.runner import run_monitors
from storage import repo

from .conftest import DEMO_CONFIG, config_text_in, serving_demo

RELEASE = release_day(date(2021, 9, 8))  # items back-dated by 5 and 6 days appear that day
COLUMN = ("A01", "公示公告")


def cli(config_file: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(config_file), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def crawl_on(day: date, folder: Path) -> Path:
    """Crawl 公示公告 as the portal stood on ``day``; the config file written for it."""
    with serving_demo(day):
        config_file = folder / "demo.yaml"
        config_file.write_text(config_text_in(DEMO_CONFIG, folder / "data"), encoding="utf-8")
        config = load_config(config_file)
        db = app.open_database(config)
        try:
            with db.session() as session:
                source_id = repo.source_ids(session)[COLUMN]
            summary = app.crawl(config, db, source_ids={source_id}, reference_date=day)
            assert summary.result is not None and summary.result.error is None
        finally:
            db.dispose()
    return config_file


def test_items_back_dated_after_a_bulletin_named_the_column(tmp_path: Path) -> None:
    before = RELEASE - timedelta(days=3)
    config_file = crawl_on(before, tmp_path)
    config = load_config(config_file)
    db = app.open_database(config)
    try:
        run_monitors(db, config, before)
        with db.session() as session:
            (stale,) = [r for r in repo.list_findings(session)
                        if r.rule == "stale_column" and (r.unit_code, r.source_name) == COLUMN]
        cli(config_file, "findings", "confirm", str(stale.id), "--by", "王芳")
        week = f"{before.isocalendar()[0]}-W{before.isocalendar()[1]:02d}"
        cli(config_file, "report", "weekly", "--week", week, "--publish", "--by", "王芳",
            "--date", (before + timedelta(days=1)).isoformat())
        for day in (RELEASE - timedelta(days=2), RELEASE - timedelta(days=1), RELEASE):
            crawl_on(day, tmp_path)
        run_monitors(db, config, RELEASE)
        with db.session() as session:
            found = [r for r in repo.list_findings(session) if r.rule == "backdated_item"]
    finally:
        db.dispose()
    planted = {i.title for i in backdated_items(RELEASE)}
    assert len(planted) == 2 and len(first_listed_on(RELEASE)) == 3  # and one near miss
    assert {r.evidence["title"] for r in found} == planted
    for row in found:
        assert row.evidence["first_seen_on"] == RELEASE.isoformat()
        assert row.evidence["appeared_together"] == 2
        assert row.evidence["bulletin_period"] == week
        assert row.points == 0  # a review item: 弄虚作假 is the team's major deduction


def test_the_quarterly_self_check_of_the_demo_county(tmp_path: Path) -> None:
    day = date(2021, 9, 8)
    with serving_demo(day):
        config_file = tmp_path / "demo.yaml"
        config_file.write_text(config_text_in(DEMO_CONFIG, tmp_path / "data"), encoding="utf-8")
        config = load_config(config_file)
        db = app.open_database(config)
        try:
            with db.session() as session:
                ids = {sid for (code, _), sid in repo.source_ids(session).items()
                       if code in ("A01", "A02", "B02")}
            app.crawl(config, db, source_ids=ids, reference_date=day)
            run_monitors(db, config, day)
        finally:
            db.dispose()
        probed = cli(config_file, "probe")
    assert "县政府门户网站首页：正常" in probed and "县教育局网站首页：正常" in probed
    out = tmp_path / "自查表.xlsx"
    printed = cli(config_file, "report", "national", "--as-of", day.isoformat(),
                  "--out", str(out))
    assert "单项否决" in printed and "县教育局 县教育局网站首页" in printed
    rows = list(load_workbook(out)["单项否决"].iter_rows(min_row=3, values_only=True))
    verdicts = {(r[0], r[2]): r[5] for r in rows}
    assert verdicts[("县教育局 县教育局网站首页", "首页不更新")] == "是"  # 15 days
    assert verdicts[("城关镇 县政府门户网站首页", "首页不更新")] == "否"  # the near miss
    assert verdicts[("县教育局 县教育局网站首页", "结论")] == "单项否决"
