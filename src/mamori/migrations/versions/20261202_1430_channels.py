"""channels: trusted notifiers, the hotline desk and the liaison council (issue 14)

Revision ID: 20261202_1430
Revises: 20261202_1420
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261202_1430"
down_revision: str | None = "20261202_1420"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "council_imports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("member", sa.String(length=200), nullable=False),
        sa.Column("member_kind", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("imported_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_imports")),
        sa.UniqueConstraint("member", "year", name="uq_council_imports_member_year"),
    )
    with op.batch_alter_table("council_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_council_imports_year"), ["year"], unique=False)

    op.create_table(
        "hotline_platforms",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("api_url", sa.String(length=500), nullable=False),
        sa.Column("api_key_sealed", sa.Text(), nullable=True),
        sa.Column("remote_service", sa.String(length=60), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_platforms")),
        sa.UniqueConstraint("slug", name=op.f("uq_hotline_platforms_slug")),
    )
    op.create_table(
        "channel_bodies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("machine_user_id", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["machine_user_id"], ["users.id"], name=op.f("fk_channel_bodies_machine_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_bodies")),
        sa.UniqueConstraint("slug", name=op.f("uq_channel_bodies_slug")),
    )
    op.create_table(
        "hotline_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("content_url", sa.Text(), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.String(length=32), nullable=True),
        sa.Column("harm", sa.String(length=30), nullable=False),
        sa.Column("content_text_sealed", sa.Text(), nullable=False),
        sa.Column("received_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("identifiable_person", sa.Boolean(), nullable=True),
        sa.Column("no_public_interest", sa.Boolean(), nullable=True),
        sa.Column("beyond_tolerable", sa.Boolean(), nullable=True),
        sa.Column("qualifies", sa.Boolean(), nullable=True),
        sa.Column("not_qualifying_reason", sa.String(length=40), nullable=True),
        sa.Column("assessment_note", sa.Text(), nullable=False),
        sa.Column("assessed_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("assessed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["hotline_platforms.id"],
            name=op.f("fk_hotline_reports_platform_id_hotline_platforms"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_reports")),
        sa.UniqueConstraint("number", name=op.f("uq_hotline_reports_number")),
    )
    with op.batch_alter_table("hotline_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotline_reports_content_key"), ["content_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_hotline_reports_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_hotline_reports_status"), ["status"], unique=False)

    op.create_table(
        "channel_keys",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=32), nullable=False),
        sa.Column("scopes", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("replaced_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_id"], ["channel_bodies.id"], name=op.f("fk_channel_keys_body_id_channel_bodies")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_channel_keys")),
    )
    with op.batch_alter_table("channel_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_keys_body_id"), ["body_id"], unique=False)

    op.create_table(
        "channel_members",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("body_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["channel_bodies.id"], name=op.f("fk_channel_members_body_id_channel_bodies")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_channel_members_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_channel_members")),
    )
    with op.batch_alter_table("channel_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_members_body_id"), ["body_id"], unique=False)

    op.create_table(
        "channel_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("body_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("received_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("last_duplicate_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["channel_bodies.id"], name=op.f("fk_channel_requests_body_id_channel_bodies")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_channel_requests_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_requests")),
    )
    with op.batch_alter_table("channel_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_requests_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_channel_requests_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_channel_requests_content_key"), ["content_key"], unique=False)

    op.create_table(
        "hotline_notices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("platform_id", sa.String(length=32), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("sent_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=True),
        sa.Column("remote_receipt", sa.String(length=40), nullable=True),
        sa.Column("remote_stage", sa.String(length=30), nullable=True),
        sa.Column("outbox_notice_id", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("answered_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("follow_up_due_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_checked_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["hotline_platforms.id"],
            name=op.f("fk_hotline_notices_platform_id_hotline_platforms"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["hotline_reports.id"], name=op.f("fk_hotline_notices_report_id_hotline_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_notices")),
    )
    with op.batch_alter_table("hotline_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hotline_notices_follow_up_due_at"), ["follow_up_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hotline_notices_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hotline_notices_report_id"), ["report_id"], unique=False)

    op.create_table(
        "hotline_reporters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("filer", sa.String(length=10), nullable=False),
        sa.Column("relation", sa.String(length=100), nullable=False),
        sa.Column("contact_sealed", sa.Text(), nullable=False),
        sa.Column("reporter_key", sa.String(length=64), nullable=False),
        sa.Column("child", sa.Boolean(), nullable=False),
        sa.Column("child_age_band", sa.String(length=10), nullable=True),
        sa.Column("child_consent", sa.Boolean(), nullable=True),
        sa.Column("received_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["hotline_reports.id"], name=op.f("fk_hotline_reporters_report_id_hotline_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_reporters")),
    )
    with op.batch_alter_table("hotline_reporters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotline_reporters_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_hotline_reporters_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hotline_reporters_reporter_key"), ["reporter_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hotline_reporters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotline_reporters_reporter_key"))
        batch_op.drop_index(batch_op.f("ix_hotline_reporters_report_id"))
        batch_op.drop_index(batch_op.f("ix_hotline_reporters_received_at"))

    op.drop_table("hotline_reporters")
    with op.batch_alter_table("hotline_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotline_notices_report_id"))
        batch_op.drop_index(batch_op.f("ix_hotline_notices_platform_id"))
        batch_op.drop_index(batch_op.f("ix_hotline_notices_follow_up_due_at"))

    op.drop_table("hotline_notices")
    with op.batch_alter_table("channel_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_requests_content_key"))
        batch_op.drop_index(batch_op.f("ix_channel_requests_case_id"))
        batch_op.drop_index(batch_op.f("ix_channel_requests_body_id"))

    op.drop_table("channel_requests")
    with op.batch_alter_table("channel_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_members_body_id"))

    op.drop_table("channel_members")
    with op.batch_alter_table("channel_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_keys_body_id"))

    op.drop_table("channel_keys")
    with op.batch_alter_table("hotline_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotline_reports_status"))
        batch_op.drop_index(batch_op.f("ix_hotline_reports_received_at"))
        batch_op.drop_index(batch_op.f("ix_hotline_reports_content_key"))

    op.drop_table("hotline_reports")
    op.drop_table("channel_bodies")
    op.drop_table("hotline_platforms")
    with op.batch_alter_table("council_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_imports_year"))

    op.drop_table("council_imports")
