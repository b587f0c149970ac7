"""Rule 3 — policy file without interpretation (政策性文件没有解读，也没有说明不作解读的理由).

A policy item older than the grace period (default 3 days) at the as-of date fires once, 1
point, unless
- an interpretation links to it, or it links to an interpretation; or
- its title — the name inside 《…》 when it has one, 文号 and （试行） removed — appears in an
  interpretation's title, or fuzzily matches one at the configured threshold (rapidfuzz); or
- its page states it will not be interpreted (不作解读 / 不予解读, with the reason).
Which items of a policy column are policy files is configurable per column (title include /
exclude patterns): 人事任免 and 招聘 notices, for example, are not.

Only what the crawler has seen is judged: while an interpretation column's latest crawl has
failed the rule stays silent for the units that column serves, and a policy older than the
oldest stored interpretation there is not judged (its interpretation may simply predate what
was crawled) — see ``Coverage``.

Matching is indexed, so a province's 100,000 policies are not compared with every one of its
interpretations (``InterpretationIndex``): links are looked up and title containment searched
(Aho–Corasick, ``Containment``) across all interpretations; the fuzzy title comparison
(rapidfuzz, in C) runs against the interpretations of the policy's own unit and of the units
that publish interpretations but no policies (a county 政府办 interpreting for others) —
across a province, similar titles of other counties ("甲县…工作要点" / "乙县…工作要点")
would otherwise pass for interpretations.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import ahocorasick
from rapidfuzz import fuzz, process

from govwatch.timeutil import iso_week
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, PostFact, SourceFacts

RULE = "uninterpreted_policy"
SOURCE_KINDS = ("policy", "interpretation")  # the columns whose facts the rule reads
DEFAULT_GRACE_DAYS = 3
DEFAULT_MATCH = 0.85
CANDIDATES_KEPT = 5
CANDIDATE_FLOOR = 0.3  # below this a title is not worth showing the reviewer

_QUOTED = re.compile(r"《([^《》]{2,})》")
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fa5]{0,8}[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d+\s*号"  # 演政发〔2021〕12号
)
_TRIAL = re.compile(r"[（(](?:试行|暂行|征求意见稿|修订|修订版|草案)[）)]")
_INTERP_WORDS = re.compile(
    r"^(?:一图读懂|图解|图说|政策解读|解读|关于)\s*[｜|:：、]?\s*|(?:的)?(?:政策)?解读$"
    r"|(?:的)?(?:起草)?说明$"
)
_NOISE = re.compile(r"[\s\u3000《》「」“”\"'·•,，。、:：;；!！?？｜|—\-]+")


def core_title(title: str) -> str:
    """What identifies a policy: the quoted name if any, without 文号, 试行 marks or noise."""
    quoted = _QUOTED.findall(title)
    text = quoted[0] if quoted else title
    text = _DOC_NUMBER.sub("", text)
    text = _TRIAL.sub("", text)
    if not quoted:
        text = re.sub(r"^关于印发|^关于|的通知$|的决定$|的意见$", "", text)
    return _NOISE.sub("", text)


def interpretation_core(title: str) -> str:
    """An interpretation title reduced to the policy it names."""
    quoted = _QUOTED.findall(title)
    if quoted:
        return core_title(f"《{quoted[0]}》")
    text = _TRIAL.sub("", _DOC_NUMBER.sub("", title.strip()))
    for _ in range(3):  # prefixes and suffixes can stack: 图解：关于…的解读
        text = _INTERP_WORDS.sub("", text.strip())
    return _NOISE.sub("", text)


def title_score(policy_title: str, interpretation_title: str) -> float:
    """0–1: how surely an interpretation title names a policy."""
    policy = core_title(policy_title)
    interp = interpretation_core(interpretation_title)
    if not policy or not interp:
        return 0.0
    if policy in interp or (len(interp) >= CONTAINED_MIN and interp in policy):
        return 1.0
    return max(fuzz.ratio(policy, interp), fuzz.token_sort_ratio(policy, interp)) / 100


def is_policy_file(title: str, patterns: dict[str, Sequence[str]] | None) -> bool:
    """Whether a title counts as a policy file under a column's include/exclude patterns."""
    patterns = patterns or {}
    include = _compiled(tuple(patterns.get("include") or ()))
    exclude = _compiled(tuple(patterns.get("exclude") or ()))
    if any(p.search(title) for p in exclude):
        return False
    return not include or any(p.search(title) for p in include)


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compiled once: a province's columns share a few pattern lists, and every policy title
    is tested against its column's."""
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class Candidate:
    url: str
    title: str
    score: float
    by_link: bool


