"""The measured rubric lines and the rules on 留言 and annual reports: interpretations with
their media and stored form/channel verdicts, the posts of units' accounts, 留言 items, and
what scoring reads of the verdicts (``interpretation_rows``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text, bindparam, delete, func, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from storage.models import Item, RuleRun, Source, Unit
from storage.repo._sql import _as_date, _china, json_value, record_rule_run
from storage.repo.facts import PostFact

# (form, form reason, channel, channel reason) of an interpretation
InterpretationState = tuple[str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class Interpretation:
    """An interpretation-column item as the measured lines read it."""

    item_id: int
    source_id: int
    unit_id: int
    title: str
    url: str
    published_on: date
    media: dict[str, int] | None
    state: InterpretationState
    changed_at: datetime | None = None  # a crawl last found it retitled or its text changed


def interpretations(session: Session, as_of: date) -> list[Interpretation]:
    """Items of active interpretation columns published up to ``as_of``, with their media
    and the verdicts stored by the last run (``save_interpretation_states``)."""
    rows = session.execute(
        select(Item.id, Item.source_id, Source.unit_id, Item.title, Item.url,
               type_coerce(Item.published_on, String), type_coerce(Item.media, Text),
               Item.form, Item.form_reason, Item.channel, Item.channel_reason,
               type_coerce(Item.changed_at, String))
        .join(Source, Source.id == Item.source_id)
        .where(Source.kind == "interpretation", Source.type == "column",
               Source.active.is_(True), Item.published_on <= as_of)
        .order_by(Item.published_on, Item.id))
    return [Interpretation(i, sid, uid, title, url, _as_date(day),  # type: ignore[arg-type]
                           json_value(media) if media else None, (form, fr, ch, cr),
                           _china(changed) if changed else None)
            for i, sid, uid, title, url, day, media, form, fr, ch, cr, changed in rows]


def save_interpretation_states(session: Session,
                               states: Iterable[tuple[int, InterpretationState]],
                               as_of: date, run_key: str, read_at: datetime) -> None:
    """Store changed (item id, (form, reason, channel, reason)) verdicts and the run that gave
    them (``rule_run``: ``run_key``, its as-of date and when it began reading posts); the
    record of a run under another key — another threshold or matching code — is dropped:
    the verdicts stored now are not its."""
    rows = [{"item_id": i, "f": f, "fr": fr, "c": c, "cr": cr} for i, (f, fr, c, cr) in states]
    if rows:
        table = Item.__table__
        session.execute(update(table).where(table.c.id == bindparam("item_id")).values(
            form=bindparam("f"), form_reason=bindparam("fr"), channel=bindparam("c"),
            channel_reason=bindparam("cr")), rows)
    family = run_key.partition(":")[0]
    session.execute(delete(RuleRun).where(RuleRun.rule.startswith(f"{family}:", autoescape=True),
                                          RuleRun.rule != run_key))
    record_rule_run(session, run_key, as_of, read_at)


POST_TEXT_CHARS = 500  # of a post's text: where it quotes an interpretation's title


def account_posts(session: Session, unit_ids: Iterable[int], start: date, end: date,
                  unseen_by: tuple[date, datetime] | None = None) -> dict[int, list[PostFact]]:
    """Posts (with their text) of the active accounts of these units published in
    [start, end], by unit id, oldest first. With ``unseen_by`` (an earlier run's as-of date
    and the time it read), only the posts that run could not see: first stored at or after
    that time, changed since (``item.changed_at``), or published after its as-of date."""
    ids = list(unit_ids)
    found: dict[int, list[PostFact]] = {i: [] for i in ids}
    if not ids:
        return found
    accounts = dict(session.execute(
        select(Source.id, Source.unit_id).where(Source.unit_id.in_(ids),
                                                Source.type == "account",
                                                Source.active.is_(True))).all())
    if not accounts:
        return found
    # plain columns, no time or links: a province's month of posts is a few 100,000 rows
    stmt = (select(Item.id, Item.source_id, Item.url, Item.title,
                   type_coerce(Item.published_on, String),
                   func.substr(func.coalesce(Item.body, ""), 1, POST_TEXT_CHARS))
            .where(Item.source_id.in_(list(accounts)), Item.published_on.between(start, end),
                   *((or_(Item.first_seen_at >= unseen_by[1], Item.changed_at >= unseen_by[1],
                          Item.published_on > unseen_by[0]),) if unseen_by else ()))
            .order_by(Item.published_on, Item.id))
    for item_id, sid, url, title, day, body in session.connection().execute(stmt):
        found[accounts[sid]].append(PostFact(item_id, sid, url, title, _as_date(day),  # type: ignore[arg-type]
                                             None, [], None, body))
    return found


@dataclass(frozen=True)
class MessageItem:
    """A 留言 item: its page's facts (``item.message``) and the head of its text."""

    item_id: int
    source_id: int
    url: str
    title: str
    text: str
    facts: dict[str, Any]


MESSAGE_TEXT_CHARS = 2000


def message_items(session: Session, since: date) -> list[MessageItem]:
    """Items of active messages columns published on or after ``since`` whose page was
    read (``item.message`` set)."""
    rows = session.execute(
        select(Item.id, Item.source_id, Item.url, Item.title,
               func.substr(func.coalesce(Item.body, ""), 1, MESSAGE_TEXT_CHARS),
               type_coerce(Item.message, Text))
        .join(Source, Source.id == Item.source_id)
        .where(Source.kind == "messages", Source.type == "column", Source.active.is_(True),
               Item.message.is_not(None), Item.published_on >= since)
        .order_by(Item.id))
    return [MessageItem(i, sid, url, title, text or "", dict(json_value(message) or {}))
            for i, sid, url, title, text, message in rows]


@dataclass(frozen=True)
class InterpretationRow:
    """An interpretation as scoring and the score sheet show it."""

    unit_code: str
    item_id: int
    title: str
    url: str
    published_on: date
    form: str | None
    form_reason: str | None
    channel: str | None
    channel_reason: str | None


def interpretation_rows(session: Session, year: int) -> list[InterpretationRow]:
    """Interpretations of active columns published in ``year``, with their stored verdicts
    (the last monitor run's), by unit code and date."""
    rows = session.execute(
        select(Unit.code, Item.id, Item.title, Item.url, type_coerce(Item.published_on, String),
               Item.form, Item.form_reason, Item.channel, Item.channel_reason)
        .join(Source, Source.id == Item.source_id).join(Unit, Unit.id == Source.unit_id)
        .where(Source.kind == "interpretation", Source.type == "column",
               Source.active.is_(True),
               Item.published_on.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(Unit.code, Item.published_on, Item.id))
    return [InterpretationRow(code, i, title, url, _as_date(day),  # type: ignore[arg-type]
                              form, fr, ch, cr)
            for code, i, title, url, day, form, fr, ch, cr in rows]
