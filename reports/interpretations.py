"""Which interpretations can decide the 整改情况 of the policies a bulletin looks back at.

Section 四 asks, for each policy the previous bulletin named, whether an interpretation now
matches it — the monitor's own matching, ``monitors.uninterpreted_policy.InterpretationIndex``:
the policy is 已整改 when a candidate links either way or scores at least the finding's
threshold, and the note names the first such candidate. Indexing every interpretation of a
province for a few thousand policies took most of the bulletin's build time, so
``bearing_on`` picks out those that can be such a candidate, and the index is built over them
alone. An interpretation is one for a policy only when (``InterpretationIndex``, whose scores
equal ``title_score``'s):
- one links to the other (URLs compared as the monitor compares them);
- one core title contains the other (an interpretation core inside a policy core only from 6
  characters on; score 1) — in any unit;
- or it is in the policy's fuzzy block — the interpretations of the policy's unit and of the
  units without a policy column — and its title scores at least the threshold (and at least
  ``CANDIDATE_FLOOR``, below which nothing is a candidate).
Each test looks at one pair, never at the other interpretations, and the index ranks
candidates by score and then by position: so over the kept interpretations, in their order,
every policy gets the same matching candidates in the same order as over all of them (only
near misses, which decide nothing, are missing). The tests here keep a superset (a looser
score cutoff, one pass for all the policies): one kept needlessly only costs time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from monitors.uninterpreted_policy import (
    CANDIDATE_FLOOR,
    DEFAULT_MATCH,
    Containment,
    by_unit,
    core_title,
    interpretation_core,
    link_key,
)
from storage import repo
from storage.repo import PostFact

# candidates' scores are rounded to 3 places before they are compared: stay safely below
_ROUNDING = 0.5


class InterpretationRow(NamedTuple):
    """What choosing needs of an interpretation (links as the driver returns the JSON)."""

    item_id: int
    source_id: int
    url: str
    title: str
    links: Any


def match_threshold(evidence: Mapping[str, Any]) -> float:
    """The title score at which an interpretation counts for an uninterpreted_policy finding."""
    return float(evidence.get("match_threshold") or DEFAULT_MATCH)


def bearing_on(policies: Iterable[tuple[PostFact, float]],
               interpretations: Sequence[InterpretationRow],
               unit_of: Mapping[int, int], policy_units: Collection[int]) -> list[int]:
    """Positions (ascending) of the interpretations that can be a matching candidate of one
    of the (policy, lowest threshold it is judged at); ``unit_of`` and ``policy_units`` as
    ``InterpretationIndex`` takes them."""
    policies = list(policies)
    if not policies or not interpretations:
        return []
    cores = [interpretation_core(i.title) for i in interpretations]
    policy_cores = {core_title(p.title) for p, _ in policies} - {""}
    kept = _linked([p for p, _ in policies], interpretations)
    containment = Containment(cores, policy_cores)
    for core in policy_cores:
        kept |= containment.of(core)
    kept |= _in_blocks(policies, interpretations, cores, unit_of, policy_units)
    return sorted(kept)


def _linked(policies: list[PostFact], interpretations: Sequence[InterpretationRow]) -> set[int]:
    """Interpretations a policy links to, or that link to a policy."""
    targets = {link_key(u) for p in policies for u in p.links}
    policy_urls = {link_key(p.url) for p in policies}
    return {k for k, i in enumerate(interpretations)
            if link_key(i.url) in targets
            or any(link_key(u) in policy_urls for u in repo.links_of(i.links))}


def _in_blocks(policies: list[tuple[PostFact, float]],
               interpretations: Sequence[InterpretationRow],
               cores: Sequence[str], unit_of: Mapping[int, int],
               policy_units: Collection[int]) -> set[int]:
    """Interpretations of a policy's fuzzy block whose core scores near its threshold or
    above."""
    own, shared = by_unit((unit_of.get(i.source_id) for i in interpretations), policy_units)
    blocks: dict[int | None, tuple[list[int], list[str]]] = {}
    found: set[int] = set()
    for policy, threshold in policies:
        core = core_title(policy.title)
        unit = unit_of.get(policy.source_id)
        if not core:
            continue
        if unit not in blocks:
            ids = [*(own.get(unit, []) if unit is not None else []), *shared]
            blocks[unit] = (ids, [cores[k] for k in ids])
        ids, choices = blocks[unit]
        cutoff = max(threshold, CANDIDATE_FLOOR) * 100 - _ROUNDING
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            for _, _, j in process.extract(core, choices, scorer=scorer,
                                           score_cutoff=cutoff, limit=None):
                found.add(ids[j])
    return found
