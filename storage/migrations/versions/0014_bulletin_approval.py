"""bulletin approval: drafts, who approved and when, the 文号

A weekly bulletin is drafted, then approved and published. ``bulletin.status`` (``draft`` |
``published``; existing rows were published), ``approved_at`` (existing rows: their
``published_at``), the 文号 numbered per year (``doc_year``, ``doc_seq``, unique together;
``doc_number`` as printed), and the draft awaiting approval (``drafted_at``, ``drafted_by``,
``draft_files``, ``draft_findings``, ``draft_digest``). ``published_at`` and
``published_by`` become nullable: a week drafted but never approved has neither.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("bulletin") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False,
                                      server_default="published"))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("doc_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("doc_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("doc_number", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("drafted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("drafted_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("draft_files", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_findings", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_digest", sa.String(length=64), nullable=True))
        batch_op.alter_column("published_at", existing_type=sa.DateTime(), nullable=True)
        batch_op.alter_column("published_by", existing_type=sa.String(length=100),
                              nullable=True)
        batch_op.create_unique_constraint("uq_bulletin_doc_seq", ["doc_year", "doc_seq"])
    op.execute("UPDATE bulletin SET approved_at = published_at")


def downgrade() -> None:
    """Downgrade schema (drafts never approved are dropped: they were never published)."""
    op.execute("DELETE FROM bulletin_finding WHERE bulletin_id IN "
               "(SELECT id FROM bulletin WHERE published_at IS NULL)")
    op.execute("DELETE FROM bulletin WHERE published_at IS NULL")
    with op.batch_alter_table("bulletin") as batch_op:
        batch_op.drop_constraint("uq_bulletin_doc_seq", type_="unique")
        batch_op.alter_column("published_by", existing_type=sa.String(length=100),
                              nullable=False)
        batch_op.alter_column("published_at", existing_type=sa.DateTime(), nullable=False)
        for column in ("draft_digest", "draft_findings", "draft_files", "drafted_by",
                       "drafted_at", "doc_number", "doc_seq", "doc_year", "approved_at",
                       "status"):
            batch_op.drop_column(column)
