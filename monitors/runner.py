"""Run every monitor for an as-of date and store what they find (the thin I/O layer).

Loads the facts each rule needs with set-based queries, calls the pure ``judge`` functions,
and saves the drafts (idempotent: unique on rule, subject, period).

The policy rule is as much work as all the others together (it matches every policy against
the interpretations), and needs nothing of theirs: it runs beside them, in a forked child
with its own connection and its own, smaller source facts (``govwatch.beside``; inline when
forking is unsafe). It saves its own drafts where it runs (``save_policy_rule``), before the
others are saved: the same findings under the same ids either way. Its
documents' names, 文号 and citations and its classifier's verdicts are kept between runs in
govwatch's cache folder (``kept_documents_entry``): most are the same from day to day.

Warnings (预警, ``monitors.warnings``) are computed from the same facts in the same run — the
policy file warnings beside the policy rule, with its classes and matcher — and saved with
the findings, in their own table and lifecycle (``repo.save_warnings``).
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import NamedTuple
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from govwatch.beside import keep_until_exit
from govwatch.collector import collector_paused
from govwatch.config import CountyConfig, PolicyClasses, Thresholds
from govwatch.config_cache import cache_dir, read_entry, write_entry
from govwatch.liveness import owner_gone
from govwatch.timeutil import CHINA, monday_of, now
from monitors import (
    account_silent,
    annual_report,
    backdated_item,
    blank_column,
    class_stale,
    crawl_failure,
    dead_link,
    freshness,
    hidden_link,
    homepage_stale,
    interpretation_channels,
    late_reply,
    low_post_frequency,
    measured,
    not_rectified,
    personal_info,
    policy_class,
    policy_match,
    site_unreachable,
    stale_column,
    unanswered_message,
    uninterpreted_policy,
    wrong_expression,
)
from monitors import warnings as early_warnings
from monitors.national_class import national_class
from monitors.policy_class import ClassPolicy
from monitors.policy_match import BODY_LIMIT
from monitors.rule_map import RuleMap, load_rule_map
from monitors.wrong_expression import load_dictionary
from storage import repo
from storage.db import Database, in_process_only, in_session_beside
from storage.repo import FindingDraft, PostFact, SourceFacts, WarningDraft

RULES = (stale_column.RULE, low_post_frequency.RULE, uninterpreted_policy.RULE,
         not_rectified.RULE, crawl_failure.RULE, late_reply.RULE, annual_report.RULE,
         dead_link.RULE, hidden_link.RULE, backdated_item.RULE, wrong_expression.RULE,
         personal_info.RULE)
NATIONAL_RULES = (homepage_stale.RULE, class_stale.RULE, blank_column.RULE,
                  unanswered_message.RULE, account_silent.RULE, site_unreachable.RULE)


@dataclass
class MonitorReport:
    as_of: date
    new_ids: list[int] = field(default_factory=list)
    known_ids: list[int] = field(default_factory=list)
    by_rule: Counter[str] = field(default_factory=Counter)
    new_by_rule: Counter[str] = field(default_factory=Counter)
    outdated: int = 0  # sources not judged: their latest crawl is too old (数据过期)
    warnings: repo.WarningChanges = field(default_factory=repo.WarningChanges)
    rechecked: int = 0  # 整改说明 whose finding was re-checked (``not_rectified.recheck``)
    measured: int = 0  # interpretations whose form or channel verdict changed


def county_classes(settings: PolicyClasses) -> ClassPolicy:
    """The county's policy-class settings as the classifier takes them."""
    return ClassPolicy(tuple(settings.include), tuple(settings.exclude),
                       settings.yearly_work_is_policy, settings.unclassified_is_policy)


PolicyStates = list[tuple[int, repo.PolicyState]]


class PolicyRuleSaved(NamedTuple):
    """What the rest of the run needs of the policy rule once its drafts and states are
    saved (``save_policy_rule``): the subjects still uninterpreted, each draft's (finding id,
    is new), and the policy file warnings, saved with the others."""

    subjects: set[str]
    saved: list[tuple[int, bool]]
    warnings: list[WarningDraft]


