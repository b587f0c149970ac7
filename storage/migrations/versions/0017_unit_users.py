"""unit users and 整改说明 (rectification statements)

Two new tables: ``user_unit`` (user_id, unit_code) — the units a ``unit`` user answers for;
and ``rectification`` — a unit user's statement on a confirmed finding (who, text, optional
evidence URL, when) and the next monitor run's re-check of it (``checked_at``,
``checked_as_of``, ``outcome`` rectified | not_rectified | unknown, ``detail``).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-15

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "user_unit",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("user_id", "unit_code"),
    )
    op.create_table(
        "rectification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("checked_as_of", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["finding_id"], ["finding.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rectification_finding", "rectification", ["finding_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_rectification_finding", table_name="rectification")
    op.drop_table("rectification")
    op.drop_table("user_unit")
