"""Measured values (实测值) of the percentage lines the crawl can see, per unit and year.

- 多样化解读占比 (``interpretation_forms``): interpretations in a varied form
  (``settings.measures.varied_forms``: 图解, 视频, 音频, 动漫/H5, 问答) / interpretations whose
  form could be told;
- 发布渠道占比 (``interpretation_channels``): interpretations also carried by a post of the
  unit's new-media accounts / interpretations that could be judged.

Each becomes a ``measure`` entry on the percentage rule the rubric's ``measures:`` names,
with the items it was computed from; a manual entry of a measured percentage for the same
rule and year overrides it (``scoring.engine``). Pure: stored verdicts in, entries out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from govwatch.vocabulary import FORM_NAMES, MEASURE_NAMES, book_title
from scoring.engine import Entry, MeasuredItem
from storage.repo import InterpretationRow

FORMS, CHANNELS = "interpretation_forms", "interpretation_channels"
DEFAULT_VARIED = ("graphic", "video", "audio", "animation", "qa")
SOURCE = "实测（govwatch）"


@dataclass(frozen=True)
class MeasuredValue:
    """One measured percentage of a unit for a year and the items behind it."""

    measure: str
    unit_code: str
    hits: int
    total: int
    items: tuple[MeasuredItem, ...]
    unjudged: int  # items left out: their form (or channel) could not be told

    @property
    def percent(self) -> Decimal:
        return (Decimal(100 * self.hits) / Decimal(self.total)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)

    def note(self) -> str:
        """What the value was computed from, in Chinese."""
        if self.measure == FORMS:
            counts: dict[str, int] = defaultdict(int)
            for item in self.items:
                counts[item.verdict] += 1
            split = "、".join(f"{name} {n} 篇" for name, n in counts.items())
            text = f"解读 {self.total} 篇，其中多样化形式 {self.hits} 篇（{split}）"
        else:
            text = f"解读 {self.total} 篇，其中 {self.hits} 篇同时在本单位政务新媒体发布"
        misses = [i for i in self.items if not i.hit]
        if misses:
            text += "；未计入：" + "、".join(book_title(i.title) for i in misses[:5])
            if len(misses) > 5:
                text += f"等 {len(misses)} 篇"
        if self.unjudged:
            text += f"；另有 {self.unjudged} 篇无法判断，未计入"
        return text

    def entry(self, rule_id: str) -> Entry:
        return Entry(kind="measure", ref=rule_id, value=self.percent, source=SOURCE,
                     note=f"{MEASURE_NAMES[self.measure]}：{self.note()}", measured=True,
                     items=self.items)


def measured_values(rows: Iterable[InterpretationRow],
                    varied_forms: Collection[str] = DEFAULT_VARIED) -> list[MeasuredValue]:
    """Both measured values of every unit with interpretations in ``rows`` (one year's)."""
    by_unit: dict[str, list[InterpretationRow]] = defaultdict(list)
    for row in rows:
        by_unit[row.unit_code].append(row)
    values = []
    for code, items in by_unit.items():
        forms = [MeasuredItem(i.item_id, i.title, i.url, i.published_on,
                              FORM_NAMES.get(i.form, i.form), i.form in varied_forms,
                              i.form_reason or "")
                 for i in items if i.form is not None]
        channels = [MeasuredItem(i.item_id, i.title, i.url, i.published_on,
                                 "已在新媒体发布" if i.channel == "carried" else "未在新媒体发布",
                                 i.channel == "carried", i.channel_reason or "")
                    for i in items if i.channel is not None]
        for measure, judged in ((FORMS, forms), (CHANNELS, channels)):
            if judged:
                values.append(MeasuredValue(measure, code, sum(i.hit for i in judged),
                                            len(judged), tuple(judged),
                                            len(items) - len(judged)))
    return values
