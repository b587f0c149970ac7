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
failed the rule stays silent, and a policy older than the oldest stored interpretation is
not judged (its interpretation may simply predate what was crawled).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urldefrag

from rapidfuzz import fuzz

from govwatch.timeutil import iso_week
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, PostFact, SourceFacts

RULE = "uninterpreted_policy"
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
    if policy in interp or (len(interp) >= 6 and interp in policy):
        return 1.0
    return max(fuzz.ratio(policy, interp), fuzz.token_sort_ratio(policy, interp)) / 100


def is_policy_file(title: str, patterns: dict[str, Sequence[str]] | None) -> bool:
    """Whether a title counts as a policy file under a column's include/exclude patterns."""
    patterns = patterns or {}
    include, exclude = patterns.get("include") or [], patterns.get("exclude") or []
    if any(re.search(p, title) for p in exclude):
        return False
    return not include or any(re.search(p, title) for p in include)


@dataclass(frozen=True)
class Candidate:
    url: str
    title: str
    score: float
    by_link: bool


def _normal(url: str) -> str:
    return urldefrag(url)[0].rstrip("/")


def candidates(policy: PostFact, interpretations: Iterable[PostFact]) -> list[Candidate]:
    """Interpretations considered for a policy, best first."""
    policy_url = _normal(policy.url)
    policy_links = {_normal(u) for u in policy.links}
    found = []
    for interp in interpretations:
        by_link = (_normal(interp.url) in policy_links
                   or policy_url in {_normal(u) for u in interp.links})
        score = 1.0 if by_link else title_score(policy.title, interp.title)
        if by_link or score >= CANDIDATE_FLOOR:
            found.append(Candidate(interp.url, interp.title, round(score, 3), by_link))
    return sorted(found, key=lambda c: (c.by_link, c.score), reverse=True)


def coverage(sources: Iterable[SourceFacts]) -> tuple[bool, date | None]:
    """(can judge, earliest judgeable publication date) from the interpretation columns."""
    interpretation = [s for s in sources
                      if s.source_type == "column" and s.kind == "interpretation"]
    if any(s.last_run_outcome not in ("ok", None) for s in interpretation):
        return False, None
    oldest = [s.oldest_published_on for s in interpretation if s.oldest_published_on]
    return True, (min(oldest) if oldest else None)


def judge(policies: Iterable[PostFact], interpretations: Sequence[PostFact],
          sources: dict[int, SourceFacts], as_of: date, rule_map: RuleMap,
          default_grace: int = DEFAULT_GRACE_DAYS,
          default_match: float = DEFAULT_MATCH) -> list[FindingDraft]:
    can_judge, earliest = coverage(sources.values())
    if not can_judge:
        return []
    drafts = []
    for policy in policies:
        source = sources.get(policy.source_id)
        if source is None or not is_policy_file(policy.title, source.policy_titles):
            continue
        if earliest is not None and policy.published_on < earliest:
            continue
        grace = int(source.thresholds.get("interpretation_grace_days", default_grace))
        threshold = float(source.thresholds.get("interpretation_match", default_match))
        due = policy.published_on + timedelta(days=grace)
        if as_of <= due or policy.statement:
            continue
        considered = candidates(policy, interpretations)
        if any(c.by_link or c.score >= threshold for c in considered):
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
                "matched_on": core_title(policy.title),
                "candidates": [
                    {"title": c.title, "url": c.url, "score": c.score, "by_link": c.by_link}
                    for c in considered[:CANDIDATES_KEPT]
                ],
            },
        ))
    return drafts
