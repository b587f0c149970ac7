"""Warnings (预警): what will become a finding unless the unit acts — never points, never a
finding, never reviewed. Warn before the deduction.

Pure: source facts, daily post counts and the policy rule's own classes, coverage and matcher
in, warning drafts (``storage.repo.WarningDraft``) out. ``monitors.runner`` computes them in
the run that computes the findings and saves them (``repo.save_warnings``: opened, kept,
resolved when the condition clears). Four kinds:

- ``stale_soon`` 栏目即将超期未更新: a column with expect_update whose newest item is at least
  ``stale_days − warn_lead_days`` (default 7 − 2) days old but not yet ``stale_days`` —
  counted as ``stale_column`` counts: to the latest crawl (``freshness.seen_until``), only
  while that crawl succeeded and found dated items. ``warn_lead_days: 0`` turns it off.
- ``behind_pace`` 新媒体本周更新不足: an account in the current, incomplete ISO week — a week
  ``low_post_frequency`` will judge once it is over (its own ``weeks_to_judge``) — with fewer
  posts so far than ``min_weekly_posts``, and either behind the pace (``warn_pace``: as far as
  the crawl saw, on ISO weekday ``weekday`` (default 4, Thursday) or later, fewer than
  ``min_posts`` (default 1) posts) or out of reach at one post a day (posts so far + the days
  of the week after the last day seen < the minimum). Posts are counted to the latest crawl;
  ``min_posts: 0`` leaves only the second test.
- ``policy_due`` 政策文件解读即将到期: an item of a policy column that the policy rule classifies
  as needing an interpretation (``uninterpreted_policy.classify_items``), without a 不作解读
  statement, that the rule does not judge yet (still inside its grace period as far as the
  policy and interpretation columns were crawled, ``Coverage``) and that no interpretation
  explains so far (the rule's matcher verdict).
- ``crawl_failed`` 最近一次抓取失败: a source whose latest crawl failed, for fewer days than
  ``crawl_failure_days`` (then ``crawl_failure``'s finding takes over).

Warnings respect freshness: a source whose data is outdated raises none but ``crawl_failed``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta

from govwatch.config import Thresholds, WarnPace
from govwatch.timeutil import iso_week, week_bounds
from monitors import crawl_failure, freshness, low_post_frequency, stale_column
from monitors.policy_class import CLASS_LABELS
from monitors.policy_match import MAX_DAYS_BEFORE, Matcher
from monitors.uninterpreted_policy import (
    DEFAULT_GRACE_DAYS,
    DEFAULT_MATCH,
    Coverage,
    ItemClass,
    matchers_by_setting,
)
from storage.repo import PostFact, SourceFacts, WarningDraft

STALE_SOON = "stale_soon"
BEHIND_PACE = "behind_pace"
POLICY_DUE = "policy_due"
CRAWL_FAILED = "crawl_failed"
KINDS = (STALE_SOON, BEHIND_PACE, POLICY_DUE, CRAWL_FAILED)
DEFAULT_LEAD_DAYS = 2


def _setting(f: SourceFacts, name: str, default: int) -> int:
    """A source's own threshold, else the county's."""
    return int(f.thresholds.get(name, default))


def _crawled_at(f: SourceFacts) -> str | None:
    return f.last_run_started.isoformat() if f.last_run_started else None


def stale_soon(facts: Iterable[SourceFacts], as_of: date,
               default_stale_days: int = stale_column.DEFAULT_STALE_DAYS,
               default_lead_days: int = DEFAULT_LEAD_DAYS,
               max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[WarningDraft]:
    """Columns ``warn_lead_days`` or fewer days from being stale."""
    drafts = []
    for f in facts:
        judged = stale_column.days_without_update(f, as_of, max_age_days)
        if judged is None or f.newest_published_on is None:  # (the latter: for the types)
            continue  # not judged (crawl health, outdated data): no warning either
        days, seen = judged
        threshold = _setting(f, "stale_days", default_stale_days)
        lead = _setting(f, "warn_lead_days", default_lead_days)
        if not threshold - lead <= days < threshold:
            continue
        drafts.append(WarningDraft(
            kind=STALE_SOON, unit_id=f.unit_id, subject=f"source:{f.source_id}", as_of=as_of,
            source_id=f.source_id, item_id=f.newest_item_id,
            evidence={
                "column_url": f.source_url,
                "item_url": f.newest_url,
                "newest_title": f.newest_title,
                "newest_published_on": f.newest_published_on.isoformat(),
                "days_without_update": days,
                "threshold_days": threshold,
                "lead_days": lead,
                "stale_on": (f.newest_published_on + timedelta(days=threshold)).isoformat(),
                "seen_until": seen.isoformat(),
                "crawled_at": _crawled_at(f),
            },
        ))
    return drafts


def will_be_judged(f: SourceFacts, monday: date,
                   max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> bool:
    """Whether ``low_post_frequency`` will judge the week of ``monday`` once it is over: the
    rule's own ``weeks_to_judge``, asked as of the Monday after, as if crawled that day (the
    monitored period, and whether the crawl saw the week from its start)."""
    after = monday + timedelta(weeks=1)
    # crawled that day, the data is 0 days old: usable unless the limit is below that
    seen = after if freshness.max_age_days(f, max_age_days) >= 0 else None
    return monday in low_post_frequency.judged_weeks(f, after, seen)


def pace_of(f: SourceFacts, default: WarnPace) -> WarnPace:
    """A source's own ``warn_pace`` (it replaces the county's as a whole), else the county's."""
    own = f.thresholds.get("warn_pace")
    return WarnPace.model_validate(own) if own else default


