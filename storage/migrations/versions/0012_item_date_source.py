"""item date source: which evidence an item's publish date was read from

Additive only: ``item.date_source`` — ``row`` or ``url`` (the list page), ``article_table``,
``article_header``, ``article_byline``, ``article_label``, ``meta`` or ``fallback`` (the
article page); NULL when undated or stored before this column. Shown to reviewers beside the
date a stale column is judged by (docs/extractor.md has the order of evidence).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("item") as batch_op:
        batch_op.add_column(sa.Column("date_source", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("item") as batch_op:
        batch_op.drop_column("date_source")
