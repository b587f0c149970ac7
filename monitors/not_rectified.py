"""Not rectified after a bulletin (通报后未按规定整改, Lingchuan: 一项扣1分).

A confirmed finding named in a published bulletin, still true once the rectification deadline
(bulletin date + ``rectify_days``, default 7) has passed, gives one further finding. "Still
true" depends on what the original finding was about:
- stale_column: nothing has been published in the column since the bulletin;
- uninterpreted_policy: the policy is still without interpretation (the rule still fires);
- low_post_frequency: the account posted fewer than the weekly minimum in the seven days
  after the bulletin.
Only what the crawler saw is judged: while the column's or account's latest crawl has failed,
a stale or under-posting finding is not called unrectified (the crawl_failure rule speaks).

``recheck`` answers a unit's 整改说明 (rectification statement) the same way: at the first
monitor run after the statement, whether its confirmed finding's condition still holds as of
that run — from fresh crawl data that reaches the statement's day, else ``unknown`` (tried
again at the next run). It records an outcome only; findings are not changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import (
    BulletinedFinding,
    FindingDraft,
    PendingRecheck,
    RecheckResult,
    SourceFacts,
)

RULE = "not_rectified"
DEFAULT_RECTIFY_DAYS = 7
RECHECK_RULES = ("stale_column", "low_post_frequency", "uninterpreted_policy")
RECHECK_WEEK_DAYS = 7


def still_true(named: BulletinedFinding, source: SourceFacts | None,
               uninterpreted: set[str], posts_after: int, min_posts: int) -> bool:
    if named.rule in ("stale_column", "low_post_frequency") and (
            source is None or source.last_run_outcome != "ok"):
        # the column or account cannot be read now: whether it was rectified is unknown, and
        # an unreachable site is reported as a crawl failure, never judged on no evidence
        return False
    if named.rule == "stale_column":
        newest = source.newest_published_on if source else None
        return newest is None or newest < named.published_on
    if named.rule == "uninterpreted_policy":
        return named.subject in uninterpreted
    if named.rule == "low_post_frequency":
        return posts_after < min_posts
    return False


def judge(named: Iterable[BulletinedFinding], sources: dict[int, SourceFacts],
          uninterpreted: set[str], posts_per_day: dict[int, dict[date, int]], as_of: date,
          rule_map: RuleMap, default_days: int = DEFAULT_RECTIFY_DAYS,
          default_min_posts: int = 3,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    drafts = []
    for finding in named:
        source = sources.get(finding.source_id) if finding.source_id else None
        thresholds = source.thresholds if source else {}
        days = int(thresholds.get("rectify_days", default_days))
        deadline = finding.published_on + timedelta(days=days)
        if as_of <= deadline:
            continue
        if finding.rule != "uninterpreted_policy" and source is not None:
            # rectified or not is known only from a crawl after the deadline (the policy
            # rule, whose verdict is reused, keeps to its own crawl data)
            seen = freshness.seen_until(source, as_of, max_age_days)
            if seen is None or seen <= deadline:
                continue
        min_posts = int(thresholds.get("min_weekly_posts", default_min_posts))
        per_day = posts_per_day.get(finding.source_id or 0, {})
        after = sum(per_day.get(finding.published_on + timedelta(days=d), 0)
                    for d in range(1, days + 1))
        if not still_true(finding, source, uninterpreted, after, min_posts):
            continue
        indicator, points = rule_map.lookup(RULE, finding.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=finding.unit_id, source_id=finding.source_id,
            item_id=finding.item_id, subject=f"finding:{finding.finding_id}",
            period=finding.bulletin_period, as_of=as_of, points=points, indicator=indicator,
            snapshot_id=source.snapshot_id if source else None,
            evidence={
                "original_finding_id": finding.finding_id,
                "original_rule": finding.rule,
                "bulletin_period": finding.bulletin_period,
                "bulletin_published_on": finding.published_on.isoformat(),
                "deadline": deadline.isoformat(),
                "item_url": source.newest_url if source else None,
                "newest_published_on": (source.newest_published_on.isoformat()
                                        if source and source.newest_published_on else None),
                "posts_after_bulletin": after,
            },
        ))
    return drafts


def _recheck_detail(statement: PendingRecheck, source: SourceFacts, holds: bool, posts: int,
                    min_posts: int, seen: date) -> str:
    if statement.rule == "stale_column":
        newest = source.newest_published_on.isoformat() if source.newest_published_on else "无"
        text = (f"栏目自问题判定日（{statement.finding_as_of}）以来仍未更新，最新发布日期 {newest}"
                if holds else f"栏目已更新，最新发布日期 {newest}")
    elif statement.rule == "low_post_frequency":
        text = (f"截至 {seen} 的 {RECHECK_WEEK_DAYS} 天内发布 {posts} 次"
                f"（应不少于 {min_posts} 次）")
    else:
        text = "该政策文件仍未找到对应的解读" if holds else "该政策文件已有对应的解读"
    return f"{text}；数据截至 {seen}。"


def recheck(statements: Iterable[PendingRecheck], sources: dict[int, SourceFacts],
            uninterpreted: set[str], posts_per_day: dict[int, dict[date, int]], as_of: date,
            default_min_posts: int = 3,
            max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[RecheckResult]:
    """Whether each statement's finding still holds as of this run (``still_true``): a
    column updated since the finding was judged, an account with the weekly minimum of posts
    in the seven days up to the data's last day, a policy the rule no longer finds
    uninterpreted. ``unknown`` when the source's latest crawl failed, its data is outdated
    or does not reach the statement's day. Statements on other rules are left unchecked."""
    results = []
    for statement in statements:
        if statement.rule not in RECHECK_RULES:
            continue
        source = sources.get(statement.source_id) if statement.source_id else None
        seen = freshness.seen_until(source, as_of, max_age_days) if source else None
        if source is None or source.last_run_outcome != "ok" or seen is None:
            results.append(RecheckResult(statement.rectification_id, "unknown",
                                         "最近一次抓取失败或数据已过期，暂无法核实。"))
            continue
        if seen < statement.submitted_on:
            results.append(RecheckResult(statement.rectification_id, "unknown",
                                         f"抓取数据截至 {seen}，尚无提交整改说明之后的数据。"))
            continue
        min_posts = int(source.thresholds.get("min_weekly_posts", default_min_posts))
        per_day = posts_per_day.get(source.source_id, {})
        posts = sum(per_day.get(seen - timedelta(days=d), 0) for d in range(RECHECK_WEEK_DAYS))
        named = BulletinedFinding(statement.finding_id, statement.rule, statement.subject,
                                  statement.unit_id, statement.category, statement.source_id,
                                  statement.item_id, "", statement.finding_as_of)
        holds = still_true(named, source, uninterpreted, posts, min_posts)
        results.append(RecheckResult(
            statement.rectification_id, "not_rectified" if holds else "rectified",
            _recheck_detail(statement, source, holds, posts, min_posts, seen)))
    return results