class PolicyRuleOutcome(NamedTuple):
    """What the policy rule's run gives: its drafts, the items whose class or verdict changed,
    and the policy file warnings (``monitors.warnings.policy_due``)."""

    drafts: list[FindingDraft]
    states: PolicyStates
    warnings: list[WarningDraft]


def policy_rule_facts(session: Session, as_of: date) -> tuple[
        dict[int, SourceFacts], list[PostFact], list[PostFact]]:
    """What the policy rule reads: the facts of policy and interpretation columns, their
    policies (with the head of their text) and interpretations (with their text)."""
    sources = {f.source_id: f for f in repo.source_facts(
        session, as_of, kinds=uninterpreted_policy.SOURCE_KINDS)}
    policies = repo.items_of_kind(session, "policy", as_of,
                                  body_chars=uninterpreted_policy.POLICY_BODY_CHARS)
    interpretations = repo.items_of_kind(session, "interpretation", as_of,
                                         body_chars=BODY_LIMIT)
    return sources, policies, interpretations


def uninterpreted_policies(
        session: Session, as_of: date, rule_map: RuleMap, thresholds: Thresholds,
        classes: PolicyClasses | None = None,
) -> PolicyRuleOutcome:
    """Rule 3's drafts, the policy-column items whose class or verdict changed (all of them
    the first time) and the policy file warnings, from the facts of policy and interpretation
    columns only (and the titles reviewers excluded)."""
    sources, policies, interpretations = policy_rule_facts(session, as_of)
    entry = kept_documents_entry(session)
    found = read_entry(entry) if entry is not None else None
    kept = uninterpreted_policy.KeptDocuments(found if isinstance(found, dict) else None)
    decided = uninterpreted_policy.classify_items(
        policies, sources, county_classes(classes or PolicyClasses()),
        repo.policy_exclusions(session), kept)
    matchers = uninterpreted_policy.matchers_by_setting(policies, interpretations, sources,
                                                        kept)
    drafts, verdicts = uninterpreted_policy.judge_with_verdicts(
        policies, interpretations, sources, as_of, rule_map,
        thresholds.interpretation_grace_days,
        thresholds.interpretation_match, decided, thresholds.interpretation_max_days_before,
        thresholds.data_max_age_days, matchers)
    judged = {v.item_id: v for v in verdicts}
    states = []
    for item_id, state in repo.policy_states(session, as_of).items():
        decision = decided.get(item_id)
        verdict = judged.get(item_id)
        new = (decision.classification.cls if decision else None,
               decision.classification.reason if decision else None,
               verdict.interpreted_by if verdict else None,
               verdict.evidence if verdict else None)
        if new != state:  # most items keep their class and verdict from run to run
            states.append((item_id, new))
    due = early_warnings.policy_due(
        policies, interpretations, sources, decided, as_of, thresholds.interpretation_grace_days,
        thresholds.interpretation_match, thresholds.interpretation_max_days_before,
        thresholds.data_max_age_days, matchers)
    if entry is not None and kept.worth_keeping:
        write_entry(entry, kept.entries())
    outcome = PolicyRuleOutcome(drafts, states, due)
    # beside the other rules, the child exits without freeing them (``keep_until_exit``)
    keep_until_exit(sources, policies, interpretations, kept, decided, matchers, verdicts,
                    judged, outcome)
    return outcome


def save_policy_rule(session: Session, as_of: date, outcome: PolicyRuleOutcome
                     ) -> PolicyRuleSaved:
    """Save the policy rule's drafts and changed states in a transaction of their own that
    writes first (``repo.writing_first``), committed: where the rule runs, so that its 15,000
    drafts of a province are neither pickled to the parent nor saved after everything else.
    ``session`` is the one the rule read with (run inline, the caller's): its reading
    transaction is ended first."""
    session.commit()  # the reading is done: the save is a transaction of its own
    repo.writing_first(session)
    repo.save_policy_states(session, uninterpreted_policy.RULE, as_of, outcome.states)
    saved = repo.save_findings_detailed(session, outcome.drafts)
    session.commit()
    return PolicyRuleSaved({d.subject for d in outcome.drafts}, saved, outcome.warnings)


