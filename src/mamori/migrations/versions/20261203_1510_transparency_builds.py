"""the yearly report's figures built by a worker, not inside a request (issue 15)

Revision ID: 20261203_1510
Revises: 20261203_1500
Create Date: 2026-12-03 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261203_1510"
down_revision: str | None = "20261203_1500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transparency_builds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("figures", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transparency_builds")),
    )
    op.create_index(op.f("ix_transparency_builds_year"), "transparency_builds", ["year"], unique=False)
    op.create_index(op.f("ix_transparency_builds_status"), "transparency_builds", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_transparency_builds_status"), table_name="transparency_builds")
    op.drop_index(op.f("ix_transparency_builds_year"), table_name="transparency_builds")
    op.drop_table("transparency_builds")
