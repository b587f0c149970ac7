"""early warnings (预警): their own table and lifecycle

Additive only: ``early_warning`` — a warning's kind, unit, source or item, subject and
evidence, when and as of which date it was opened, the latest as-of date it held at, and when
and as of which date it was resolved. At most one open warning per (kind, subject): a unique
index over the rows not yet resolved.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "early_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_as_of", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_as_of", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_early_warning_open", "early_warning", ["kind", "subject"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_early_warning_unit", "early_warning", ["unit_id", "resolved_at"])
    op.create_index("ix_early_warning_opened_at", "early_warning", ["opened_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_early_warning_opened_at", table_name="early_warning")
    op.drop_index("ix_early_warning_unit", table_name="early_warning")
    op.drop_index("ux_early_warning_open", table_name="early_warning")
    op.drop_table("early_warning")
