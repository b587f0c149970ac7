"""The ``govwatch schedule`` daemon: APScheduler 3 running the crawl, monitor, report and
notify jobs on cron triggers from ``config/schedule.yaml``, in China time.

How it behaves, and why:
- each job has a fixed id and is written with ``replace_existing``: restarting the daemon
  replaces its jobs in the persistent job store instead of adding copies;
- ``max_instances=1`` and ``coalesce=True``: a trigger that fires while the same job still
  runs is skipped, and a backlog of missed runs becomes one run; ``misfire_grace_time`` is
  minutes, not APScheduler's default of one second, so a busy minute does not drop a run;
- one daemon per database: the ``scheduler_lock`` row is taken at start (a second daemon
  refuses to start) and released at stop; APScheduler's job store must never be shared;
- a job that raises is logged and runs again at its next trigger; the daemon keeps going;
- SIGTERM/SIGINT stop it cleanly: running jobs may finish within a grace period, after which
  a running crawl is asked to stop and records its unfinished sources as interrupted.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import delete, select

from govwatch.config import ConfigProblem, load_yaml_model
from govwatch.logs import job_event
from govwatch.timeutil import CHINA, now
from storage.db import Database
from storage.models import SchedulerLock

log = logging.getLogger("govwatch.schedule")

DEFAULT_SCHEDULE = Path("config/schedule.yaml")
LOCK_NAME = "scheduler"
HEARTBEAT_SECONDS = 30
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 4)


# ----------------------------------------------------------------------------- config


def cron_trigger(expression: str) -> CronTrigger:
    """A trigger from a cron expression: 5 fields (minute hour day month weekday) or 6 with
    seconds first. Weekdays are written as names (mon…sun): crontab numbers them from Sunday,
    APScheduler from Monday, and a silent off-by-one is worse than a clear error."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"需要 5 个字段（分 时 日 月 周）或 6 个字段（秒 分 时 日 月 周），"
                         f"实际为 {len(fields)} 个")
    if len(fields) == 5:
        fields = ["0", *fields]
    second, minute, hour, day, month, weekday = fields
    if any(ch.isdigit() for ch in weekday):
        raise ValueError("星期请用英文缩写（mon、tue、wed、thu、fri、sat、sun），不要用数字")
    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                       day_of_week=weekday, timezone=CHINA)


def _check_cron(expression: str) -> str:
    try:
        cron_trigger(expression)
    except ValueError as exc:
        raise PydanticCustomError(
            "govwatch_cron", "cron 表达式「{cron}」无效：{why}",
            {"cron": expression, "why": str(exc),
             "fix": "例如 \"0 2 * * *\" 表示每天 2:00，\"30 6 * * mon\" 表示每周一 6:30"},
        ) from None
    return expression