def kept_documents_entry(session: Session) -> Path | None:
    """Where the policy rule keeps its documents' worked-out fields and classes between runs
    (``uninterpreted_policy.KeptDocuments``): an entry of govwatch's cache folder per
    database and version of the matching and classifying code; None when the cache is off or
    the database lives in this process only."""
    folder = cache_dir()
    url = session.get_bind().url
    if folder is None or in_process_only(url):
        return None
    where = (str(Path(url.database or "").resolve()) if url.get_backend_name() == "sqlite"
             else url.render_as_string(hide_password=True))
    code = (policy_match, policy_class, uninterpreted_policy)  # what an entry holds and how
    return folder / f"documents-{code_digest(where.encode(), modules=code)[:32]}.pickle"


def run_monitors(db: Database, config: CountyConfig, as_of: date,
                 rule_map: RuleMap | None = None) -> MonitorReport:
    """Every rule as of ``as_of``; the drafts saved (new ones pending, known ones refreshed).

    Facts, verdicts and drafts are kept until they are saved: the cyclic collector is paused
    meanwhile (``govwatch.collector``).
    """
    with collector_paused():
        return _run_monitors(db, config, as_of, rule_map)


def _run_monitors(db: Database, config: CountyConfig, as_of: date,
                  rule_map: RuleMap | None) -> MonitorReport:
    rule_map = rule_map or load_rule_map(config.settings.rubric)
    t = config.settings.thresholds
    report = MonitorReport(as_of)

    def policy_rule(session: Session) -> PolicyRuleSaved:
        return save_policy_rule(session, as_of, uninterpreted_policies(
            session, as_of, rule_map, t, config.settings.policy_classes))

    with db.session() as session:  # runs a killed crawl left open are not crawls in progress
        repo.sweep_orphaned_runs(session, owner_gone)
    def beyond_weekly(session: Session, facts: list[SourceFacts],
                      named: list[repo.BulletinedFinding]) -> list[FindingDraft]:
        national = "national" in config.settings.profiles
        return [*lines_with_items(session, config, facts, as_of, rule_map),
                *page_checks(session, config, facts, as_of, rule_map, named),
                *(national_checks(session, config, facts, as_of, rule_map)
                  if national else ())]

    with db.session() as session:
        pending = in_session_beside(session, policy_rule)
        # the checks beyond the weekly rules in a second child: three processes share the
        # cores instead of these waiting for the policy rule. Loaded before it starts, the
        # facts are the child's too (a forked child inherits them: loaded once, not twice)
        facts = repo.source_facts(session, as_of)
        named = repo.bulletined_findings(session)
        beyond_pending = in_session_beside(
            session, lambda child_session: beyond_weekly(child_session, facts, named))
        by_source = {f.source_id: f for f in facts}

        max_age = t.data_max_age_days
        start, end = low_post_frequency.needed_range(facts, as_of, max_age)
        if named:  # not_rectified looks at the days after each bulletin too
            start = min(start, min(n.published_on for n in named))
        start = min(start, monday_of(as_of))  # the warnings count this week's posts
        statements = repo.pending_rechecks(session)
        if statements:  # a re-check counts the posts of the week up to the data's last day
            start = min(start, as_of - timedelta(days=not_rectified.RECHECK_WEEK_DAYS))
        per_day = repo.posts_per_day(
            session, [f.source_id for f in facts if f.source_type == "account"], start, end)
        weeks = low_post_frequency.judge(facts, per_day, as_of, rule_map, t.min_weekly_posts,
                                         max_age)
        spans = [(d.source_id or 0, date.fromisoformat(d.evidence["week_start"]),
                  date.fromisoformat(d.evidence["week_end"])) for d in weeks]
        posts = repo.posts_in_ranges(session, spans)  # one query per week, not per finding
        under_posted = [low_post_frequency.add_posts(d, posts[span])
                        for d, span in zip(weeks, spans, strict=True)]
        stale = stale_column.judge(facts, as_of, rule_map, t.stale_days, max_age)
        national = "national" in config.settings.profiles
        failures = crawl_failure.judge(facts, as_of, rule_map, t.crawl_failure_days, max_age,
                                       (blank_column.EMPTY,) if national else ())
        # worked out while the children still work: what follows waits for them. The
        # measured verdicts are the parent's, not the second child's: there the second child
        # finished last while the parent, its rules done, waited on one core (a province's
        # run: 0.4 s shorter, the three processes ending within a few tenths of a second)
        posting_warnings = early_warnings.judge(facts, per_day, as_of, t)
        interpretation_states = measured_verdicts(session, config, facts, as_of)
        policy = pending.result()
        beyond = beyond_pending.result()
        still_uninterpreted = policy.subjects
        warnings = [*posting_warnings, *policy.warnings]
        drafts = [
            *stale,
            *under_posted,
            *not_rectified.judge(named, by_source, still_uninterpreted,
                                 per_day, as_of, rule_map, t.rectify_days,
                                 t.min_weekly_posts, max_age),
            *failures,
        ]
        rechecks = not_rectified.recheck(statements, by_source, still_uninterpreted, per_day,
                                         as_of, t.min_weekly_posts, max_age)
        drafts += beyond
    # saved in a transaction of their own that writes first: two monitor runs at once then
    # save one after the other, each seeing what the other stored (``repo.writing_first``);
    # the policy rule's drafts were saved where it ran (``save_policy_rule``)
    with db.session() as session:
        repo.writing_first(session)
        repo.save_interpretation_states(session, interpretation_states.states, as_of,
                                        interpretation_states.run_key,
                                        interpretation_states.read_at)
        saved = repo.save_findings_detailed(session, drafts)
        rules = [*(d.rule for d in drafts), *[uninterpreted_policy.RULE] * len(policy.saved)]
        for rule, (finding_id, is_new) in zip(rules, [*saved, *policy.saved], strict=True):
            (report.new_ids if is_new else report.known_ids).append(finding_id)
            if is_new:
                report.new_by_rule[rule] += 1
        report.by_rule.update(rules)
        report.warnings = repo.save_warnings(session, warnings, as_of)
        report.rechecked = repo.record_rechecks(session, rechecks, as_of)
    report.measured = len(interpretation_states.states)
    report.outdated = sum(1 for d in failures
                          if d.evidence.get("outcome") == crawl_failure.STALE_DATA)
    return report