def link_key(url: str) -> str:
    """A URL as links are compared: without its #fragment and trailing slash."""
    return url.split("#", 1)[0].rstrip("/")


def by_unit(units: Iterable[int | None],
            policy_units: Collection[int]) -> tuple[dict[int, list[int]], list[int]]:
    """Positions of interpretations (or their columns) by unit, and those every unit shares.

    A unit's policies are compared with its own unit's interpretations and with the shared
    ones: those whose unit is unknown or publishes no policies (``policy_units`` are the units
    with a policy column) — a county 政府办 interpreting for others.
    """
    own: dict[int, list[int]] = {}
    shared: list[int] = []
    for k, unit in enumerate(units):
        if unit is None or unit not in policy_units:
            shared.append(k)
        else:
            own.setdefault(unit, []).append(k)
    return own, shared


def candidates(policy: PostFact, interpretations: Iterable[PostFact]) -> list[Candidate]:
    """Interpretations considered for a policy, best first."""
    policy_url = link_key(policy.url)
    policy_links = {link_key(u) for u in policy.links}
    found = []
    for interp in interpretations:
        by_link = (link_key(interp.url) in policy_links
                   or policy_url in {link_key(u) for u in interp.links})
        score = 1.0 if by_link else title_score(policy.title, interp.title)
        if by_link or score >= CANDIDATE_FLOOR:
            found.append(Candidate(interp.url, interp.title, round(score, 3), by_link))
    return sorted(found, key=lambda c: (c.by_link, c.score), reverse=True)


CONTAINED_MIN = 6  # an interpretation core counts inside a policy core from this length on


def _automaton(words: Mapping[str, object]) -> ahocorasick.Automaton | None:
    """An Aho–Corasick automaton over ``words`` (each found with its value); None if none."""
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, value)
    automaton.make_automaton()
    return automaton


class Containment:
    """Which interpretation cores contain a policy core, or lie inside it (from
    ``CONTAINED_MIN`` characters on) — ``title_score``'s 1.0.

    Both directions are multi-pattern searches in C (Aho–Corasick): the long interpretation
    cores are found inside any policy core in one pass over it, and the cores of the policies
    announced up front (``policy_cores``) inside the interpretation cores in one pass over all
    of them — instead of one scan, or one index lookup and its checks, per policy. A policy
    core not announced is looked for with one scan.
    """

    def __init__(self, cores: Sequence[str], policy_cores: Iterable[str] = ()) -> None:
        self.cores = cores
        inside: dict[str, list[int]] = {}
        for k, core in enumerate(cores):
            if len(core) >= CONTAINED_MIN:
                inside.setdefault(core, []).append(k)
        self._inside = _automaton(inside)
        self._holding: dict[str, set[int]] = {q: set() for q in policy_cores if q}
        announced = _automaton({q: q for q in self._holding})
        if announced is not None:
            for k, core in enumerate(cores):
                for _, q in announced.iter(core):
                    self._holding[q].add(k)

    def of(self, policy_core: str) -> set[int]:
        """Positions of the cores containing ``policy_core`` or lying inside it."""
        if not policy_core:
            return set()
        found = self._holding.get(policy_core)
        found = set(found) if found is not None else {
            k for k, core in enumerate(self.cores) if policy_core in core}
        if self._inside is not None:
            for _, positions in self._inside.iter(policy_core):
                found.update(positions)
        return found


def _fuzzy_score(policy_core: str, interpretation_core: str) -> float:
    """``title_score`` on cores already reduced (no containment; 0–1, unrounded)."""
    return max(fuzz.ratio(policy_core, interpretation_core),
               fuzz.token_sort_ratio(policy_core, interpretation_core)) / 100


