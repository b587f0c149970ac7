"""Rule → rubric line and proposed points per unit class (config/rubrics/rule_map.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_RULE_MAP = Path(__file__).resolve().parent.parent / "config" / "rubrics" / "rule_map.yaml"


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator: str | None
    points: float = Field(ge=0)


@dataclass(frozen=True)
class RuleMap:
    lines: dict[str, dict[str, _Line]]

    def lookup(self, rule: str, category: str) -> tuple[str | None, float]:
        """(rubric indicator, points) of ``rule`` for a unit of ``category``."""
        line = self.lines.get(rule, {}).get(category)
        if line is None:
            raise KeyError(f"rule map has no line for rule {rule!r}, class {category!r}")
        return line.indicator, line.points


def load_rule_map(path: Path = DEFAULT_RULE_MAP) -> RuleMap:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        lines = {rule: {cat: _Line.model_validate(v) for cat, v in per.items()}
                 for rule, per in raw.items()}
    except (ValidationError, AttributeError) as exc:
        raise ValueError(f"{path}: 规则与评分表对应关系格式错误：{exc}") from exc
    return RuleMap(lines)
