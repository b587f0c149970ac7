"""item url not unique: an item is unique within its source by its key only

Drops the unique (source_id, url) constraint kept beside ``ux_item_source_key`` since revision
0010. A key is a function of the URL, so the constraint never told two items apart — except
against the items 0010 kept apart as history (``#dup<id>`` keys): when the page of such a
twin's address was crawled again, the item holding the key moved to that address, and the
constraint refused the move and with it the crawl's whole batch. It also cost every stored
item a third index entry (a long one: the whole URL), about a third of SQLite's work a row.

SQLite drops a table constraint only by rebuilding the table (Alembic's batch mode, which
keeps its columns, rows and their ids, indexes and foreign keys); ``storage.db`` runs SQLite
upgrades with foreign keys off, as Alembic advises for such rebuilds.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["source_id", "url"]
# SQLite's table constraint has no name: reflected under this one, it can be dropped
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
SQLITE_NAME = "uq_item_source_id_url"
REBUILT = "_alembic_tmp_item"  # the table Alembic's batch mode builds, then renames


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    for constraint in sa.inspect(bind).get_unique_constraints("item"):
        if constraint["column_names"] != COLUMNS:
            continue
        if bind.dialect.name == "sqlite":
            # the rebuild's new table is created outside the upgrade's transaction (SQLite's
            # driver opens one at the first write): a try cut short (a full disk) leaves it
            # behind, and the next try would stop at it
            op.execute(f"DROP TABLE IF EXISTS {REBUILT}")
            with op.batch_alter_table("item", naming_convention=NAMING) as batch_op:
                batch_op.drop_constraint(SQLITE_NAME, type_="unique")
        else:
            op.drop_constraint(constraint["name"], "item", type_="unique")


def downgrade() -> None:
    """Downgrade schema (fails where two items of a source share an address: history twins
    that moved since the upgrade)."""
    with op.batch_alter_table("item") as batch_op:
        batch_op.create_unique_constraint("uq_item_source_id_url", COLUMNS)
