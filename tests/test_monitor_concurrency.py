"""Two `govwatch monitor` runs at once on one database: both finish, nothing is stored twice.

Each run computes its findings, then saves them in a transaction that writes first
(``repo.writing_first``): on SQLite the second waits for the first and sees what it stored;
a finding the other run stored meanwhile is kept as it is (ON CONFLICT DO NOTHING) and
counted as known.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

from bench import store

AS_OF = date(2021, 9, 26)
ROOT = Path(__file__).resolve().parent.parent


def test_two_monitor_runs_at_once_store_each_finding_once(tmp_path: Path) -> None:
    db_path = tmp_path / "govwatch.db"
    config = tmp_path / "store.yaml"
    store.build(store.StoreFixture(AS_OF, units=40, items=8_000), db_path, config)
    env = {**os.environ, "GOVWATCH_CACHE_DIR": "off", "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "govwatch", "--config", str(config), "monitor",
               "--as-of", AS_OF.isoformat()]
    for attempt in range(2):
        runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=600) for run in runs]
        for run, (_out, err) in zip(runs, outputs, strict=True):
            assert run.returncode == 0, (attempt, err[-2000:])
            assert "Traceback" not in err and "IntegrityError" not in err, err[-2000:]
        with sqlite3.connect(db_path) as conn:
            total, keys = conn.execute(
                "SELECT COUNT(*), COUNT(DISTINCT rule || '|' || subject || '|' || period) "
                "FROM finding").fetchone()
            reviews = conn.execute("SELECT COUNT(*) FROM review").fetchone()[0]
        assert total == keys > 0
        assert reviews == 0
    # a third run alone finds nothing new
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0 and "新发现 0 条" in again.stdout, again.stdout[-1000:]
