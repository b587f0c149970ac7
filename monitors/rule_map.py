"""Monitor rule → rubric line and proposed points per unit class.

The one source of truth is the ``monitor_rules:`` section of each rubric file in
``config/rubrics/`` (e.g. ``stale_column: A3.1.1a``): it names the deduction rule a finding
feeds, and that rule's points per event are the points the finding proposes. ``crawl_failure``
maps to nothing (a health signal, never a deduction): indicator None, 0 points.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoring.rubric import DEFAULT_RUBRIC, MONITOR_RULES, RUBRICS_DIR, load_rubric_set


@dataclass(frozen=True)
class RuleTarget:
    """Where one monitor rule deducts for one unit class."""

    rule_id: str | None  # deduction rule id, e.g. "A3.1.1a"; None = never deducts
    line_id: str | None  # level-3 line id, e.g. "A3.1.1"
    indicator: str | None  # "A3.1.1 主动公开 / 法定主动公开内容 / 在本乡镇设置目录下保持内容更新"
    points: float


@dataclass(frozen=True)
class RuleMap:
    rubric: str
    lines: dict[str, dict[str, RuleTarget]]  # monitor rule → unit class → target

    def target(self, rule: str, category: str) -> RuleTarget:
        line = self.lines.get(rule, {}).get(category)
        if line is None:
            raise KeyError(f"评分细则 {self.rubric} 没有监测规则 {rule!r} "
                           f"在 {category!r} 类的对应项")
        return line

    def lookup(self, rule: str, category: str) -> tuple[str | None, float]:
        """(rubric indicator text, points) of ``rule`` for a unit of ``category``."""
        target = self.target(rule, category)
        return target.indicator, target.points


def load_rule_map(rubric: str = DEFAULT_RUBRIC, rubrics_dir: Path = RUBRICS_DIR) -> RuleMap:
    """The rule map of rubric set ``rubric`` (default: lingchuan-2021)."""
    rubric_set = load_rubric_set(rubric, rubrics_dir)
    lines: dict[str, dict[str, RuleTarget]] = {rule: {} for rule in MONITOR_RULES}
    for category, rub in rubric_set.by_category.items():
        for rule in MONITOR_RULES:
            found = rub.monitor_target(rule)
            if found is None:
                lines[rule][category] = RuleTarget(None, None, None, 0.0)
                continue
            line, deduction = found
            lines[rule][category] = RuleTarget(
                rule_id=deduction.id, line_id=line.id,
                indicator=f"{line.id} {line.path_text}",
                points=float(deduction.points or 0),
            )
    return RuleMap(rubric, lines)
