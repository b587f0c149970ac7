"""indexes for province-size stores (benchmark findings)

Additive only: two indexes the monitors' set-based queries use at 60,000 sources.
- crawl_run (source_id, outcome, started_at): the latest / latest-successful / first-successful
  run per source come from one covering index scan instead of a table scan;
- snapshot (source_id): the latest snapshot per source without sorting the whole table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_crawl_run_source_outcome", "crawl_run",
                    ["source_id", "outcome", "started_at"], unique=False)
    op.create_index("ix_snapshot_source", "snapshot", ["source_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_snapshot_source", table_name="snapshot")
    op.drop_index("ix_crawl_run_source_outcome", table_name="crawl_run")
