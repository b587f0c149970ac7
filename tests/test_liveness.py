"""Crawl run owners: the sweep closes the runs of processes that are gone, and only those."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

from govwatch import liveness
from govwatch.timeutil import CHINA
from storage import repo
from storage.models import CrawlRun

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=CHINA)


def test_a_live_owner_keeps_its_runs_a_dead_or_reused_pid_does_not() -> None:
    me = liveness.this_process()
    assert not liveness.owner_gone(me, NOW, NOW)
    done = subprocess.run([sys.executable, "-c",
                           "from govwatch.liveness import this_process; print(this_process())"],
                          capture_output=True, text=True, check=True)
    assert liveness.owner_gone(done.stdout.strip(), NOW, NOW)  # that process has ended
    host, pid, start = me.split(":")
    if start:  # Linux: the same pid with another start time is another process
        assert liveness.owner_gone(f"{host}:{pid}:{int(start) + 1}", NOW, NOW)
    # another machine's run, or one from before owners were kept: dead only after a day
    for owner in ("elsewhere:123:456", None):
        assert not liveness.owner_gone(owner, NOW - timedelta(hours=23), NOW)
        assert liveness.owner_gone(owner, NOW - timedelta(hours=25), NOW)


def test_the_sweep_closes_only_runs_whose_owner_is_gone(any_db) -> None:
    from storage.models import Source, Unit

    with any_db.session() as session:
        unit = Unit(code="A01", name="城关镇", category="A", county="演示县")
        session.add(unit)
        session.flush()
        source = Source(unit_id=unit.id, name="通知公告", type="column", kind="general",
                        url="http://x.gov.cn/")
        session.add(source)
        session.flush()
        mine = repo.open_crawl_run(session, source.id, owner=liveness.this_process())
        gone = repo.open_crawl_run(session, source.id, owner=f"{liveness._host()}:0:1")
        old = repo.open_crawl_run(session, source.id,
                                  started_at=datetime.now(CHINA) - timedelta(days=2))
    with any_db.session() as session:
        assert repo.sweep_orphaned_runs(session, liveness.owner_gone) == 2
    with any_db.session() as session:
        outcomes = {r.id: r.outcome for r in session.query(CrawlRun)}
    assert outcomes == {mine: "running", gone: "interrupted", old: "interrupted"}
