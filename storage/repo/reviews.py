"""Review (CLI and web): moving findings between statuses, one review row per change, and
a finding's history and snapshot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from govwatch.timeutil import now
from storage.models import Finding, PolicyExclusion, Review, Snapshot

REVIEW_STATUSES = ("pending", "confirmed", "dismissed")
# to-status → the statuses a finding may come from (reopen = back to pending)
TRANSITIONS = {
    "confirmed": ("pending",),
    "dismissed": ("pending", "confirmed"),
    "pending": ("confirmed", "dismissed"),
}


class ReviewError(ValueError):
    """A review action that cannot be applied (unknown finding, missing reason…)."""


def review_findings(session: Session, ids: Sequence[int], *, to_status: str, actor: str,
                    reason: str | None = None,
                    seen: Mapping[int, str] | None = None) -> list[int]:
    """Move findings to ``to_status``, appending one review row per change.

    Returns the ids that changed. A finding already in ``to_status`` is left alone (and gets
    no review row), so repeating an action is harmless; one that may not move there
    (``TRANSITIONS``) is left alone too. Dismissing and reopening need a reason.

    Each change is a compare-and-set: the status moves only from the one it had — ``seen``
    (finding id → the status the reviewer was shown) when given — in one UPDATE that is the
    transaction's first statement, so two reviewers acting at once never both move a
    finding (on SQLite the second waits for the first and then finds the status changed).
    """
    if to_status not in REVIEW_STATUSES:
        raise ReviewError(f"unknown status {to_status!r}")
    if not actor.strip():
        raise ReviewError("a reviewer name is required")
    if to_status in ("dismissed", "pending") and not (reason or "").strip():
        raise ReviewError("a reason is required to dismiss or reopen a finding")
    stamp = now()
    changed = []
    table = Finding.__table__
    for finding_id in ids:
        allowed = TRANSITIONS[to_status]
        if seen is not None and finding_id in seen:
            allowed = tuple(s for s in allowed if s == seen[finding_id])
        for from_status in allowed:
            moved = session.execute(
                update(table).where(table.c.id == finding_id, table.c.status == from_status)
                .values(status=to_status, updated_at=stamp))
            if moved.rowcount == 1:
                session.add(Review(finding_id=finding_id, actor=actor.strip(), at=stamp,
                                   from_status=from_status, to_status=to_status,
                                   reason=reason))
                changed.append(finding_id)
                break
    rest = set(ids) - set(changed)
    if rest:
        known = set(session.scalars(select(Finding.id).where(Finding.id.in_(rest))))
        missing = sorted(rest - known)
        if missing:
            raise ReviewError(f"no finding with id {', '.join(map(str, missing))}")
    if to_status == "pending" and changed:  # reopened: a 非政策性文件 ruling is taken back
        session.execute(delete(PolicyExclusion).where(PolicyExclusion.finding_id.in_(changed)))
    session.flush()
    return changed


def finding_history(session: Session, finding_id: int) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.finding_id == finding_id)
                                .order_by(Review.at, Review.id)))


def finding_snapshot(session: Session, finding_id: int) -> Snapshot | None:
    """The page snapshot a finding points at, if any."""
    return session.scalar(select(Snapshot).join(Finding, Finding.snapshot_id == Snapshot.id)
                          .where(Finding.id == finding_id))
