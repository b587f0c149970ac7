"""measured rubric lines: interpretation media and forms, channels, 留言 facts

Additive only, all on ``item``: ``media`` (JSON: what an interpretation's page carries),
``message`` (JSON: a 留言's question and reply times, status and department), ``form`` and
``form_reason`` (解读形式 and why), ``channel`` and ``channel_reason`` (whether a post of the
unit's new-media accounts carries the interpretation). NULL for items stored before.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("item") as batch_op:
        batch_op.add_column(sa.Column("media", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("message", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("form", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("form_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("channel_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("item") as batch_op:
        for name in ("channel_reason", "channel", "form_reason", "form", "message", "media"):
            batch_op.drop_column(name)