def lines_with_items(session: Session, config: CountyConfig, facts: list[SourceFacts],
                     as_of: date, rule_map: RuleMap) -> list[FindingDraft]:
    """The rules that read single items of their columns: late replies to 留言 (messages
    columns) and missing annual reports (annual_report columns)."""
    t = config.settings.thresholds
    by_source = {f.source_id: f for f in facts}
    drafts: list[FindingDraft] = []
    if any(f.kind == "messages" for f in facts):
        # a message is judged when due in the assessment year: asked up to a month before it
        messages = [late_reply.Message(m.item_id, m.source_id, m.url, m.title, m.text, m.facts)
                    for m in repo.message_items(session, date(as_of.year - 1, 12, 1))]
        drafts += late_reply.judge(
            messages, by_source, as_of, rule_map, t.reply_hours, t.major_reply_hours,
            config.settings.messages.major_patterns, t.data_max_age_days,
            config.settings.monitoring_start)
    if any(f.kind == annual_report.KIND for f in facts):
        drafts += annual_report.judge(
            facts, repo.items_of_kind(session, annual_report.KIND, as_of), as_of, rule_map,
            t.annual_report_due, t.data_max_age_days)
    return drafts


class MeasuredVerdicts(NamedTuple):
    """The interpretations' changed verdicts and what to record of the run that gave them:
    its ``rule_run`` key (``channels_run_key``) and when it began reading posts
    (``repo.save_interpretation_states``)."""

    states: list[tuple[int, repo.InterpretationState]]
    run_key: str
    read_at: datetime


