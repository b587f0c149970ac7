"""national checks: page links, link checks, site probes

New tables only: ``page_links`` (what each crawled page links to and its CSS-hidden anchors,
as its latest crawl saw it), ``link_check`` (one check of a URL per day) and ``site_probe``
(probes of sites' 首页).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "page_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("hidden", sa.JSON(), nullable=False),
        sa.UniqueConstraint("source_id", "page_url"),
    )
    op.create_table(
        "link_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=True),
        sa.UniqueConstraint("url", "checked_on"),
    )
    op.create_table(
        "site_probe",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=False),
        sa.Column("probed_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_site_probe_source_at", "site_probe", ["source_id", "probed_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_site_probe_source_at", table_name="site_probe")
    op.drop_table("site_probe")
    op.drop_table("link_check")
    op.drop_table("page_links")
