"""drafting: requests sent to a platform's window, with their receipts

Revision ID: 20261123_1500
Revises: 20261123_1400
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261123_1500"
down_revision: str | None = "20261123_1400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drafting_submissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("service", sa.String(length=100), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("receipt_number", sa.String(length=64), nullable=False),
        sa.Column("received_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("follow_url", sa.Text(), nullable=False),
        sa.Column("submitted_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("owner_type", sa.String(length=20), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("status_checked_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafting_submissions")),
    )
    op.create_index(
        op.f("ix_drafting_submissions_owner_id"), "drafting_submissions", ["owner_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_drafting_submissions_owner_id"), table_name="drafting_submissions")
    op.drop_table("drafting_submissions")
