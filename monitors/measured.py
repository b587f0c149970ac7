"""The verdicts behind the measured lines (实测项), item by item: each interpretation's form
(``interpretation_form``) and whether the unit's new-media accounts carry it
(``interpretation_channels``). Stored on the items with their reasons; ``scoring.measured``
turns them into a unit's percentages for a year. Pure: facts in, changed verdicts out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from monitors import interpretation_channels, interpretation_form
from storage.repo import Interpretation, InterpretationState, PostFact, SourceFacts


def accounts_by_unit(facts: Iterable[SourceFacts], posts: Mapping[int, Sequence[PostFact]],
                     window_days: int) -> dict[int, interpretation_channels.AccountPosts]:
    """Each unit's account posts and the first day they are known: ``window_days`` before
    the earliest first successful crawl of its accounts (what that crawl could still see;
    the day it spoke for, its reference date)."""
    names: dict[int, dict[int, str]] = {}
    first: dict[int, date] = {}
    for f in facts:
        if f.source_type != "account":
            continue
        names.setdefault(f.unit_id, {})[f.source_id] = f.source_name
        first_ok = f.first_ok_on or (f.first_ok_at.date() if f.first_ok_at else None)
        if first_ok is not None:
            day = first_ok - timedelta(days=window_days)
            first[f.unit_id] = min(first.get(f.unit_id, day), day)
    return {unit: interpretation_channels.AccountPosts(posts.get(unit, ()), by_source,
                                                       first.get(unit))
            for unit, by_source in names.items()}


def needs_judging(item: Interpretation, as_of: date) -> bool:
    """Whether an interpretation's verdicts may have changed since they were stored: never
    judged, or its channel still open — not judged, or absent while a post may still come."""
    form, _, channel, _ = item.state
    if form is None and channel is None:
        return True
    recent = item.published_on >= as_of - timedelta(
        days=interpretation_channels.POSTED_AFTER_DAYS)
    return channel is None or (channel == interpretation_channels.ABSENT and recent)


def absent_before(item: Interpretation, since: datetime) -> bool:
    """Whether the last run, which began reading at ``since``, found no post carrying the
    interpretation (发布渠道: absent), and no crawl found it retitled or changed since."""
    return (item.state[2] == interpretation_channels.ABSENT
            and (item.changed_at is None or item.changed_at < since))


def judged_since(last: date | None, as_of: date) -> bool:
    """Whether the absent verdicts stored by the last run, as of ``last``, may be judged
    against only the posts that run could not see (``verdicts``' ``unseen``): it ran as of
    this run's date or before it (a run as of an earlier day saw fewer posts published)."""
    return last is not None and last <= as_of


def verdicts(items: Iterable[Interpretation],
             accounts: Mapping[int, interpretation_channels.AccountPosts],
             channel_match: float = interpretation_channels.DEFAULT_MATCH,
             unseen: tuple[Mapping[int, interpretation_channels.AccountPosts], datetime]
             | None = None,
             ) -> list[tuple[int, InterpretationState]]:
    """(item id, new state) of the interpretations whose form or channel verdict changed.

    ``unseen``: when given, with the time the last run began reading, an interpretation that
    run found absent (``absent_before``) is judged against these posts only — those it could
    not see; none of the others carried it then, so it stays absent unless one of these does
    (the verdict, and the first carrying post, the same as judged against all of them)."""
    none = interpretation_channels.AccountPosts((), {}, None)
    changed = []
    for item in items:
        form = interpretation_form.classify(item.title, item.media)
        posts = (unseen[0] if unseen is not None and absent_before(item, unseen[1])
                 else accounts)
        channel = interpretation_channels.judge(item.title, item.published_on,
                                                posts.get(item.unit_id, none), channel_match)
        state = (form.form, form.reason, channel.channel, channel.reason)
        if state != item.state:
            changed.append((item.item_id, state))
    return changed
