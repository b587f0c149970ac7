"""Rule 3 — policy file without interpretation (政策性文件没有解读，也没有说明不作解读的理由).

An item of a policy column fires once, 1 point, when
- it is a 政策性文件 — the built-in classifier (``monitors.policy_class``) with the county's and
  the column's own title patterns and the titles reviewers excluded winning over it: lists of
  award winners, contest and training notices, recruitment, 公示, drafts for comment, meeting,
  emergency and reporting notices are not; yearly work arrangements are, unless the county
  says otherwise;
- it is older than the grace period (default 3 days) at the as-of date;
- its page does not state it will not be interpreted (不作解读 / 不予解读, with the reason);
- and no interpretation explains it (``monitors.policy_match``): a link either way, its 文号
  or one of its names cited in an interpretation's body, or its name in an interpretation's
  title — editions, years and ordinals agreeing, the interpretation not published more than
  30 days before the policy, and one interpretation explaining one version of a document.

Only what the crawler has seen is judged: while an interpretation column's latest crawl has
failed the rule stays silent for the units that column serves, and a policy older than the
oldest stored interpretation there is not judged (its interpretation may simply predate what
was crawled) — see ``Coverage``.

Every policy-column item's class and the reason are returned for storage (``classify_items``),
and a finding's evidence names them, with the interpretations weighed and their evidence.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from govwatch.timeutil import iso_week
from monitors import freshness
from monitors.policy_class import CLASS_LABELS, Classification, ClassPolicy, classify, decide
from monitors.policy_match import (
    MAX_DAYS_BEFORE,
    STRENGTH_LABELS,
    TITLE_LIMIT,
    DocT,
    Document,
    InterpretationDoc,
    Matcher,
    PolicyDoc,
    Weighed,
    link_key,
    with_worked_out,
    worked_out,
)
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, PostFact, SourceFacts

__all__ = ["RULE", "SOURCE_KINDS", "Coverage", "ItemClass", "KeptDocuments", "PolicyVerdict",
           "by_unit", "classify_items", "judge", "judge_with_verdicts", "link_key",
           "matcher_for", "matchers_by_setting"]


RULE = "uninterpreted_policy"
SOURCE_KINDS = ("policy", "interpretation")  # the columns whose facts the rule reads
DEFAULT_GRACE_DAYS = 3
DEFAULT_MATCH = 0.85
CANDIDATES_KEPT = 5
POLICY_BODY_CHARS = 6_000  # of a policy's text: its 文号 and 成文日期 stand at the head and foot


@dataclass(frozen=True)
class ItemClass:
    """A policy-column item's class as the rule decided it (stored on the item)."""

    item_id: int
    classification: Classification
    needs_interpretation: bool


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