class InterpretationIndex:
    """The interpretations of a store, indexed once for matching many policies.

    ``unit_of`` maps a source id to its unit id and ``policy_units`` names the units with a
    policy column; an interpretation whose source is unknown, or whose unit publishes no
    policies, is compared with every policy. Scores equal ``title_score``'s.
    """

    def __init__(self, interpretations: Sequence[PostFact],
                 unit_of: Mapping[int, int] | None = None,
                 policy_units: Iterable[int] = (),
                 policy_titles: Iterable[str] = ()) -> None:
        """``policy_titles``: the titles of the policies about to be matched, if known —
        their containment is then worked out for all of them at once (``Containment``)."""
        self.items = list(interpretations)
        self.cores = [interpretation_core(i.title) for i in self.items]
        unit_of = unit_of or {}
        with_policies = set(policy_units)
        self.by_url: dict[str, list[int]] = {}
        self.linking: dict[str, list[int]] = {}  # normalised URL → interpretations linking it
        self.by_unit, self.shared = by_unit(
            (unit_of.get(item.source_id) for item in self.items), with_policies)
        # the cores themselves: the usual match is equality, and needs no containment search
        self._exact = set(self.cores) - {""}
        self._blocks: dict[int | None, tuple[list[int], list[str]]] = {}
        for i, item in enumerate(self.items):
            self.by_url.setdefault(link_key(item.url), []).append(i)
            for link in {link_key(u) for u in item.links}:
                self.linking.setdefault(link, []).append(i)
        # the announced policies' cores, worked out once for the containment search and for
        # their verdicts (``core_of``)
        self._policy_cores = {title: core_title(title) for title in policy_titles}
        self._containment = Containment(self.cores, {
            core for core in self._policy_cores.values() if core not in self._exact})

    @classmethod
    def from_facts(cls, interpretations: Sequence[PostFact], sources: Mapping[int, SourceFacts],
                   policy_titles: Iterable[str] = ()) -> InterpretationIndex:
        """An index whose units come from the monitors' source facts."""
        policy_units = {s.unit_id for s in sources.values()
                        if s.source_type == "column" and s.kind == "policy"}
        return cls(interpretations, {sid: s.unit_id for sid, s in sources.items()},
                   policy_units, policy_titles)

    def core_of(self, title: str) -> str:
        """``core_title(title)``, looked up for the policies announced to the index."""
        core = self._policy_cores.get(title)
        return core if core is not None else core_title(title)

    def _linked(self, policy: PostFact) -> set[int]:
        found = set(self.linking.get(link_key(policy.url), ()))
        for link in {link_key(u) for u in policy.links}:
            found.update(self.by_url.get(link, ()))
        return found

    def _block(self, policy: PostFact, unit_id: int | None) -> tuple[list[int], list[str]]:
        """The interpretations a policy of ``unit_id`` is fuzzily compared with, and their
        (non-empty) cores; worked out once per unit."""
        if unit_id not in self._blocks:
            own = self.by_unit.get(unit_id, []) if unit_id is not None else []
            ids = [i for i in own + self.shared if self.cores[i]]
            self._blocks[unit_id] = (ids, [self.cores[i] for i in ids])
        return self._blocks[unit_id]

    def _fuzzy(self, core: str, block: tuple[list[int], list[str]],
               cutoff: float) -> dict[int, float]:
        """Fuzzy scores (rounded, as candidates carry them) of the block at or above cutoff."""
        ids, cores = block
        if not core or not ids:
            return {}
        hits = process.extract(core, cores, scorer=fuzz.ratio,
                               score_cutoff=max(cutoff * 100 - 0.1, 0), limit=None)
        scores = {}
        for _, _, k in hits:
            i = ids[k]
            score = round(_fuzzy_score(core, self.cores[i]), 3)
            if score >= cutoff:
                scores[i] = score
        return scores

    def matched(self, policy: PostFact, unit_id: int | None, threshold: float) -> bool:
        """Whether an interpretation links either way or names the policy (score ≥ threshold)."""
        return self.verdict(policy, unit_id, threshold)[0]

    def verdict(self, policy: PostFact, unit_id: int | None,
                threshold: float) -> tuple[bool, list[Candidate]]:
        """(matched, the candidates a finding shows): the candidates are only worked out
        when nothing matched — then they are the near misses of the fuzzy comparison."""
        if self._linked(policy):
            return True, []
        core = self.core_of(policy.title)
        if core and (core in self._exact or self._containment.of(core)):
            return True, []
        scores = self._fuzzy(core, self._block(policy, unit_id), CANDIDATE_FLOOR)
        if any(score >= threshold for score in scores.values()):
            return True, []
        return False, self._ranked(set(), scores)

    def candidates(self, policy: PostFact, unit_id: int | None) -> list[Candidate]:
        """Interpretations considered for a policy, best first (as ``candidates``)."""
        linked = self._linked(policy)
        core = self.core_of(policy.title)
        scores: dict[int, float] = {}
        if core:
            scores = self._fuzzy(core, self._block(policy, unit_id), CANDIDATE_FLOOR)
            scores.update(dict.fromkeys(self._containment.of(core), 1.0))
        return self._ranked(linked, scores)

    def _ranked(self, linked: set[int], scores: dict[int, float]) -> list[Candidate]:
        found = []
        for i in sorted(linked | set(scores)):
            by_link = i in linked
            item = self.items[i]
            found.append(Candidate(item.url, item.title, 1.0 if by_link else scores[i], by_link))
        return sorted(found, key=lambda c: (c.by_link, c.score), reverse=True)


