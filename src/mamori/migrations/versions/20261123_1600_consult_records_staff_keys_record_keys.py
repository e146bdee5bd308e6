"""consult: counsellors' records (sealed content), staff key pairs, per-reader record keys

Revision ID: 20261123_1600
Revises: 20261123_1500
Create Date: 2026-11-23 13:02:07.494243
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261123_1600"
down_revision: str | None = "20261123_1500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consult_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("categories", sa.String(length=300), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        sa.Column("referral_body", sa.String(length=60), nullable=True),
        sa.Column("referral_consent_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("referral_by", sa.String(length=200), nullable=True),
        sa.Column("follow_up_count", sa.Integer(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("erased_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("erase_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consult_records")),
    )
    with op.batch_alter_table("consult_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consult_records_opened_at"), ["opened_at"], unique=False)
    op.create_table(
        "consult_record_keys",
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("granted_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["consult_records.id"],
            name=op.f("fk_consult_record_keys_record_id_consult_records"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_consult_record_keys_user_id_users")),
        sa.PrimaryKeyConstraint("record_id", "user_id", name=op.f("pk_consult_record_keys")),
    )
    op.create_table(
        "consult_staff_keys",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_consult_staff_keys_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_consult_staff_keys")),
    )


def downgrade() -> None:
    op.drop_table("consult_staff_keys")
    op.drop_table("consult_record_keys")
    with op.batch_alter_table("consult_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consult_records_opened_at"))
    op.drop_table("consult_records")
