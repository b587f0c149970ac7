"""`govwatch posts import`: the manual route for accounts no crawler can reach."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import yaml
from sqlalchemy import func, select

from govwatch.cli import app
from monitors.runner import run_monitors
from storage import repo
from storage.models import Item

from .conftest import config_in

COUNTY = {
    "county": "测试县",
    "settings": {"data_dir": "data", "monitoring_start": "2021-08-23",
                 "thresholds": {"crawl_failure_days": 1}},
    "units": [{"code": "A01", "name": "城关镇", "category": "A", "accounts": [
        {"platform": "manual", "name": "城关镇发布", "url": "https://mp.weixin.qq.com/cgzfb"}]}],
}


def county(tmp_path: Path) -> Path:
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(COUNTY, allow_unicode=True), encoding="utf-8")
    return path


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govwatch", "--config",
                           str(county(tmp_path)), *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["单位代码", "账号名称", "发布时间", "标题", "链接"], *rows])
    return path


GOOD = [
    ["A01", "城关镇发布", "2021-08-23 09:00", "城关镇开展防汛演练", ""],
    ["A01", "城关镇发布", "2021年8月25日", "城关镇召开村（社区）干部会议", ""],
    ["A01", "城关镇发布", "2021-08-27 18:30", "秋季森林防火提示",
     "https://mp.weixin.qq.com/s/abc"],
    ["A01", "城关镇发布", "2021-09-01 08:00", "开学季交通安全提醒", ""],  # W35: 1 post
]


def test_bad_rows_are_all_reported_and_nothing_is_stored(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "posts.csv", [
        *GOOD,
        ["A09", "城关镇发布", "2021-09-02", "单位不存在", ""],
        ["A01", "城关镇微博", "2021-09-02", "账号不存在", ""],
        ["A01", "城关镇发布", "九月初", "时间不对", "ftp://x"],
    ])
    done = run(tmp_path, "posts", "import", str(sheet))
    assert done.returncode == 2
    assert "发布记录有 4 处错误，未导入任何记录" in done.stderr
    assert "第 6 行：单位代码「A09」不在配置中" in done.stderr
    assert "第 7 行：单位 A01 没有名为「城关镇微博」的新媒体账号" in done.stderr
    assert "第 8 行：发布时间「九月初」无法识别" in done.stderr
    assert "第 8 行：链接「ftp://x」不是 http(s) 网址" in done.stderr
    db = app.open_database(config_in(county(tmp_path), tmp_path / "data"))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 0
    db.dispose()


def test_imported_posts_feed_the_weekly_rule(tmp_path: Path) -> None:
    template = run(tmp_path, "posts", "template", "--out", str(tmp_path / "t.csv"))
    assert template.returncode == 0
    assert (tmp_path / "t.csv").read_text("utf-8-sig").startswith("单位代码,账号名称,发布时间")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "发布记录"
    sheet.append(["单位代码", "账号", "发布时间", "标题", "链接"])  # header wording may vary
    for row in GOOD:
        sheet.append(row)
    book.save(tmp_path / "posts.xlsx")
    first = run(tmp_path, "posts", "import", str(tmp_path / "posts.xlsx"))
    assert first.returncode == 0, first.stderr
    assert "新增 4 条发布记录（城关镇发布 4 条）" in first.stdout
    again = run(tmp_path, "posts", "import", str(tmp_path / "posts.xlsx"))
    assert "新增 0 条" in again.stdout  # the same posts never count twice
    crawl = run(tmp_path, "crawl")  # a manual account is never crawled
    assert crawl.returncode == 0
    config = config_in(county(tmp_path), tmp_path / "data")
    db = app.open_database(config)
    run_monitors(db, config, date(2021, 9, 8))
    with db.session() as session:
        rows = repo.list_findings(session)
        items = session.scalar(select(func.count()).select_from(Item))
    assert items == 4
    assert [(r.rule, r.period, r.evidence["posts_in_week"]) for r in rows] == [
        ("low_post_frequency", "2021-W35", 1)]
    db.dispose()
