"""the evidence kit's server captures run by a worker, their ZIP kept until it expires (issue 15)

Revision ID: 20261203_1700
Revises: 20261203_1600
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261203_1700"
down_revision: str | None = "20261203_1600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_kit_captures",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("requested_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("file_name", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error_ja", sa.Text(), nullable=True),
        sa.Column("error_en", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_kit_captures")),
    )
    op.create_index(
        op.f("ix_evidence_kit_captures_expires_at"), "evidence_kit_captures", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_evidence_kit_captures_status"), "evidence_kit_captures", ["status"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_kit_captures_status"), table_name="evidence_kit_captures")
    op.drop_index(op.f("ix_evidence_kit_captures_expires_at"), table_name="evidence_kit_captures")
    op.drop_table("evidence_kit_captures")
