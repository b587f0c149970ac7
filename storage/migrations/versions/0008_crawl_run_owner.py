"""crawl run owner: which process opened a crawl run

Additive only: ``crawl_run.owner`` (``host:pid:start``, the crawl process that opened the run).
A run left 'running' whose owner process is gone — a crawl killed with SIGKILL, a machine
that lost power — is closed as interrupted by the sweep every crawl and monitor run makes
(``storage.repo.sweep_orphaned_runs``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("crawl_run") as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=160), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("crawl_run") as batch_op:
        batch_op.drop_column("owner")
