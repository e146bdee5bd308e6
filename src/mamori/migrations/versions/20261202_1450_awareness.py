"""awareness: the prompt's counts, lecture requests and instructors (issue 18)

Revision ID: 20261202_1450
Revises: 20261202_1440
Create Date: 2026-12-02 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261202_1450"
down_revision: str | None = "20261202_1440"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "awareness_prompt_counts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awareness_prompt_counts")),
        sa.UniqueConstraint("day", "site", "kind", name=op.f("uq_awareness_prompt_counts_day")),
    )
    op.create_index(op.f("ix_awareness_prompt_counts_day"), "awareness_prompt_counts", ["day"], unique=False)
    op.create_table(
        "awareness_instructors",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("prefecture", sa.String(length=2), nullable=False),
        sa.Column("topics", sa.String(length=200), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_awareness_instructors_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awareness_instructors")),
        sa.UniqueConstraint("user_id", name=op.f("uq_awareness_instructors_user_id")),
    )
    op.create_table(
        "awareness_lecture_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("prefecture", sa.String(length=2), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("audience_size", sa.Integer(), nullable=False),
        sa.Column("topics", sa.String(length=200), nullable=False),
        sa.Column("date_options", sa.String(length=40), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("instructor_id", sa.String(length=32), nullable=True),
        sa.Column("lecture_date", sa.Date(), nullable=True),
        sa.Column("matched_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("matched_by", sa.String(length=64), nullable=True),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("reported_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["awareness_instructors.id"],
            name=op.f("fk_awareness_lecture_requests_instructor_id_awareness_instructors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awareness_lecture_requests")),
    )
    op.create_index(
        op.f("ix_awareness_lecture_requests_created_at"),
        "awareness_lecture_requests",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_awareness_lecture_requests_status"), "awareness_lecture_requests", ["status"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_awareness_lecture_requests_status"), table_name="awareness_lecture_requests")
    op.drop_index(op.f("ix_awareness_lecture_requests_created_at"), table_name="awareness_lecture_requests")
    op.drop_table("awareness_lecture_requests")
    op.drop_table("awareness_instructors")
    op.drop_index(op.f("ix_awareness_prompt_counts_day"), table_name="awareness_prompt_counts")
    op.drop_table("awareness_prompt_counts")
