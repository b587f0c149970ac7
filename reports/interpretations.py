"""Whether the policies a bulletin looks back at have been interpreted since (整改情况).

Section 四 asks, for each policy the previous bulletin named, whether an interpretation now
explains it — by the monitor's own matching (``monitors.uninterpreted_policy.matcher_for``:
links, 文号 and names cited in bodies, titles, dates, one version per name), over the policies
and interpretations stored up to the bulletin's Sunday, at the threshold and date window the
finding was judged at. The answer is the explaining interpretation's title, or None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from monitors import uninterpreted_policy
from monitors.policy_match import BODY_LIMIT, MAX_DAYS_BEFORE, Matcher
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
    """For each (policy item id, match settings): the title of an interpretation that now
    explains it, or None."""
    wanted = list(policies)
    if not wanted:
        return {}
    sources = {f.source_id: f for f in repo.source_facts(
        session, as_of, kinds=uninterpreted_policy.SOURCE_KINDS)}
    stored = repo.items_of_kind(session, "policy", as_of,
                                body_chars=uninterpreted_policy.POLICY_BODY_CHARS)
    interpretations = repo.items_of_kind(session, "interpretation", as_of,
                                         body_chars=BODY_LIMIT)
    matchers: dict[tuple[float, int], Matcher] = {}
    found: dict[int, str | None] = {}
    known = {p.item_id for p in stored}
    for item_id, settings in wanted:
        if item_id not in known:
            found[item_id] = None
            continue
        if settings not in matchers:
            matchers[settings] = uninterpreted_policy.matcher_for(
                stored, interpretations, sources, threshold=settings[0],
                max_days_before=settings[1])
        verdict = matchers[settings].verdict(item_id)
        found[item_id] = verdict.explaining[0].interp.title if verdict.explaining else None
    return found