def behind_pace(facts: Iterable[SourceFacts], posts_per_day: Mapping[int, Mapping[date, int]],
                as_of: date, default_min: int = low_post_frequency.DEFAULT_MIN_POSTS,
                default_pace: WarnPace | None = None,
                max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[WarningDraft]:
    """Accounts behind the weekly minimum in the current week (``posts_per_day``: each
    account's posts per day, this week's included)."""
    default_pace = default_pace or WarnPace()
    monday, sunday = week_bounds(as_of)
    drafts = []
    for f in facts:
        if f.source_type != "account" or f.last_run_outcome != "ok":
            continue  # an account that cannot be collected is crawl_failed, not behind
        seen = freshness.seen_until(f, as_of, max_age_days)
        if seen is None or seen < monday or not will_be_judged(f, monday, max_age_days):
            continue  # outdated, nothing of the week seen, or a week the rule never judges
        needed = _setting(f, "min_weekly_posts", default_min)
        per_day = posts_per_day.get(f.source_id, {})
        posts = sum(per_day.get(monday + timedelta(days=d), 0)
                    for d in range((seen - monday).days + 1))
        if posts >= needed:
            continue
        pace = pace_of(f, default_pace)
        days_left = (sunday - seen).days
        reasons = []
        if seen.isoweekday() >= pace.weekday and posts < pace.min_posts:
            reasons.append("pace")
        if posts + days_left < needed:
            reasons.append("unreachable")
        if not reasons:
            continue
        drafts.append(WarningDraft(
            kind=BEHIND_PACE, unit_id=f.unit_id, subject=f"source:{f.source_id}/{iso_week(monday)}",
            as_of=as_of, source_id=f.source_id,
            evidence={
                "account_url": f.source_url,
                "item_url": f.source_url,
                "platform": f.kind,
                "week_start": monday.isoformat(),
                "week_end": sunday.isoformat(),
                "seen_until": seen.isoformat(),
                "posts_so_far": posts,
                "min_weekly_posts": needed,
                "days_left": days_left,
                "pace_weekday": pace.weekday,
                "pace_min_posts": pace.min_posts,
                "reasons": reasons,
                "crawled_at": _crawled_at(f),
            },
        ))
    return drafts


def policy_due(policies: Sequence[PostFact], interpretations: Sequence[PostFact],
               sources: Mapping[int, SourceFacts], classes: Mapping[int, ItemClass],
               as_of: date, default_grace: int = DEFAULT_GRACE_DAYS,
               default_match: float = DEFAULT_MATCH,
               default_max_days_before: int = MAX_DAYS_BEFORE,
               max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS,
               matchers: Callable[[float, int], Matcher] | None = None) -> list[WarningDraft]:
    """Policy files inside their grace period that no interpretation explains yet.

    ``classes``: ``uninterpreted_policy.classify_items``' result, as the rule used it;
    ``matchers``: the rule's ``matchers_by_setting`` of these facts, when the caller shares it
    with the rule (each matcher is built once).
    """
    covered = Coverage(sources.values(), as_of, max_age_days)
    matcher = matchers or matchers_by_setting(policies, interpretations, sources)
    drafts = []
    for policy in policies:
        source = sources.get(policy.source_id)
        decided = classes.get(policy.item_id)
        if (source is None or decided is None or not decided.needs_interpretation
                or policy.statement):
            continue
        can_judge, earliest, interpretations_seen = covered.of_unit(source.unit_id)
        seen = freshness.seen_until(source, as_of, max_age_days)
        if (not can_judge or seen is None
                or (earliest is not None and policy.published_on < earliest)):
            continue  # outdated or failing columns, or older than the interpretations crawled
        grace = _setting(source, "interpretation_grace_days", default_grace)
        due = policy.published_on + timedelta(days=grace)
        looked = min(seen, interpretations_seen)
        if looked > due:
            continue  # overdue: the rule judges it (a finding, or explained)
        threshold = float(source.thresholds.get("interpretation_match", default_match))
        days_before = _setting(source, "interpretation_max_days_before",
                               default_max_days_before)
        if matcher(threshold, days_before).verdict(policy.item_id, complete=False).explained:
            continue
        drafts.append(WarningDraft(
            kind=POLICY_DUE, unit_id=source.unit_id, subject=f"item:{policy.item_id}",
            as_of=as_of, source_id=source.source_id, item_id=policy.item_id,
            evidence={
                "item_url": policy.url,
                "policy_title": policy.title,
                "published_on": policy.published_on.isoformat(),
                "grace_days": grace,
                "due_on": due.isoformat(),
                "days_left": (due - looked).days,
                "policy_class": decided.classification.cls,
                "policy_class_label": CLASS_LABELS[decided.classification.cls],
                "policy_class_reason": decided.classification.reason,
            },
        ))
    return drafts


def crawl_failed(facts: Iterable[SourceFacts], as_of: date,
                 default_days: int = crawl_failure.DEFAULT_DAYS) -> list[WarningDraft]:
    """Sources whose latest crawl failed, before ``crawl_failure`` makes it a finding (outdated
    data included: this is the one warning it raises)."""
    drafts = []
    for f in facts:
        days = crawl_failure.failing_days(f)
        needed = _setting(f, "crawl_failure_days", default_days)
        if not 0 < days < needed:
            continue
        drafts.append(WarningDraft(
            kind=CRAWL_FAILED, unit_id=f.unit_id, subject=f"source:{f.source_id}",
            as_of=as_of, source_id=f.source_id,
            evidence={
                "source_url": f.source_url,
                "item_url": f.source_url,
                "outcome": f.last_run_outcome,
                "http_status": f.last_run_status,
                "error": f.last_run_error,
                "failing_days": days,
                "crawl_failure_days": needed,
                "failing_since": f.failing_since.isoformat() if f.failing_since else None,
                "crawled_at": _crawled_at(f),
                "crawl_run_id": f.last_run_id,
            },
        ))
    return drafts


def judge(facts: Iterable[SourceFacts], posts_per_day: Mapping[int, Mapping[date, int]],
          as_of: date, thresholds: Thresholds | None = None) -> list[WarningDraft]:
    """Every kind but ``policy_due`` (which needs the policy rule's facts: ``policy_due``),
    with the county's thresholds."""
    facts = list(facts)
    t = thresholds or Thresholds()
    max_age = t.data_max_age_days
    return [*stale_soon(facts, as_of, t.stale_days, t.warn_lead_days, max_age),
            *behind_pace(facts, posts_per_day, as_of, t.min_weekly_posts, t.warn_pace, max_age),
            *crawl_failed(facts, as_of, t.crawl_failure_days)]
