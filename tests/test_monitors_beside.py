"""The policy rule run beside the others (forked) finds what the one-process run finds.

Over a small generated province store (``bench.store``: policies, interpretations in every
form, failing interpretation columns), ``run_monitors`` forked and with ``GOVWATCH_FORK=off``
store the same findings, evidence included; the policy rule's own, smaller source facts are
the full facts' policy and interpretation columns; and the bulletin's inputs, whose
interpretations are read and chosen beside the other queries, are the same either way.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench import stages, store
from govwatch.beside import FORK_ENV, can_fork
from govwatch.cli import app
from govwatch.config import CountyConfig, load_config
from govwatch.timeutil import iso_week
from monitors import uninterpreted_policy
from monitors.runner import run_monitors
from reports.queries import load_inputs
from reports.weekly import produce_week
from storage import repo
from storage.db import Database

AS_OF = date(2021, 9, 26)


def _findings(db_path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT rule, subject, period, unit_id, source_id, item_id, "
                            "points, evidence FROM finding ORDER BY id").fetchall()


def generated_store(folder: Path, units: int = 60, items: int = 12_000,
                    ) -> tuple[Path, CountyConfig]:
    """A new generated province store (``bench.store``) in ``folder``, and its config."""
    folder.mkdir()
    db_path = folder / "govwatch.db"
    store.build(store.StoreFixture(AS_OF, units=units, items=items), db_path,
                folder / "store.yaml")
    return db_path, load_config(folder / "store.yaml")


def _monitored(tmp_path: Path, name: str) -> tuple[Path, dict[str, int]]:
    db_path, config = generated_store(tmp_path / name)
    db = app.open_database(config)
    try:
        report = run_monitors(db, config, AS_OF)
    finally:
        db.dispose()
    return db_path, dict(report.by_rule)


def test_forked_and_inline_runs_store_the_same_findings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forkable: bool) -> None:
    if not forkable:
        return  # passed alone in a fresh process
    monkeypatch.setenv("GOVWATCH_CACHE_DIR", "off")
    assert can_fork()
    forked_db, forked = _monitored(tmp_path, "forked")
    monkeypatch.setenv(FORK_ENV, "off")
    inline_db, inline = _monitored(tmp_path, "inline")
    assert forked == inline and forked[uninterpreted_policy.RULE] > 10
    assert _findings(forked_db) == _findings(inline_db)


def test_forked_and_inline_bulletin_inputs_are_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forkable: bool) -> None:
    if not forkable:
        return  # passed alone in a fresh process
    monkeypatch.setenv("GOVWATCH_CACHE_DIR", "off")
    db_path = tmp_path / "govwatch.db"
    store.build(store.StoreFixture(AS_OF, units=60, items=12_000), db_path,
                tmp_path / "store.yaml")
    config = load_config(tmp_path / "store.yaml")
    db = app.open_database(config)
    earlier = AS_OF - timedelta(days=14)
    try:
        run_monitors(db, config, earlier)
        stages.review_share(db_path)
        produce_week(db, config, iso_week(earlier), out_dir=tmp_path / "reports",
                     formats=("md",), issued_on=earlier)
        run_monitors(db, config, AS_OF)
        with db.session() as session:
            forked = load_inputs(session, config.county, iso_week(AS_OF))
        monkeypatch.setenv(FORK_ENV, "off")
        with db.session() as session:
            inline = load_inputs(session, config.county, iso_week(AS_OF))
    finally:
        db.dispose()
    assert forked == inline
    assert forked.policies and forked.explained


def test_source_facts_of_kinds_are_the_full_facts_of_those_kinds(tmp_path: Path) -> None:
    db_path = tmp_path / "govwatch.db"
    store.build(store.StoreFixture(AS_OF, units=30, items=5_000), db_path,
                tmp_path / "store.yaml")
    db = Database(f"sqlite:///{db_path}")
    try:
        with db.session() as session:
            full = repo.source_facts(session, AS_OF)
            light = repo.source_facts(session, AS_OF, kinds=uninterpreted_policy.SOURCE_KINDS)
    finally:
        db.dispose()
    expected = [f for f in full if f.kind in uninterpreted_policy.SOURCE_KINDS]
    assert light == expected and 0 < len(light) < len(full)
