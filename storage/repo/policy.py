"""The policy rule (``monitors/uninterpreted_policy``): its stored states and verdicts on
policy-column items, the titles reviewers ruled no policy file (exclusions), and a unit's
policy items as the web shows them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session, aliased

from govwatch.timeutil import now
from storage.models import Finding, Item, PolicyExclusion, RuleRun, Source, Unit
from storage.repo._sql import (
    _as_date,
    _as_datetime,
    _china,
    _insert_for,
    json_value,
    record_rule_run,
)
from storage.repo.facts import select_items_of_kind

PolicyState = tuple[str | None, str | None, int | None, str | None]


def policy_states(session: Session, as_of: date) -> dict[int, PolicyState]:
    """What the policy rule stored on each policy-column item: (class, reason, explaining
    interpretation, evidence of its verdict) — ``save_policy_states``."""
    return {i: (c, r, by, ev) for i, c, r, by, ev in session.execute(select_items_of_kind(
        "policy", as_of, Item.id, Item.doc_class, Item.doc_class_reason, Item.interpreted_by,
        Item.interpretation_evidence))}


def save_policy_states(session: Session, rule: str, as_of: date,
                       states: Iterable[tuple[int, PolicyState]]) -> None:
    """Store changed (item id, state) of policy-column items and the as-of date of the run
    that decided them (``rule_run``)."""
    rows = [{"item_id": i, "cls": c, "reason": r, "by": by, "evidence": ev}
            for i, (c, r, by, ev) in states]
    if rows:
        table = Item.__table__  # Core: an executemany of one UPDATE, no ORM bookkeeping
        session.execute(
            update(table).where(table.c.id == bindparam("item_id"))
            .values(doc_class=bindparam("cls"), doc_class_reason=bindparam("reason"),
                    interpreted_by=bindparam("by"),
                    interpretation_evidence=bindparam("evidence")), rows)
    record_rule_run(session, rule, as_of, now())


@dataclass(frozen=True)
class PolicyItemRow:
    """A policy-column item as the policy rule left it: its class and reason, and its
    verdict (the explaining interpretation, or none) if the last run judged it."""

    item_id: int
    source_name: str
    url: str
    title: str
    published_on: date | None
    doc_class: str | None
    class_reason: str | None
    verdict: str | None  # the evidence in words; None: not judged by the last run
    interpretation_title: str | None
    interpretation_url: str | None


def policy_items(session: Session, unit_code: str, limit: int = 500) -> list[PolicyItemRow]:
    """A unit's policy-column items, newest first, with the policy rule's class and verdict."""
    explaining = aliased(Item)
    rows = session.execute(
        select(Item.id, Source.name, Item.url, Item.title,
               type_coerce(Item.published_on, String), Item.doc_class, Item.doc_class_reason,
               Item.interpretation_evidence, explaining.title, explaining.url)
        .join(Source, Source.id == Item.source_id).join(Unit, Unit.id == Source.unit_id)
        .outerjoin(explaining, explaining.id == Item.interpreted_by)
        .where(Unit.code == unit_code, Source.kind == "policy", Source.type == "column")
        .order_by(Item.published_on.desc(), Item.id.desc()).limit(limit))
    return [PolicyItemRow(i, name, url, title, _as_date(day), cls, reason, verdict, it, iu)
            for i, name, url, title, day, cls, reason, verdict, it, iu in rows]


@dataclass(frozen=True)
class StoredVerdict:
    """The policy rule's last verdict on a policy: the explaining interpretation (title,
    publication date) or none, as of the run's date."""

    judged_as_of: date
    interpretation_title: str | None
    interpretation_published_on: date | None


def stored_verdicts(session: Session, rule: str,
                    item_ids: Iterable[int]) -> dict[int, StoredVerdict]:
    """The verdicts the rule's last run stored on these policy items (those it judged) —
    none when interpretations were stored after that run (they may change a verdict)."""
    run = session.execute(select(RuleRun.as_of, type_coerce(RuleRun.ran_at, String))
                          .where(RuleRun.rule == rule)).first()
    ids = list(item_ids)
    if run is None or not ids:
        return {}
    as_of, ran_at = _as_date(run[0]), _as_datetime(run[1])
    newest = _as_datetime(session.scalar(
        select(type_coerce(func.max(Item.first_seen_at), String))
        .join(Source, Source.id == Item.source_id).where(Source.kind == "interpretation")))
    if as_of is None or (newest is not None and ran_at is not None and newest > ran_at):
        return {}
    explaining = aliased(Item)
    found: dict[int, StoredVerdict] = {}
    for k in range(0, len(ids), 5000):
        rows = session.execute(
            select(Item.id, explaining.title, type_coerce(explaining.published_on, String))
            .outerjoin(explaining, explaining.id == Item.interpreted_by)
            .where(Item.id.in_(ids[k:k + 5000]), Item.interpretation_evidence.is_not(None)))
        for item_id, title, published_on in rows:
            found[item_id] = StoredVerdict(as_of, title, _as_date(published_on))
    return found


EXCLUDED_TITLE_CHARS = 300  # policy_match.TITLE_LIMIT: what the rule reads of a title


def policy_exclusions(session: Session) -> dict[tuple[int | None, str], str]:
    """(unit id or None for the county, title) the assessment team ruled is no policy file,
    with who ruled and when."""
    return {(unit_id, title): f"审核排除（{who}，{_china(at):%Y-%m-%d}）"  # type: ignore[union-attr]
            for unit_id, title, who, at in session.execute(
                select(PolicyExclusion.unit_id, PolicyExclusion.title,
                       PolicyExclusion.created_by,
                       type_coerce(PolicyExclusion.created_at, String)))}


NOT_POLICY_REASON = "非政策性文件"


def exclude_finding_title(session: Session, finding_id: int, *, actor: str,
                          reason: str | None = None) -> str | None:
    """After a reviewer dismissed a policy finding as no policy file (非政策性文件): its
    policy's title goes on its unit's exclusion list (``add_policy_exclusion``), so the rule
    never flags that item again. Returns the title, or None for a finding of another rule."""
    found = session.execute(
        select(Finding.rule, Finding.evidence, Finding.unit_id, Item.title)
        .outerjoin(Item, Item.id == Finding.item_id).where(Finding.id == finding_id)).first()
    if found is None or found[0] != "uninterpreted_policy":
        return None
    evidence = json_value(found[1]) or {}
    title = str(found[3] or evidence.get("policy_title") or "").strip()
    if not title:
        return None
    add_policy_exclusion(session, title, unit_id=found[2], actor=actor, finding_id=finding_id,
                         reason=reason or NOT_POLICY_REASON)
    return title


def add_policy_exclusion(session: Session, title: str, *, actor: str,
                         unit_id: int | None = None, finding_id: int | None = None,
                         reason: str | None = None) -> bool:
    """Rule a title no policy file for a unit (None: the county); idempotent, also when two
    reviewers do it at once. True when it was not excluded before."""
    title = title.strip()[:EXCLUDED_TITLE_CHARS]
    if not title or session.scalar(select(PolicyExclusion.id).where(
            PolicyExclusion.title == title, PolicyExclusion.unit_id.is_(None) if unit_id is None
            else PolicyExclusion.unit_id == unit_id)) is not None:
        return False
    stmt = _insert_for(session)(PolicyExclusion).values(
        unit_id=unit_id, title=title, finding_id=finding_id, created_by=actor,
        created_at=now(), reason=reason)
    done = session.execute(stmt.on_conflict_do_nothing(index_elements=["unit_id", "title"]))
    return bool(done.rowcount)