class Coverage:
    """Which policies the crawled interpretations can judge, unit by unit.

    A unit's policies are judged against its own interpretation columns and those of units
    that publish interpretations but no policies (a county 政府办 interpreting for others), or
    against every interpretation column when none of those exist. They are judged only while
    all of those columns' latest crawls succeeded — a failed interpretation column must not
    turn its unit's policies into violations — and only back to the oldest interpretation
    crawled there (an interpretation may simply predate what was crawled). Across a province
    one failing column then silences one unit, not every unit.
    """

    def __init__(self, sources: Iterable[SourceFacts]) -> None:
        sources = list(sources)
        columns = [s for s in sources if s.source_type == "column"]
        with_policies = {s.unit_id for s in columns if s.kind == "policy"}
        self.all = [s for s in columns if s.kind == "interpretation"]
        own, shared = by_unit((s.unit_id for s in self.all), with_policies)
        self.shared = [self.all[k] for k in shared]
        self.by_unit = {unit: [self.all[k] for k in ks] for unit, ks in own.items()}
        self._memo: dict[int, tuple[bool, date | None]] = {}

    def of_unit(self, unit_id: int) -> tuple[bool, date | None]:
        """(can judge, earliest judgeable publication date) for the policies of a unit."""
        if unit_id not in self._memo:
            relevant = self.by_unit.get(unit_id, []) + self.shared or self.all
            if any(s.last_run_outcome not in ("ok", None) for s in relevant):
                self._memo[unit_id] = (False, None)
            else:
                oldest = [s.oldest_published_on for s in relevant if s.oldest_published_on]
                self._memo[unit_id] = (True, min(oldest) if oldest else None)
        return self._memo[unit_id]


def judge(policies: Iterable[PostFact], interpretations: Sequence[PostFact],
          sources: dict[int, SourceFacts], as_of: date, rule_map: RuleMap,
          default_grace: int = DEFAULT_GRACE_DAYS,
          default_match: float = DEFAULT_MATCH) -> list[FindingDraft]:
    covered = Coverage(sources.values())
    overdue = []  # (policy, its source, grace days, match threshold, due date)
    for policy in policies:
        source = sources.get(policy.source_id)
        if source is None or not is_policy_file(policy.title, source.policy_titles):
            continue
        can_judge, earliest = covered.of_unit(source.unit_id)
        if not can_judge or (earliest is not None and policy.published_on < earliest):
            continue
        grace = int(source.thresholds.get("interpretation_grace_days", default_grace))
        threshold = float(source.thresholds.get("interpretation_match", default_match))
        due = policy.published_on + timedelta(days=grace)
        if as_of <= due or policy.statement:
            continue
        overdue.append((policy, source, grace, threshold, due))
    index = InterpretationIndex.from_facts(interpretations, sources,
                                           [policy.title for policy, *_ in overdue])
    drafts = []
    for policy, source, grace, threshold, due in overdue:
        matched, considered = index.verdict(policy, source.unit_id, threshold)
        if matched:
            continue
        indicator, points = rule_map.lookup(RULE, source.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=source.unit_id, source_id=source.source_id,
            item_id=policy.item_id, subject=f"item:{policy.item_id}", period=iso_week(due),
            as_of=as_of, points=points, indicator=indicator, snapshot_id=source.snapshot_id,
            evidence={
                "item_url": policy.url,
                "policy_title": policy.title,
                "published_on": policy.published_on.isoformat(),
                "grace_days": grace,
                "match_threshold": threshold,
                "matched_on": index.core_of(policy.title),
                "candidates": [
                    {"title": c.title, "url": c.url, "score": c.score, "by_link": c.by_link}
                    for c in considered[:CANDIDATES_KEPT]
                ],
            },
        ))
    return drafts
