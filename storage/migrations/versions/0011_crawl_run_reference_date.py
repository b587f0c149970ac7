"""crawl run reference date: the day a crawl speaks for

Additive only: ``crawl_run.reference_date``, the crawl's "today" (the as-of date it was run
for; today's date in China for a scheduled crawl). What a period covered — whether a unit was
monitored at all in a week or a year (未监测) — is read from it; runs from before it get the
China date they started on.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("crawl_run") as batch_op:
        batch_op.add_column(sa.Column("reference_date", sa.Date(), nullable=True))
    # earlier runs speak for the day they started (started_at is stored as China time)
    day = (sa.func.date(sa.column("started_at")) if op.get_bind().dialect.name == "sqlite"
           else sa.cast(sa.column("started_at"), sa.Date))
    op.execute(sa.table("crawl_run", sa.column("reference_date"), sa.column("started_at"))
               .update().values(reference_date=day))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("crawl_run") as batch_op:
        batch_op.drop_column("reference_date")