CHANNELS_RUN = "interpretation_channels"
# a crawl stores its posts a moment after stamping them first seen: a post stamped just before
# a run began reading and committed just after it would be missed by the next run
POSTS_COMMIT_MARGIN = timedelta(hours=1)


def channels_run_key(threshold: float, facts: Iterable[SourceFacts]) -> str:
    """The ``rule_run`` key of a channel judging: what its absent verdicts were judged with —
    the threshold, the matching code, and the active interpretation columns and accounts of
    each unit (an account or column added, dropped, or switched off and on again: its posts
    or items were not judged, so the next run judges all afresh)."""
    watched = sorted((f.unit_id, f.source_type, f.source_id) for f in facts
                     if f.source_type == "account" or f.kind == "interpretation")
    return f"{CHANNELS_RUN}:" + code_digest(
        repr(threshold).encode(), repr(watched).encode(),
        modules=(interpretation_channels, policy_match))[:16]


def measured_verdicts(session: Session, config: CountyConfig, facts: list[SourceFacts],
                      as_of: date) -> MeasuredVerdicts:
    """Each interpretation's form and channel verdict that changed (``monitors.measured``).

    An interpretation the last run found absent is judged only against the posts that run
    could not see (``measured.judged_since``): stored since it began reading, changed since,
    or published after its as-of date — a day's posts read, not a month's."""
    read_at = now()
    threshold = config.settings.measures.channel_match
    run_key = channels_run_key(threshold, facts)
    last = repo.last_rule_run(session, run_key)
    since = (last[1] - POSTS_COMMIT_MARGIN
             if last is not None and measured.judged_since(last[0], as_of) else None)
    # this year's and last year's (the years a score may still be asked for) whose verdicts
    # may have changed: most were settled by an earlier run
    items = [i for i in repo.interpretations(session, as_of)
             if i.published_on.year >= as_of.year - 1 and measured.needs_judging(i, as_of)]
    if not items:
        return MeasuredVerdicts([], run_key, read_at)
    window_days = config.settings.crawl.window_days
    # the posts are read only for what can be judged against them: interpretations of units
    # with accounts, published once the accounts were watched (the others are "not judged"
    # whatever was posted, and would pull in a year of posts)
    watched = measured.accounts_by_unit(facts, {}, window_days)
    judged = [i for i in items if (unit := watched.get(i.unit_id)) is not None
              and unit.known_from is not None and i.published_on >= unit.known_from]
    settled = [i for i in judged if since is not None and measured.absent_before(i, since)]
    afresh = [i for i in judged if since is None or not measured.absent_before(i, since)]

    def posts_of(interpretations: list[repo.Interpretation],
                 unseen_by: tuple[date, datetime] | None = None
                 ) -> dict[int, interpretation_channels.AccountPosts]:
        posts: dict[int, list[PostFact]] = {}
        if interpretations:
            start = min(i.published_on for i in interpretations) - timedelta(
                days=interpretation_channels.POSTED_BEFORE_DAYS)
            posts = repo.account_posts(session, {i.unit_id for i in interpretations}, start,
                                       as_of, unseen_by)
        return measured.accounts_by_unit(facts, posts, window_days)

    unseen = ((posts_of(settled, (last[0], since)), since)
              if last is not None and since is not None else None)
    return MeasuredVerdicts(measured.verdicts(items, posts_of(afresh), threshold, unseen),
                            run_key, read_at)


