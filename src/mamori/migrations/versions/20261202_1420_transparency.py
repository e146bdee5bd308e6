"""transparency: published transparency reports and their corrections (issue 13)

Revision ID: 20261202_1420
Revises: 20261202_1410
Create Date: 2026-12-02 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261202_1420"
down_revision: str | None = "20261202_1410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transparency_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("corrects", sa.String(length=32), nullable=True),
        sa.Column("published_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects"],
            ["transparency_reports.id"],
            name=op.f("fk_transparency_reports_corrects_transparency_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transparency_reports")),
        sa.UniqueConstraint("year", "edition", name="uq_transparency_reports_year_edition"),
    )
    op.create_index(op.f("ix_transparency_reports_year"), "transparency_reports", ["year"], unique=False)
    op.create_table(
        "transparency_self_evaluations",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text_ja", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("written_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("written_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_transparency_self_evaluations")),
    )


def downgrade() -> None:
    op.drop_table("transparency_self_evaluations")
    op.drop_index(op.f("ix_transparency_reports_year"), table_name="transparency_reports")
    op.drop_table("transparency_reports")
