"""entry provenance: where an imported manual entry came from, in columns of its own

``manual_entry.source_file`` / ``source_row`` / ``source_checksum``: the file name, sheet row
and sha256 of the file an entry was imported from (all NULL for an entry typed in the web
app). They replace the tag ``〔导入：文件名 第3行 校验0123456789ab〕`` that imports used to append
to the note, which re-imports found again with LIKE and a regular expression — so a note that
itself quoted such a tag broke the replacement.

Upgrade moves each existing tag into the columns and strips it from the note (the tag was
always appended last, so the last well-formed one is the import's own; a quoted tag earlier
in the note stays as the user's text). Downgrade appends the tags again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "〔导入："
_TAG = re.compile(r"〔导入：(?P<file>.+) 第(?P<row>\d+)行 校验(?P<sum>[0-9a-f]{12})〕")

entry = sa.table(
    "manual_entry",
    sa.column("id", sa.Integer),
    sa.column("note", sa.Text),
    sa.column("source_file", sa.Text),
    sa.column("source_row", sa.Integer),
    sa.column("source_checksum", sa.String),
)


def split_legacy_tag(note: str) -> tuple[str, str, int, str] | None:
    """(note without the tag, file, row, checksum prefix) of a note ending in an import tag.

    Tried from the last ``〔导入：`` backwards: the import appended its tag after whatever the
    user wrote, so the last one that runs to the end of the note is the real one.
    """
    at = len(note)
    while (at := note.rfind(_OPEN, 0, at)) >= 0:
        match = _TAG.fullmatch(note, at)
        if match:
            return note[:at].rstrip(), match["file"], int(match["row"]), match["sum"]
    return None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("manual_entry") as batch_op:
        batch_op.add_column(sa.Column("source_file", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("source_row", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_checksum", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(entry.c.id, entry.c.note)
                        .where(entry.c.note.like(f"%{_OPEN}%"))).all()
    for entry_id, note in rows:
        found = split_legacy_tag(note)
        if found is None:
            continue
        text, file, row, checksum = found
        bind.execute(entry.update().where(entry.c.id == entry_id).values(
            note=text, source_file=file, source_row=row, source_checksum=checksum))


def downgrade() -> None:
    """Downgrade schema."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(entry.c.id, entry.c.note, entry.c.source_file,
                                  entry.c.source_row, entry.c.source_checksum)
                        .where(entry.c.source_file.is_not(None))).all()
    for entry_id, note, file, row, checksum in rows:
        tag = f"{_OPEN}{file} 第{row or 0}行 校验{(checksum or '')[:12]}〕"
        bind.execute(entry.update().where(entry.c.id == entry_id)
                     .values(note=f"{note or ''} {tag}"))
    with op.batch_alter_table("manual_entry") as batch_op:
        batch_op.drop_column("source_checksum")
        batch_op.drop_column("source_row")
        batch_op.drop_column("source_file")
