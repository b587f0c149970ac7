"""page bodies: snapshot HTML kept in the database

New table ``page_body`` (a page's gzipped HTML, keyed by the SHA-256 of its text: identical
pages share one row) and an index on ``snapshot.sha256`` (what a snapshot's body is found by,
and what pruning checks before dropping a body). Snapshots saved before keep their files
(``snapshot.html_path``).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "page_body",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("html_gz", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_snapshot_sha256", "snapshot", ["sha256"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_snapshot_sha256", table_name="snapshot")
    op.drop_table("page_body")
