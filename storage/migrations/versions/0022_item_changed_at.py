"""item changed at: when a crawl last found an item's title, text or date changed

New nullable column ``item.changed_at`` (``storage.repo.crawls``' upsert sets it when a crawl
finds an item retitled, its text changed or a date where it had none): a verdict given on
the item, or on another item against it, before then is stale. Items stored before keep
None — as first stored.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("item", sa.Column("changed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("item") as batch_op:
        batch_op.drop_column("changed_at")
