"""item identity: items keyed by their path within their source, not their full URL

Adds ``item.key`` (``storage.identity.item_key``: path and sorted query, no scheme, host or
port) and a unique index on (source_id, key), which the crawl's upsert now conflicts on; the
old unique (source_id, url) stays (a key is a function of the URL, so it can never be the one
that conflicts). Existing items get their key here; of items a host or scheme change had
already duplicated, the oldest keeps the key (its findings and reviews are the ones that
count) and the others keep theirs apart with a ``#dup<id>`` suffix, as history. Also adds the
``source_url_change`` table: a configured source whose URL changed, old → new, and when.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.identity import item_key

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("item", sa.Column("key", sa.Text(), nullable=True))
    item = sa.table("item", sa.column("id", sa.Integer), sa.column("source_id", sa.Integer),
                    sa.column("url", sa.Text), sa.column("key", sa.Text))
    conn = op.get_bind()
    sources = conn.execute(sa.select(item.c.source_id).distinct()).scalars().all()
    for source_id in sources:  # a source at a time: memory bound by its largest source
        taken: set[str] = set()
        rows = conn.execute(sa.select(item.c.id, item.c.url)
                            .where(item.c.source_id == source_id).order_by(item.c.id)).all()
        values = []
        for item_id, url in rows:
            key = item_key(url)
            if key in taken:
                key = f"{key}#dup{item_id}"
            taken.add(key)
            values.append({"item_id": item_id, "new_key": key})
        for start in range(0, len(values), BATCH):
            conn.execute(item.update().where(item.c.id == sa.bindparam("item_id"))
                         .values(key=sa.bindparam("new_key")), values[start:start + BATCH])
    op.create_index("ux_item_source_key", "item", ["source_id", "key"], unique=True)
    op.create_table(
        "source_url_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("old_url", sa.Text(), nullable=False),
        sa.Column("new_url", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("source_url_change")
    op.drop_index("ux_item_source_key", table_name="item")
    with op.batch_alter_table("item") as batch_op:
        batch_op.drop_column("key")
