"""notifications: each daily digest sent, to whom, when, and how it went

A new table ``notification``: one row per (day, digest kind, scope, recipient) — the team's
digest or a unit's (``scope`` its code), to one channel (``recipient_key`` the SHA-256 of its
URL, ``recipient`` the URL with secrets masked) — with ``status`` (sending | sent | failed),
``attempts``, the last ``error``, what was sent (``title``, ``body``) and when. Unique on
(day, kind, scope, recipient_key): a digest is never sent twice to one recipient.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("recipient_key", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "kind", "scope", "recipient_key",
                            name="uq_notification_digest"),
    )
    op.create_index("ix_notification_status_day", "notification", ["status", "day"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_notification_status_day", table_name="notification")
    op.drop_table("notification")
