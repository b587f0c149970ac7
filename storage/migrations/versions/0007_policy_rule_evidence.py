"""policy rule evidence: article bodies, item classes, reviewers' exclusions

Additive only: ``item.body`` (the article text of policy and interpretation columns, where an
interpretation cites its policy's 文号 or name), ``item.doc_class`` / ``item.doc_class_reason``
(the policy rule's class of a policy-column item and what decided it),
``item.interpreted_by`` / ``interpretation_evidence`` (the rule's last verdict on it, as of the
date in the new ``rule_run`` table), ``user.session_epoch`` (raised at logout: sessions end on
the server, not only in the browser), and the
``policy_exclusion`` table (titles the assessment team ruled are no policy file).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("item") as batch_op:
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("doc_class", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("doc_class_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("interpreted_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("interpretation_evidence", sa.Text(), nullable=True))
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.create_table(
        "rule_run",
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("rule"),
    )
    op.create_table(
        "policy_exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["finding_id"], ["finding.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "title"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("policy_exclusion")
    op.drop_table("rule_run")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("session_epoch")
    with op.batch_alter_table("item") as batch_op:
        batch_op.drop_column("interpretation_evidence")
        batch_op.drop_column("interpreted_by")
        batch_op.drop_column("doc_class_reason")
        batch_op.drop_column("doc_class")
        batch_op.drop_column("body")