Cron = Annotated[str, AfterValidator(_check_cron)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobSchedule(_Strict):
    cron: Cron
    enabled: bool = True


class SourceSchedule(_Strict):
    """A source crawled on its own cron instead of the county-wide crawl."""

    unit: str
    source: str
    cron: Cron


class ReportSchedule(JobSchedule):
    auto_publish: bool = Field(
        False, description="周通报草稿生成后直接审核发布（默认只生成草稿，由考核小组审核发布）")


class Jobs(_Strict):
    crawl: JobSchedule = JobSchedule(cron="0 2 * * *")
    monitor: JobSchedule = JobSchedule(cron="0 6 * * *")
    report: ReportSchedule = ReportSchedule(cron="0 8 * * mon")
    notify: JobSchedule | None = Field(
        None, description="每日通知（考核小组日报和单位日报）的发送时间；不写则不发送。"
                          "应排在 monitor 之后，例如 \"30 7 * * *\"")
    probe: JobSchedule | None = Field(
        None, description="探测各网站首页能否访问（全国检查指标：网站无法访问）；"
                          "每天多次，例如 \"*/30 * * * *\"；不写则不探测")


class ScheduleConfig(_Strict):
    timezone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    misfire_grace_minutes: int = Field(30, ge=1)
    shutdown_grace_seconds: int = Field(300, ge=0)
    distributed: bool = Field(False, description="抓取任务交给 govwatch worker（Celery）执行")
    jobs: Jobs = Jobs()
    sources: list[SourceSchedule] = []


def load_schedule(path: Path = DEFAULT_SCHEDULE) -> ScheduleConfig:
    return load_yaml_model(path, ScheduleConfig, _check_sources, shape="jobs: … / sources: …",
                           example="config/schedule.yaml")


def _check_sources(data: dict[str, Any], file: str,
                   lines: dict[tuple[Any, ...], int]) -> list[ConfigProblem]:
    seen: set[tuple[str, str]] = set()
    problems = []
    for i, entry in enumerate(data.get("sources") or []):
        if not isinstance(entry, dict):
            continue
        key = (str(entry.get("unit")), str(entry.get("source")))
        if key in seen:
            problems.append(ConfigProblem(
                file, lines.get(("sources", i)), f"sources → 第 {i + 1} 项",
                f"单位 {key[0]} 的「{key[1]}」重复设置了抓取计划", "每个来源只能有一个计划"))
        seen.add(key)
    return problems


# ----------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class PlannedJob:
    id: str
    name: str
    func: Callable[..., None]
    trigger: CronTrigger
    kwargs: dict[str, Any]


def planned_jobs(schedule: ScheduleConfig, config_path: str) -> list[PlannedJob]:
    """The jobs the schedule asks for, with fixed ids."""
    from govwatch.cli import jobs

    own = [(s.unit, s.source) for s in schedule.sources]
    planned = []
    spec = schedule.jobs
    if spec.crawl.enabled:
        planned.append(PlannedJob("crawl", "抓取（全县）", jobs.crawl_job,
                                  cron_trigger(spec.crawl.cron),
                                  {"config_path": config_path, "exclude": own,
                                   "distributed": schedule.distributed}))
    for s in schedule.sources:
        planned.append(PlannedJob(f"crawl:{s.unit}:{s.source}", f"抓取 {s.unit} {s.source}",
                                  jobs.crawl_job, cron_trigger(s.cron),
                                  {"config_path": config_path, "unit": s.unit,
                                   "source": s.source, "distributed": schedule.distributed}))
    if spec.monitor.enabled:
        planned.append(PlannedJob("monitor", "监测", jobs.monitor_job,
                                  cron_trigger(spec.monitor.cron),
                                  {"config_path": config_path}))
    if spec.report.enabled:
        planned.append(PlannedJob("report", "周通报（自动发布）" if spec.report.auto_publish
                                  else "周通报草稿", jobs.report_job,
                                  cron_trigger(spec.report.cron),
                                  {"config_path": config_path,
                                   "auto_publish": spec.report.auto_publish}))
    if spec.notify is not None and spec.notify.enabled:
        planned.append(PlannedJob("notify", "每日通知", jobs.notify_job,
                                  cron_trigger(spec.notify.cron),
                                  {"config_path": config_path}))
    if spec.probe is not None and spec.probe.enabled:
        planned.append(PlannedJob("probe", "探测网站首页", jobs.probe_job,
                                  cron_trigger(spec.probe.cron),
                                  {"config_path": config_path}))
    return planned


def next_runs(planned: list[PlannedJob], start: datetime | None = None
              ) -> list[tuple[PlannedJob, datetime | None]]:
    start = start or now()
    return [(job, job.trigger.get_next_fire_time(None, start)) for job in planned]


# ----------------------------------------------------------------------------- for people

_WEEKDAYS = {"mon": "一", "tue": "二", "wed": "三", "thu": "四", "fri": "五", "sat": "六",
             "sun": "日"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _read(expression: str, name: Callable[[str], str | None]) -> str | None:
    """A cron field's items (a, b, a-b) in words, 、 between them; None if one is not plain."""
    items = []
    for item in expression.split(","):
        ends = [name(end) for end in item.split("-")]
        if len(ends) > 2 or None in ends:
            return None
        items.append("至".join(e for e in ends if e))
    return "、".join(items)


def _day_name(text: str) -> str | None:
    return f"{int(text)}日" if text.isdigit() else None


def _month_name(text: str) -> str | None:
    if text.isdigit():
        return f"{int(text)}月"
    return f"{_MONTHS.index(text) + 1}月" if text in _MONTHS else None


def _weekday_name(text: str) -> str | None:
    return f"周{_WEEKDAYS[text]}" if text in _WEEKDAYS else None


def _days(month: str, day: str, weekday: str) -> str | None:
    """Which days: 每天, 每周一至周五, 每月1日、15日, 每月最后一天, 每年1月1日."""
    if weekday != "*":
        named = _read(weekday, _weekday_name)
        # APScheduler fires only on days matching both a day of month and a weekday: rare
        return f"每{named}" if named and day == month == "*" else None
    if day == "*":
        return "每天" if month == "*" else None
    days = "最后一天" if day == "last" else _read(day, _day_name)
    if month == "*" or days is None:
        return days and f"每月{days}"
    months = _read(month, _month_name)
    return months and f"每年{months}{days}"


def _step(expression: str) -> int | None:
    """N of ``*/N``."""
    head, _, n = expression.partition("/")
    return int(n) if head == "*" and n.isdigit() else None


def _clock(hour: str, minute: str, second: str) -> str | None:
    """At what time: 02:00, 07:00、19:00, 每小时第 5 分, 每 15 分钟, 每 3 秒."""
    if hour == minute == "*":
        every = _step(second)
        return "每秒" if second == "*" else (f"每 {every} 秒" if every else None)
    if not second.isdigit():
        return None
    if hour == "*":
        if int(second):
            return None
        every = _step(minute)
        if every:
            return f"每 {every} 分钟"
        return f"每小时第 {int(minute)} 分" if minute.isdigit() else None
    if not (minute.isdigit() and hour.replace(",", "").isdigit()):
        return None
    tail = f":{int(second):02d}" if int(second) else ""
    return "、".join(f"{int(h):02d}:{int(minute):02d}{tail}" for h in hour.split(","))


def describe_trigger(trigger: CronTrigger) -> str:
    """When a job runs, as people say it (China time): 每天 02:00, 每周一 08:00, 每月1日 03:00;
    a cron expression it cannot put in words is shown as written."""
    fields = {field.name: str(field) for field in trigger.fields}
    days = _days(fields["month"], fields["day"], fields["day_of_week"])
    clock = _clock(fields["hour"], fields["minute"], fields["second"])
    if days is None or clock is None or fields["year"] != "*" or fields["week"] != "*":
        names = ["minute", "hour", "day", "month", "day_of_week"]
        if fields["second"] != "0":
            names.insert(0, "second")
        return f"按 cron 表达式「{' '.join(fields[n] for n in names)}」"
    if clock.startswith("每"):
        return clock if days == "每天" else f"{days}，{clock}"
    return f"{days} {clock}"


def describe_run(when: datetime | None) -> str:
    """A next run time as people read it: 2021-09-13（周一）08:00."""
    if when is None:
        return "—"
    weekday = "一二三四五六日"[when.weekday()]
    clock = f"{when:%H:%M:%S}" if when.second else f"{when:%H:%M}"
    return f"{when:%Y-%m-%d}（周{weekday}）{clock}"


# ----------------------------------------------------------------------------- lock


class SchedulerBusy(RuntimeError):
    """Another daemon holds this database's scheduler lock."""


def acquire_lock(db: Database, owner: str) -> None:
    with db.session() as session:
        lock = session.get(SchedulerLock, LOCK_NAME, with_for_update=True)
        stamp = now()
        if lock is not None and lock.owner != owner and stamp - lock.heartbeat_at < STALE_AFTER:
            raise SchedulerBusy(lock.owner)
        if lock is None:
            session.add(SchedulerLock(name=LOCK_NAME, owner=owner, acquired_at=stamp,
                                      heartbeat_at=stamp))
        else:
            lock.owner, lock.acquired_at, lock.heartbeat_at = owner, stamp, stamp


def heartbeat(db: Database, owner: str) -> None:
    with db.session() as session:
        lock = session.get(SchedulerLock, LOCK_NAME)
        if lock is not None and lock.owner == owner:
            lock.heartbeat_at = now()


def release_lock(db: Database, owner: str) -> None:
    with db.session() as session:
        session.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAME,
                                                    SchedulerLock.owner == owner))


