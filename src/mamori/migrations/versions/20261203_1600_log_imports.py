"""large poster-log files imported by a worker, not inside the request (issue 15)

Revision ID: 20261203_1600
Revises: 20261203_1510
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261203_1600"
down_revision: str | None = "20261203_1510"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "logs_import",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("upload", sa.LargeBinary(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error_field", sa.String(length=300), nullable=True),
        sa.Column("error_ja", sa.Text(), nullable=True),
        sa.Column("error_en", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["key_id"], ["logs_data_key.id"], name=op.f("fk_logs_import_key_id_logs_data_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logs_import")),
    )
    op.create_index(op.f("ix_logs_import_status"), "logs_import", ["status"], unique=False)
    op.create_index(op.f("ix_logs_import_requested_by"), "logs_import", ["requested_by"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_logs_import_requested_by"), table_name="logs_import")
    op.drop_index(op.f("ix_logs_import_status"), table_name="logs_import")
    op.drop_table("logs_import")
