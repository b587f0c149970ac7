"""The scheduler daemon: cron triggers (to the second here), jobs in order, overlaps skipped,
one daemon per database, failures survived, clean stops."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from docx import Document
from sqlalchemy import select, text

from govwatch.cli import app
from govwatch.cli.schedule import (
    Daemon,
    ScheduleConfig,
    SchedulerBusy,
    cron_trigger,
    load_schedule,
    lock_owner,
    planned_jobs,
)
from govwatch.config import ConfigError, load_config
from govwatch.logs import setup_logging
from govwatch.timeutil import CHINA, iso_week, today
from storage import repo
from storage.db import Database
from storage.models import Bulletin, Source, Unit

from .conftest import DEMO_CONFIG

SMALL_UNITS = ("A03", "B03")  # a stale column, a fresh one, a 500 column and an RSS feed


def small_config(tmp_path: Path) -> Path:
    """The demo county cut to two units, with its data in tmp_path."""
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["settings"]["data_dir"] = str(tmp_path / "data")
    data["units"] = [u for u in data["units"] if u["code"] in SMALL_UNITS]
    for unit in data["units"]:
        unit["columns"] = [c for c in unit.get("columns", []) if "timeout" not in c]
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def schedule(**jobs: str) -> ScheduleConfig:
    return ScheduleConfig.model_validate({
        "misfire_grace_minutes": 5, "shutdown_grace_seconds": 60,
        "jobs": {name: {"cron": cron} for name, cron in jobs.items()},
    })


def test_cron_expressions_and_schedule_errors(tmp_path: Path) -> None:
    start = datetime(2021, 9, 6, 0, 30, 7, tzinfo=CHINA)  # a Monday
    fire = lambda cron: cron_trigger(cron).get_next_fire_time(None, start)  # noqa: E731
    assert fire("0 2 * * *") == datetime(2021, 9, 6, 2, 0, 0, tzinfo=CHINA)
    assert fire("*/5 * * * * *") == datetime(2021, 9, 6, 0, 30, 10, tzinfo=CHINA)
    assert fire("0 8 * * sun") == datetime(2021, 9, 12, 8, 0, tzinfo=CHINA)
    with pytest.raises(ValueError, match="星期请用英文缩写"):
        cron_trigger("0 8 * * 1")
    bad = tmp_path / "schedule.yaml"
    bad.write_text("jobs:\n  crawl: {cron: '0 25 * * *'}\n  monitor: {crom: '0 6 * * *'}\n",
                   encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_schedule(bad)
    report = str(info.value)
    assert "第 2 行" in report and "cron 表达式「0 25 * * *」无效" in report
    assert "未知字段 crom" in report
    shipped = load_schedule(DEMO_CONFIG.parent / "schedule.yaml")
    assert [j.id for j in planned_jobs(shipped, "x.yaml")] == ["crawl", "monitor", "report"]


def test_per_source_schedules_leave_the_county_crawl(tmp_path: Path) -> None:
    plan = ScheduleConfig.model_validate({"sources": [
        {"unit": "A01", "source": "政务动态", "cron": "0 7,19 * * *"}]})
    jobs = {j.id: j for j in planned_jobs(plan, "x.yaml")}
    assert jobs["crawl"].kwargs["exclude"] == [("A01", "政务动态")]
    assert jobs["crawl:A01:政务动态"].kwargs["source"] == "政务动态"


def test_one_daemon_per_database_and_jobs_replaced_on_restart(demo_portal: object,
                                                              tmp_path: Path) -> None:
    config_path = small_config(tmp_path)
    config = load_config(config_path)
    db = app.open_database(config)
    plan = schedule(crawl="0 2 * * *", monitor="0 6 * * *", report="0 8 * * mon")
    first = Daemon(db, plan, str(config_path))
    first.start()
    try:
        assert lock_owner(db) == first.owner
        second_db = Database(db.url)
        with pytest.raises(SchedulerBusy):
            Daemon(second_db, plan, str(config_path)).start()
        second_db.dispose()
    finally:
        first.shutdown()
    assert lock_owner(db) is None
    again = Daemon(db, plan, str(config_path))
    again.start()
    again.shutdown()
    with db.engine.connect() as conn:
        ids = sorted(conn.execute(text("select id from apscheduler_jobs")).scalars())
    assert ids == ["crawl", "monitor", "report"]  # replaced, not duplicated
    db.dispose()


def test_crawl_then_monitor_in_order_and_overlaps_skipped(demo_portal: object,
                                                          tmp_path: Path) -> None:
    config_path = small_config(tmp_path)
    config = load_config(config_path)
    db = app.open_database(config)
    # a crawl takes a few seconds (a fresh process each time): a trigger every second
    # finds the previous run still going and is skipped
    plan = ScheduleConfig.model_validate({
        "misfire_grace_minutes": 5, "shutdown_grace_seconds": 60,
        "jobs": {"crawl": {"cron": "* * * * * *"}, "monitor": {"cron": "*/3 * * * * *"},
                 "report": {"cron": "0 8 * * mon", "enabled": False}}})
    daemon = Daemon(db, plan, str(config_path))
    setup_logging(config.settings.data_dir)
    daemon.start()
    done = lambda job: [when for j, event, when in daemon.events  # noqa: E731
                        if (j, event) == (job, "done")]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            crawls = done("crawl")
            # two monitor runs done after the first crawl: the second (one instance at a time)
            # started after the first ended, so surely after the crawl — the first may have
            # started while the crawl was still running and seen nothing yet
            after = [m for m in done("monitor") if crawls and m > crawls[0]]
            if len(after) >= 2 and any(e[:2] == ("crawl", "skipped") for e in daemon.events):
                break
            time.sleep(0.5)
    finally:
        daemon.shutdown()
        logging.getLogger().handlers.clear()
    first_crawl = done("crawl")[0]
    later = [m for m in done("monitor") if m > first_crawl]
    assert len(later) >= 2, daemon.events
    # the monitors found the planted violations (a run overlapping the first crawl's end may
    # have stored them just before that crawl was marked done; none could before it stored)
    with db.session() as session:
        rules = {(r.rule, r.unit_code, r.source_name) for r in repo.list_findings(session)}
    assert ("stale_column", "A03", "工作动态") in rules
    assert ("crawl_failure", "B03", "通知公告") in rules
    assert any(e[:2] == ("crawl", "skipped") for e in daemon.events)  # overlap skipped
    log = (Path(config.settings.data_dir) / "logs" / "govwatch.log").read_text("utf-8")
    finish = next(line for line in log.splitlines() if "job=crawl event=finish" in line)
    assert "sources=" in finish and "duration=" in finish and "items=" in finish
    assert "job=crawl event=skipped" in log
    db.dispose()


def test_a_failing_job_is_logged_and_the_daemon_carries_on(demo_portal: object,
                                                           tmp_path: Path) -> None:
    config_path = small_config(tmp_path)
    config = load_config(config_path)
    db = app.open_database(config)
    plan = schedule(crawl="0 2 * * *", monitor="* * * * * *", report="0 8 * * mon")
    daemon = Daemon(db, plan, str(config_path))
    config_path.write_text("county: [broken\n", encoding="utf-8")  # the operator's typo
    setup_logging(config.settings.data_dir)
    daemon.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if sum(1 for e in daemon.events if e[:2] == ("monitor", "error")) >= 2:
                break
            time.sleep(0.2)
    finally:
        daemon.shutdown()
        logging.getLogger().handlers.clear()
    errors = [e for e in daemon.events if e[:2] == ("monitor", "error")]
    assert len(errors) >= 2  # retried at the next trigger
    log = (Path(config.settings.data_dir) / "logs" / "govwatch.log").read_text("utf-8")
    assert "job=monitor event=error" in log and "ConfigError" in log
    db.dispose()


def test_schedule_command_lists_and_stops_cleanly_on_sigterm(demo_portal: object,
                                                              tmp_path: Path) -> None:
    config_path = small_config(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    base = [sys.executable, "-m", "govwatch", "--config", str(config_path), "schedule",
            "--schedule", str(DEMO_CONFIG.parent / "schedule.yaml")]
    listed = subprocess.run([*base, "--list"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "抓取（全县）" in listed.stdout and "下次运行" in listed.stdout
    daemon = subprocess.Popen(base, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=tmp_path)
    try:
        assert daemon.stdout is not None
        started = daemon.stdout.readline()
        assert "调度已启动" in started
        second = subprocess.run(base, capture_output=True, text=True, env=env, cwd=tmp_path,
                                timeout=120)
        assert second.returncode == 3 and "已有调度进程" in second.stderr
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0, err
    assert "调度已停止" in out
    db = Database(f"sqlite:///{(tmp_path / 'data' / 'govwatch.db').resolve()}")
    assert lock_owner(db) is None
    db.dispose()


def _run_report_job(db: Database, config_path: Path, report: dict[str, object]) -> Daemon:
    """The daemon with only the report job, triggered every second, until it ran once."""
    plan = ScheduleConfig.model_validate({
        "misfire_grace_minutes": 5, "shutdown_grace_seconds": 60,
        "jobs": {"crawl": {"cron": "0 2 * * *", "enabled": False},
                 "monitor": {"cron": "0 6 * * *", "enabled": False},
                 "report": {"cron": "* * * * * *", **report}}})
    daemon = Daemon(db, plan, str(config_path))
    daemon.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
                e[:2] in (("report", "done"), ("report", "error")) for e in daemon.events):
            time.sleep(0.2)
    finally:
        daemon.shutdown()
    assert ("report", "done") in [e[:2] for e in daemon.events], daemon.events
    return daemon


def test_the_report_job_drafts_unless_the_schedule_says_auto_publish(tmp_path: Path) -> None:
    plan = load_schedule(DEMO_CONFIG.parent / "schedule.yaml")  # the shipped schedule: drafts
    report = next(j for j in planned_jobs(plan, "x.yaml") if j.id == "report")
    assert report.kwargs == {"config_path": "x.yaml", "auto_publish": False}
    assert report.name == "周通报草稿"
    config_path = small_config(tmp_path)
    config = load_config(config_path)
    db = app.open_database(config)
    week = iso_week(today() - timedelta(days=7))  # the job's week: the last complete one
    with db.session() as session:
        column = session.scalar(select(Source).join(Unit).where(Unit.code == "A03",
                                                                Source.name == "工作动态"))
        assert column is not None
        (finding,), _ = repo.save_findings(session, [repo.FindingDraft(
            rule="stale_column", unit_id=column.unit_id, subject=f"source:{column.id}",
            period=week, as_of=today() - timedelta(days=5), points=1.0,
            source_id=column.id, evidence={"newest_published_on": "2021-08-29"})])
        repo.review_findings(session, [finding], to_status="confirmed", actor="王芳",
                             reason=None)
    reports = Path(config.settings.data_dir) / "reports"

    _run_report_job(db, config_path, {})
    with db.session() as session:
        row = session.scalar(select(Bulletin).where(Bulletin.period == week))
        assert row is not None
        assert (row.status, row.drafted_by, row.published_at) == ("draft", "govwatch schedule",
                                                                  None)
        assert row.draft_findings == [finding] and not repo.bulletined_findings(session)
    assert (reports / "drafts" / f"通报-{week}-草稿.docx").exists()
    assert not (reports / f"通报-{week}.docx").exists()

    _run_report_job(db, config_path, {"auto_publish": True})
    with db.session() as session:
        row = session.scalar(select(Bulletin).where(Bulletin.period == week))
        assert row is not None
        assert (row.status, row.published_by, row.doc_seq) == ("published", "govwatch schedule",
                                                               1)
        assert [n.finding_id for n in repo.bulletined_findings(session)] == [finding]
    # published by a program: it signs nothing (no 签发人 unless the county names one)
    lines = [p.text for p in Document(str(reports / f"通报-{week}.docx")).paragraphs]
    assert lines[1] == row.doc_number and not any("签发人" in line for line in lines)
    db.dispose()