class Coverage:
    """Which policies the crawled interpretations can judge, unit by unit.

    A unit's policies are judged against its own interpretation columns and those of units
    that publish interpretations but no policies (a county 政府办 interpreting for others), or
    against every interpretation column when none of those exist. They are judged only while
    all of those columns' latest crawls succeeded — a failed interpretation column must not
    turn its unit's policies into violations — and only back to the oldest interpretation
    crawled there (an interpretation may simply predate what was crawled), and forward to the
    day all of them were last crawled (``freshness.seen_until``; none when one's data is
    outdated). Across a province one failing column then silences one unit, not every unit.
    """

    def __init__(self, sources: Iterable[SourceFacts], as_of: date,
                 max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> None:
        sources = list(sources)
        columns = [s for s in sources if s.source_type == "column"]
        with_policies = {s.unit_id for s in columns if s.kind == "policy"}
        self.all = [s for s in columns if s.kind == "interpretation"]
        own, shared = by_unit((s.unit_id for s in self.all), with_policies)
        self.shared = [self.all[k] for k in shared]
        self.by_unit = {unit: [self.all[k] for k in ks] for unit, ks in own.items()}
        self.as_of = as_of
        self.max_age_days = max_age_days
        self._memo: dict[int, tuple[bool, date | None, date]] = {}

    def of_unit(self, unit_id: int) -> tuple[bool, date | None, date]:
        """(can judge, earliest judgeable publication date, last day seen) for the policies
        of a unit."""
        if unit_id not in self._memo:
            relevant = self.by_unit.get(unit_id, []) + self.shared or self.all
            seen = [freshness.seen_until(s, self.as_of, self.max_age_days)
                    for s in relevant if s.last_run_started is not None]
            if (any(s.last_run_outcome not in ("ok", None) for s in relevant)
                    or None in seen):
                self._memo[unit_id] = (False, None, self.as_of)
            else:
                oldest = [s.oldest_published_on for s in relevant if s.oldest_published_on]
                self._memo[unit_id] = (True, min(oldest) if oldest else None,
                                       min([d for d in seen if d], default=self.as_of))
        return self._memo[unit_id]


def classify_items(policies: Iterable[PostFact], sources: Mapping[int, SourceFacts],
                   county: ClassPolicy | None = None,
                   excluded: Mapping[tuple[int | None, str], str] | None = None,
                   kept: KeptDocuments | None = None) -> dict[int, ItemClass]:
    """Each policy-column item's class, reason and whether it needs an interpretation.

    ``excluded``: titles reviewers ruled are no policy file, for a unit or (unit None) the
    county → who ruled and when. ``kept``: the classifier's verdicts an earlier run kept.
    """
    excluded = excluded or {}
    county = county or ClassPolicy()
    found: dict[int, ItemClass] = {}
    for policy in policies:
        source = sources.get(policy.source_id)
        if source is None:
            continue
        title = policy.title.strip()[:TITLE_LIMIT]
        ruled = excluded.get((source.unit_id, title)) or excluded.get((None, title))
        if ruled is not None:
            found[policy.item_id] = ItemClass(
                policy.item_id, Classification("not_policy", ruled), False)
            continue
        classifier = kept.classifier(policy) if kept is not None else classify
        classification, needed = decide(policy.title, policy.body[:400], county,
                                        source.policy_titles, classifier)
        found[policy.item_id] = ItemClass(policy.item_id, classification, needed)
    return found


def _doc(kind: type[DocT], fact: PostFact, unit: int | None) -> DocT:
    return kind(fact.item_id, fact.url, fact.title, fact.published_on, fact.body,
                tuple(fact.links), unit)


# (stamp of the item's fields, the document's worked-out fields, for a policy the
# classifier's verdict on its title and text when it was asked)
KeptEntry = tuple[int, tuple[object, ...], Classification | None]
KEEP_REWRITE_SHARE = 0.1  # of the documents worked out again, before the entry is rewritten


def _stamp(kind: type[Document], fact: PostFact) -> int:
    """A checksum of what a document's worked-out fields are worked out from."""
    text = "\x1f".join((kind.__name__, fact.url, fact.title, fact.published_on.isoformat(),
                        fact.body, *fact.links))
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


class KeptDocuments:
    """Documents built with their worked-out fields kept from an earlier run.

    Reading a policy's names, 文号 and issue date or an interpretation's citations, and
    classifying a policy's title, are most of the cost of judging a province's 130,000
    documents, and nearly all of them are the same as at the last run. ``kept`` maps item ids
    to ``KeptEntry``: an entry whose stamp (a checksum of the item's kind, URL, title, date,
    text and links) still agrees is used; any other document is worked out again.
    ``entries()`` is what to keep for the next run; ``worth_keeping`` says whether enough was
    worked out again to write it.
    """

    def __init__(self, kept: Mapping[int, KeptEntry] | None = None) -> None:
        self.kept = kept or {}
        self.built: list[tuple[int, Document]] = []
        self.classified: dict[int, Classification] = {}
        self.misses = 0
        self._stamps: dict[int, int] = {}  # a policy is classified, then built

    def _entry(self, kind: type[Document], fact: PostFact) -> tuple[int, KeptEntry | None]:
        stamp = self._stamps.get(fact.item_id)
        if stamp is None:
            stamp = self._stamps[fact.item_id] = _stamp(kind, fact)
        entry = self.kept.get(fact.item_id)
        agrees = type(entry) is tuple and len(entry) == 3 and entry[0] == stamp
        return stamp, (entry if agrees else None)

    def document(self, kind: type[DocT], fact: PostFact, unit: int | None) -> DocT:
        stamp, entry = self._entry(kind, fact)
        if entry is not None:
            doc = with_worked_out(kind, fact.item_id, fact.url, fact.title, fact.published_on,
                                  fact.body, tuple(fact.links), unit, entry[1])
        else:
            doc = _doc(kind, fact, unit)
            self.misses += 1
        self.built.append((stamp, doc))
        return doc

    def classifier(self, policy: PostFact) -> Callable[[str, str], Classification]:
        """``classify`` for this policy: its kept verdict when its fields did not change."""
        def kept_or_classified(title: str, body_head: str) -> Classification:
            _, entry = self._entry(PolicyDoc, policy)
            found = entry[2] if entry is not None else None
            if found is None:
                found = classify(title, body_head)
            self.classified[policy.item_id] = found
            return found
        return kept_or_classified

    @property
    def worth_keeping(self) -> bool:
        """Whether to write ``entries()``: once documents worked out again are more than a
        tenth of those built (a day's new items are not worth rewriting every entry for;
        kept entries of items gone or changed are never used, only dropped at the rewrite)."""
        return self.misses > KEEP_REWRITE_SHARE * len(self.built)

    def entries(self) -> dict[int, KeptEntry]:
        """What to keep for the next run: every document built, by item id."""
        return {doc.key: (stamp, worked_out(doc), self.classified.get(doc.key))
                for stamp, doc in self.built}



def matcher_for(policies: Iterable[PostFact], interpretations: Iterable[PostFact],
                sources: Mapping[int, SourceFacts], *, threshold: float = DEFAULT_MATCH,
                max_days_before: int = MAX_DAYS_BEFORE) -> Matcher:
    """A ``Matcher`` over the store's policies and interpretations, units from the sources."""
    documents = _documents(policies, interpretations, sources, None)
    return Matcher(*documents, threshold=threshold, max_days_before=max_days_before,
                   policy_units=_policy_units(sources))


def _policy_units(sources: Mapping[int, SourceFacts]) -> set[int]:
    return {s.unit_id for s in sources.values()
            if s.source_type == "column" and s.kind == "policy"}


def _documents(policies: Iterable[PostFact], interpretations: Iterable[PostFact],
               sources: Mapping[int, SourceFacts], kept: KeptDocuments | None,
               ) -> tuple[list[PolicyDoc], list[InterpretationDoc]]:
    unit_of = {sid: s.unit_id for sid, s in sources.items()}
    build = kept.document if kept is not None else _doc
    return ([build(PolicyDoc, p, unit_of.get(p.source_id)) for p in policies],
            [build(InterpretationDoc, i, unit_of.get(i.source_id)) for i in interpretations])


def matchers_by_setting(policies: Sequence[PostFact], interpretations: Sequence[PostFact],
                        sources: Mapping[int, SourceFacts], kept: KeptDocuments | None = None,
                        ) -> Callable[[float, int], Matcher]:
    """``matcher_for`` per (title threshold, days before), each built on first use over the
    same documents (built once, from ``kept`` where they were kept): a county uses one or
    two settings."""
    @cache
    def documents() -> tuple[list[PolicyDoc], list[InterpretationDoc]]:
        return _documents(policies, interpretations, sources, kept)

    @cache
    def matcher(threshold: float, max_days_before: int) -> Matcher:
        return Matcher(*documents(), threshold=threshold, max_days_before=max_days_before,
                       policy_units=_policy_units(sources))
    return matcher


def _weighed(w: Weighed) -> dict[str, object]:
    """A candidate as the finding's evidence shows it to the reviewer."""
    ev = w.evidence
    shown: dict[str, object] = {
        "title": w.interp.title, "url": w.interp.url,
        "published_on": w.interp.published_on.isoformat(),
        "strength": ev.strength, "evidence": STRENGTH_LABELS.get(ev.strength, "无有效证据"),
        "detail": ev.detail,
    }
    if ev.vetoed:
        shown["vetoed"] = ev.vetoed
    if w.explains_instead:
        shown["explains_instead"] = [
            {"title": p.title, "url": p.url, "issued_on": p.issued_on.isoformat()}
            for p in w.explains_instead[:3]]
    return shown


@dataclass(frozen=True)
class PolicyVerdict:
    """The rule's verdict on one policy it judged: the interpretation that explains it (None:
    none does) and the deciding evidence, in words."""

    item_id: int
    interpreted_by: int | None
    evidence: str


NOT_INTERPRETED = "未见解读"


def judge(policies: Sequence[PostFact], interpretations: Sequence[PostFact],
          sources: dict[int, SourceFacts], as_of: date, rule_map: RuleMap,
          default_grace: int = DEFAULT_GRACE_DAYS,
          default_match: float = DEFAULT_MATCH,
          classes: Mapping[int, ItemClass] | None = None,
          default_max_days_before: int = MAX_DAYS_BEFORE) -> list[FindingDraft]:
    """The findings of rule 3. ``classes``: ``classify_items``' result (worked out here when
    not given)."""
    return judge_with_verdicts(policies, interpretations, sources, as_of, rule_map,
                               default_grace, default_match, classes,
                               default_max_days_before)[0]


def judge_with_verdicts(
        policies: Sequence[PostFact], interpretations: Sequence[PostFact],
        sources: dict[int, SourceFacts], as_of: date, rule_map: RuleMap,
        default_grace: int = DEFAULT_GRACE_DAYS, default_match: float = DEFAULT_MATCH,
        classes: Mapping[int, ItemClass] | None = None,
        default_max_days_before: int = MAX_DAYS_BEFORE,
        max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS,
        matchers: Callable[[float, int], Matcher] | None = None,
) -> tuple[list[FindingDraft], list[PolicyVerdict]]:
    """``judge``'s findings, and the verdict on every policy judged (explained or not).

    ``matchers``: ``matchers_by_setting`` of these facts, when the caller shares it (the
    policy file warnings ask the same matcher)."""
    if classes is None:
        classes = classify_items(policies, sources)
    covered = Coverage(sources.values(), as_of, max_age_days)
    overdue = []  # (policy, its source, its class, grace days, threshold, days before, due)
    for policy in policies:
        source = sources.get(policy.source_id)
        decided = classes.get(policy.item_id)
        if source is None or decided is None or not decided.needs_interpretation:
            continue
        can_judge, earliest, interpretations_seen = covered.of_unit(source.unit_id)
        if not can_judge or (earliest is not None and policy.published_on < earliest):
            continue
        seen = freshness.seen_until(source, as_of, max_age_days)
        grace = int(source.thresholds.get("interpretation_grace_days", default_grace))
        due = policy.published_on + timedelta(days=grace)
        # overdue only when a crawl of the interpretations looked after the due date
        if seen is None or min(seen, interpretations_seen) <= due or policy.statement:
            continue
        overdue.append((policy, source, decided, grace, due))
    if not overdue:
        return [], []
    matcher = matchers or matchers_by_setting(policies, interpretations, sources)
    drafts = []
    verdicts = []
    for policy, source, decided, grace, due in overdue:
        threshold = float(source.thresholds.get("interpretation_match", default_match))
        days_before = int(source.thresholds.get("interpretation_max_days_before",
                                                default_max_days_before))
        verdict = matcher(threshold, days_before).verdict(policy.item_id, complete=False)
        if verdict.explained:
            best = verdict.explaining[0]
            verdicts.append(PolicyVerdict(policy.item_id, best.interp.key,
                                          f"{best.evidence.label}：{best.evidence.detail}"))
            continue
        verdicts.append(PolicyVerdict(policy.item_id, None, NOT_INTERPRETED))
        doc = verdict.policy
        indicator, points = rule_map.lookup(RULE, source.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=source.unit_id, source_id=source.source_id,
            item_id=policy.item_id, subject=f"item:{policy.item_id}", period=iso_week(due),
            as_of=as_of, points=points, indicator=indicator, snapshot_id=source.snapshot_id,
            evidence={
                "item_url": policy.url,
                "policy_title": policy.title,
                "published_on": policy.published_on.isoformat(),
                "issued_on": doc.issued_on.isoformat(),
                "doc_numbers": sorted(str(n) for n in doc.numbers),
                "policy_class": decided.classification.cls,
                "policy_class_label": CLASS_LABELS[decided.classification.cls],
                "policy_class_reason": decided.classification.reason,
                "grace_days": grace,
                "match_threshold": threshold,
                "max_days_before": days_before,
                "matched_on": [n.text for n in doc.names],
                "candidates": [_weighed(w) for w in verdict.others[:CANDIDATES_KEPT]],
            },
        ))
    return drafts, verdicts
