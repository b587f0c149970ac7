"""The govwatch command line as an operator uses it: `govwatch demo`, then reviewing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import DEMO_CONFIG, config_text_in

STALE = {("A01", "通知公告"), ("A03", "工作动态"), ("B01", "通知公告")}
FAILED = {("B03", "通知公告"), ("B03", "行政执法公示"), ("B04", "办事指南"),
          ("A02", "通知公告"), ("A01", "图片新闻")}

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, subprocess.CompletedProcess[str]]:
    """`govwatch demo --as-of 2021-09-08` in a fresh folder, and a runner for more commands."""
    cwd = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    env["PYTHONIOENCODING"] = "utf-8"
    env["GOVWATCH_DATA_DIR"] = str(cwd / "data")  # the demo config's ../data is the repo's

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "govwatch", "--config", str(DEMO_CONFIG),
                               *args], capture_output=True, text=True, cwd=cwd, env=env,
                              timeout=600, input=stdin)

    done = run("demo", "--as-of", "2021-09-08", "--port", "0")
    assert done.returncode == 0, done.stderr
    return run, done


def _findings(run: Run, *filters: str) -> list[dict]:
    listed = run("findings", "list", "--format", "json", *filters)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def test_demo_prints_the_findings_table(demo_run: tuple[Run, subprocess.CompletedProcess[str]]
                                        ) -> None:
    run, done = demo_run
    assert "演示门户已启动" in done.stdout and "演示门户已停止" in done.stdout
    for words in ("栏目长期未更新", "抓取异常", "新媒体更新不足", "政策文件未解读",
                  "已 10 天未更新", "2021年9月8日"):
        assert words in done.stdout, words
    rows = _findings(run)
    keys = {"id", "rule", "unit_code", "unit_name", "source_name", "item_url", "period",
            "as_of", "points", "status", "evidence"}
    assert rows and all(keys <= set(r) for r in rows)
    assert {(r["unit_code"], r["source_name"]) for r in rows
            if r["rule"] == "stale_column"} == STALE
    assert {(r["unit_code"], r["source_name"]) for r in rows
            if r["rule"] == "crawl_failure"} == FAILED
    csv_out = run("findings", "list", "--rule", "stale_column", "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("\ufeff编号,问题类型,")  # BOM, Chinese
    assert len(csv_out.stdout.strip().splitlines()) == 1 + len(STALE)


def test_review_from_the_command_line(demo_run: tuple[Run, subprocess.CompletedProcess[str]]
                                      ) -> None:
    run, _ = demo_run
    stale = _findings(run, "--rule", "stale_column")
    first, second, third = (r["id"] for r in stale)
    confirmed = run("findings", "confirm", str(first), "--by", "王芳", "--note", "已核实")
    assert confirmed.returncode == 0 and "已确认 1 条" in confirmed.stdout
    # dismissing needs a reason
    refused = run("findings", "dismiss", str(second), "--by", "王芳")
    assert refused.returncode != 0 and "--reason" in refused.stderr
    # a filter selection shows the count first and wants --yes when nobody can answer
    unattended = run("findings", "dismiss", "--rule", "crawl_failure", "--by", "王芳",
                     "--reason", "演示站点故障，非单位责任")
    assert unattended.returncode != 0 and "将驳回 5 条问题" in unattended.stdout
    bulk = run("findings", "dismiss", "--rule", "crawl_failure", "--by", "王芳",
               "--reason", "演示站点故障，非单位责任", "--yes")
    assert bulk.returncode == 0 and "已驳回 5 条" in bulk.stdout
    assert {r["status"] for r in _findings(run, "--rule", "crawl_failure")} == {"dismissed"}
    # the monitors run again: reviewed findings keep their status, nothing is duplicated
    again = run("monitor", "--as-of", "2021-09-08")
    assert again.returncode == 0 and "新发现 0 条" in again.stdout
    status = {r["id"]: r["status"] for r in _findings(run)}
    assert (status[first], status[second], status[third]) == ("confirmed", "pending", "pending")
    reopened = run("findings", "reopen", str(first), "--by", "赵强", "--reason", "单位申诉")
    assert reopened.returncode == 0
    shown = run("findings", "show", str(first))
    assert shown.returncode == 0
    assert "王芳 待审核 → 已确认，理由：已核实" in shown.stdout
    assert "赵强 已确认 → 待审核，理由：单位申诉" in shown.stdout
    assert "页面快照" in shown.stdout and "评分细则" in shown.stdout
    assert f"govwatch findings snapshot {first} > 快照.html" in shown.stdout
    page = run("findings", "snapshot", str(first))  # the stale column's page, as crawled
    assert page.returncode == 0 and "<html" in page.stdout.lower()
    assert "通知公告" in page.stdout or "动态" in page.stdout
    nothing = run("findings", "snapshot", "99999")
    assert nothing.returncode != 0 and "问题 99999 没有可查看的页面快照" in nothing.stderr
    missing = run("findings", "confirm", "99999", "--by", "王芳")
    assert missing.returncode != 0 and "99999" in missing.stderr


def test_crawl_filters_name_unknown_units_in_chinese(
        demo_run: tuple[Run, subprocess.CompletedProcess[str]]) -> None:
    run, _ = demo_run
    bad = run("crawl", "--unit", "Z99")
    assert bad.returncode == 2 and "配置中没有单位代码「Z99」" in bad.stderr
    bad = run("crawl", "--source", "不存在的栏目")
    assert bad.returncode == 2 and "不存在的栏目" in bad.stderr


def test_lingchuan_config_checks(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "govwatch", "--config",
                           str(DEMO_CONFIG.parent / "lingchuan-2021.yaml"), "config", "check"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0
    assert "陵川县，38 个单位" in done.stdout
    # a template of units without sources yet: each would be 未监测, and check says so
    assert "38 个单位没有配置任何栏目或账号" in done.stderr and "未监测" in done.stderr


def _monitor_on(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`govwatch monitor` on the demo config in ``folder`` (its data/ folder there)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    return subprocess.run([sys.executable, "-m", "govwatch", "--config", str(DEMO_CONFIG),
                           "monitor", "--as-of", "2021-09-08"], capture_output=True, text=True,
                          cwd=folder, timeout=300,
                          env={**clean, "PYTHONIOENCODING": "utf-8",
                               "GOVWATCH_DATA_DIR": str(folder / "data"), **env})


def test_a_broken_gone_or_unreachable_database_is_explained(tmp_path: Path) -> None:
    first = _monitor_on(tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    db = tmp_path / "data" / "govwatch.db"
    assert db.exists() and (tmp_path / "data" / "govwatch.db.created").exists()
    # deleted: not recreated empty, the operator is told how to restore or start again
    db.unlink()
    gone = _monitor_on(tmp_path)
    assert gone.returncode == 4 and "不存在了" in gone.stderr and "备份" in gone.stderr
    assert "Traceback" not in gone.stderr and not db.exists()
    # corrupt: a message, the file left as it is
    db.write_bytes(b"this is not a database, it only has its name " * 200)
    broken = _monitor_on(tmp_path)
    assert broken.returncode == 4 and "已损坏" in broken.stderr, broken.stderr[-2000:]
    assert "Traceback" not in broken.stderr and db.read_bytes().startswith(b"this is not")
    # PostgreSQL that does not answer
    away = _monitor_on(tmp_path, GOVWATCH_DATABASE_URL="postgresql+psycopg://govwatch@127.0.0.1:9/x")
    assert away.returncode == 4 and "无法连接数据库" in away.stderr, away.stderr[-2000:]
    assert "Traceback" not in away.stderr


def test_commands_find_the_database_from_any_working_directory(tmp_path: Path) -> None:
    """A relative data_dir is the config file's, not the shell's; commands that only read
    refuse a database that does not exist yet instead of reporting a clean county."""
    county = tmp_path / "county"
    county.mkdir()
    config = county / "county.yaml"
    config.write_text(config_text_in(DEMO_CONFIG, Path("data")), encoding="utf-8")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "govwatch", "--config", str(config),
                               *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                              env={**clean, "PYTHONIOENCODING": "utf-8"})

    for command in (["findings", "list"], ["score"], ["report", "weekly", "--no-publish"]):
        refused = run(*command, cwd=elsewhere)
        assert refused.returncode == 4, (command, refused.stdout, refused.stderr[-1000:])
        assert "还不存在" in refused.stderr and "govwatch crawl" in refused.stderr
    assert not (county / "data" / "govwatch.db").exists()
    assert not (elsewhere / "data").exists()
    made = run("monitor", "--as-of", "2021-09-08", cwd=county)
    assert made.returncode == 0, made.stderr[-2000:]
    assert (county / "data" / "govwatch.db").exists()
    listed = run("findings", "list", "--format", "json", cwd=elsewhere)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert not (elsewhere / "data").exists()  # the same database, not a new empty one


def test_the_review_commands_start_without_the_crawler() -> None:
    """Monitoring, scoring and reporting never load Scrapy, Twisted or Alembic (a current
    schema needs no migration): every such command would pay for them at start-up."""
    probe = ("import sys, govwatch.cli, monitors.runner, reports.lifecycle, scoring.service\n"
             "print(sorted(m for m in ('scrapy', 'twisted', 'alembic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"
