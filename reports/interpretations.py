"""Whether the policies a bulletin looks back at have been interpreted since (整改情况).

Section 四 asks, for each policy the previous bulletin named, whether an interpretation now
explains it — by the monitor's own matching (``monitors.uninterpreted_policy.matcher_for``:
links, 文号 and names cited in bodies, titles, dates, one version per name) as of the
bulletin's Sunday. The verdict the monitor's last run stored on the policy answers when that
run is recent enough; otherwise the policies and interpretations stored up to the Sunday are
matched here, at the threshold and date window the finding was judged at. The answer is the
explaining interpretation's title, or None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from monitors import uninterpreted_policy
from monitors.policy_match import MAX_DAYS_BEFORE
from monitors.runner import policy_rule_facts
from storage import repo

DEFAULT_MATCH = uninterpreted_policy.DEFAULT_MATCH


def match_settings(evidence: Mapping[str, Any]) -> tuple[float, int]:
    """The (title threshold, days an interpretation may precede its policy) a finding of
    uninterpreted_policy was judged at."""
    threshold = float(evidence.get("match_threshold") or DEFAULT_MATCH)
    days = evidence.get("max_days_before")
    return threshold, int(days) if days is not None else MAX_DAYS_BEFORE


def explaining_titles(session: Session, policies: Iterable[tuple[int, tuple[float, int]]],
                      as_of: date) -> dict[int, str | None]:
    """For each (policy item id, match settings): the title of an interpretation that explains
    it as of ``as_of``, or None.

    The monitor's own verdict, stored on the item by its last run (at the settings of the
    config then), answers when that run saw at least up to ``as_of``, no interpretation was
    stored after it, and the interpretation it found was published by then; the others — the
    monitor has not run since, or the policy was not judged — are matched here, the same way,
    at the finding's own settings.
    """
    wanted = dict(policies)
    if not wanted:
        return {}
    found: dict[int, str | None] = {}
    for item_id, verdict in repo.stored_verdicts(session, uninterpreted_policy.RULE,
                                                 wanted).items():
        if verdict.judged_as_of < as_of:
            continue
        if verdict.interpretation_title is None:
            found[item_id] = None
        elif (verdict.interpretation_published_on is not None
              and verdict.interpretation_published_on <= as_of):
            found[item_id] = verdict.interpretation_title
    rest = [(i, settings) for i, settings in wanted.items() if i not in found]
    found.update(_matched(session, rest, as_of))
    return found


def _matched(session: Session, wanted: list[tuple[int, tuple[float, int]]],
             as_of: date) -> dict[int, str | None]:
    """``explaining_titles`` worked out by matching over the store up to ``as_of``."""
    if not wanted:
        return {}
    sources, stored, interpretations = policy_rule_facts(session, as_of)
    matcher = uninterpreted_policy.matchers_by_setting(stored, interpretations, sources)
    found: dict[int, str | None] = {}
    known = {p.item_id for p in stored}
    for item_id, settings in wanted:
        if item_id not in known:
            found[item_id] = None
            continue
        verdict = matcher(*settings).verdict(item_id)
        found[item_id] = verdict.explaining[0].interp.title if verdict.explaining else None
    return found