def code_digest(*parts: bytes, modules: Iterable[ModuleType] = ()) -> str:
    """A hex digest of ``parts``, the source of ``modules`` and the Python version: what a
    result kept between runs was worked out from."""
    digest = hashlib.sha256()
    for part in (*parts, *(Path(m.__file__ or "").read_bytes() for m in modules),
                 sys.version.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def county_hosts(config: CountyConfig) -> set[str]:
    """The host names of the county's configured sources and ``crawl.allowed_hosts``."""
    hosts = {urlsplit(url).hostname or "" for url in config.source_urls()}
    return (hosts | set(config.settings.crawl.allowed_hosts)) - {""}


def page_checks(session: Session, config: CountyConfig, facts: list[SourceFacts],
                as_of: date, rule_map: RuleMap,
                bulletins: list[repo.BulletinedFinding]) -> list[FindingDraft]:
    """The checks on what pages carry and when items appeared: 错敏词 and personal
    information in titles and texts, dead and hidden links, and back-dated items (倒签)."""
    t = config.settings.thresholds
    by_source = {f.source_id: f for f in facts}
    since = as_of - timedelta(days=t.data_max_age_days)
    pages = repo.page_links(session, since)
    statuses = repo.link_statuses(session, {u for p in pages for u in p.links}, as_of)
    fresh = {sid: f for sid, f in by_source.items()
             if freshness.seen_until(f, as_of, t.data_max_age_days) is not None}
    # what appeared in the week before the as-of date (in a replayed crawl, the machine's
    # week): titles, and texts where read
    since = min(now(), datetime.combine(as_of, time(), CHINA)) - timedelta(
        days=backdated_item.LOOKBACK_DAYS + 1)
    texts = [r for r in repo.texts_first_seen_since(session, since) if r.source_id in fresh]
    checks = config.settings.text_checks
    drafts = [*wrong_expression.judge(texts, fresh, as_of, rule_map,
                                      load_dictionary(checks.dictionaries, checks.allow)),
              *personal_info.judge(texts, fresh, as_of, rule_map, checks.contact_patterns)]
    if pages:  # the county's hosts and source URLs are only needed to judge pages' links
        drafts += dead_link.judge(
            pages, statuses, by_source, as_of, rule_map, t.data_max_age_days,
            config.source_urls())
        drafts += hidden_link.judge(pages, by_source, as_of, rule_map, county_hosts(config),
                                    t.data_max_age_days)
    # first stored in that week (a replayed crawl's run says which day it stood for)
    least = min([t.backdated_days, *(int(f.thresholds["backdated_days"]) for f in facts
                                     if "backdated_days" in f.thresholds)])
    seen = repo.items_first_seen_since(session, since, least)
    if seen:
        start = min(i.published_on for i in seen)
        days = repo.ok_crawl_days(session, {i.source_id for i in seen}, start, as_of)
        drafts += backdated_item.judge(seen, days, by_source, bulletins, as_of, rule_map,
                                       t.backdated_days, t.data_max_age_days)
    return drafts


def national_checks(session: Session, config: CountyConfig, facts: list[SourceFacts],
                    as_of: date, rule_map: RuleMap) -> list[FindingDraft]:
    """The national website checks (``settings.profiles: [national]``)."""
    n = config.settings.national
    max_age = config.settings.thresholds.data_max_age_days
    by_source = {f.source_id: f for f in facts}
    ids = repo.source_ids(session)
    classes = {ids[(u.code, c.name)]: national_class(c.name, c.kind, c.national_class)
               for u in config.units for c in u.columns if (u.code, c.name) in ids}
    messages = [late_reply.Message(m.item_id, m.source_id, m.url, m.title, m.text, m.facts)
                for m in repo.message_items(session, as_of - timedelta(days=366))]
    end = datetime.combine(as_of + timedelta(days=1), time(), CHINA)
    probes = repo.probes_between(session, end - timedelta(days=site_unreachable.WINDOW_DAYS),
                                 end)
    return [
        *homepage_stale.judge(facts, as_of, rule_map, n.homepage_stale_days, max_age),
        *class_stale.judge(facts, classes, as_of, rule_map, n.news_stale_days,
                           n.notice_stale_days, max_age),
        *blank_column.judge(facts, as_of, rule_map, max_age),
        *unanswered_message.judge(messages, by_source, as_of, rule_map, n.unanswered_days,
                                  max_age),
        *account_silent.judge(facts, as_of, rule_map, n.account_silent_days, max_age),
        *site_unreachable.judge(probes, by_source, as_of, rule_map, n.unreachable_share,
                                n.min_probes),
    ]