def lock_owner(db: Database) -> str | None:
    with db.session() as session:
        return session.scalar(select(SchedulerLock.owner))


# ----------------------------------------------------------------------------- daemon


class Daemon:
    """The scheduler with its lock, listeners and clean shutdown."""

    def __init__(self, db: Database, schedule: ScheduleConfig, config_path: str) -> None:
        self.db = db
        self.schedule = schedule
        self.config_path = config_path
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        self.events: list[tuple[str, str, datetime]] = []  # (job id, event, when), for tests
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=db.engine,
                                                     tablename="apscheduler_jobs"),
                       "internal": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": schedule.misfire_grace_minutes * 60},
            timezone=CHINA,
        )
        self.scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED
                                    | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)

    def _on_event(self, event: JobExecutionEvent | JobSubmissionEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            job_event(log, event.job_id, "skipped", logging.WARNING,
                      reason="previous run still going")
            self.events.append((event.job_id, "skipped", now()))
        elif event.code == EVENT_JOB_MISSED:
            job_event(log, event.job_id, "missed", logging.WARNING)
            self.events.append((event.job_id, "missed", now()))
        elif event.code == EVENT_JOB_ERROR:
            # the job's own log line says what failed; the daemon carries on
            self.events.append((event.job_id, "error", now()))
        elif event.code == EVENT_JOB_EXECUTED and event.job_id != "heartbeat":
            self.events.append((event.job_id, "done", now()))

    def start(self) -> None:
        acquire_lock(self.db, self.owner)
        try:
            self.scheduler.start(paused=True)
            wanted = planned_jobs(self.schedule, self.config_path)
            ids = {job.id for job in wanted}
            for job in self.scheduler.get_jobs(jobstore="default"):
                if job.id not in ids:  # dropped from schedule.yaml
                    job.remove()
            for job in wanted:
                self.scheduler.add_job(job.func, job.trigger, id=job.id, name=job.name,
                                       kwargs=job.kwargs, replace_existing=True,
                                       jobstore="default")
            self.scheduler.add_job(heartbeat, "interval", seconds=HEARTBEAT_SECONDS,
                                   args=[self.db, self.owner], id="heartbeat",
                                   jobstore="internal", replace_existing=True)
            self.scheduler.resume()
        except BaseException:
            release_lock(self.db, self.owner)
            raise
        job_event(log, "schedule", "start", owner=self.owner, jobs=len(ids))

    def run_until_stopped(self) -> None:
        """Block until SIGTERM/SIGINT (or ``stop()``), then shut down cleanly."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        self.stopping.wait()
        self.shutdown()

    def stop(self) -> None:
        self.stopping.set()

    def shutdown(self) -> None:
        job_event(log, "schedule", "stopping", grace=self.schedule.shutdown_grace_seconds)
        self.scheduler.pause()  # no new runs while the running ones finish
        closer = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True})
        closer.start()
        closer.join(self.schedule.shutdown_grace_seconds)
        if closer.is_alive():  # a crawl is still going: ask it to stop and record what's left
            for child in multiprocessing.active_children():
                if child.name == "govwatch-crawl" and child.pid:
                    job_event(log, "crawl", "terminate", pid=child.pid)
                    os.kill(child.pid, signal.SIGTERM)
            closer.join()
        release_lock(self.db, self.owner)
        job_event(log, "schedule", "stop", owner=self.owner)
