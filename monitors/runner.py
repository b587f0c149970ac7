"""Run every monitor for an as-of date and store what they find (the thin I/O layer)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from govwatch.config import CountyConfig
from monitors import crawl_failure, stale_column
from monitors.rule_map import RuleMap, load_rule_map
from storage import repo
from storage.db import Database


@dataclass
class MonitorReport:
    as_of: date
    new_ids: list[int] = field(default_factory=list)
    known_ids: list[int] = field(default_factory=list)
    by_rule: Counter[str] = field(default_factory=Counter)


def run_monitors(db: Database, config: CountyConfig, as_of: date,
                 rule_map: RuleMap | None = None) -> MonitorReport:
    rule_map = rule_map or load_rule_map()
    thresholds = config.settings.thresholds
    report = MonitorReport(as_of)
    with db.session() as session:
        facts = repo.source_facts(session, as_of)
        drafts = [
            *stale_column.judge(facts, as_of, rule_map, thresholds.stale_days),
            *crawl_failure.judge(facts, as_of, rule_map),
        ]
        report.new_ids, report.known_ids = repo.save_findings(session, drafts)
        report.by_rule.update(d.rule for d in drafts)
    return report
