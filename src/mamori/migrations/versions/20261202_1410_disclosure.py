"""disclosure: disclosure requests, court orders, hearings and packages (issue 12)

Revision ID: 20261202_1410
Revises: 20261202_1400
Create Date: 2026-12-02 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261202_1410"
down_revision: str | None = "20261202_1400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_peers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_peers")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_disclosure_peers_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_disclosure_peers_name")),
    )
    op.create_table(
        "disclosure_providers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("api_url", sa.String(length=500), nullable=False),
        sa.Column("key_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_providers")),
        sa.UniqueConstraint("name", name=op.f("uq_disclosure_providers_name")),
    )
    op.create_table(
        "disclosure_matters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("court", sa.String(length=200), nullable=False),
        sa.Column("case_number", sa.String(length=100), nullable=False),
        sa.Column("served_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("details_sealed", sa.Text(), nullable=False),
        sa.Column("items", sa.String(length=300), nullable=False),
        sa.Column("withheld", sa.String(length=300), nullable=False),
        sa.Column("related_id", sa.String(length=32), nullable=True),
        sa.Column("provider_id", sa.String(length=32), nullable=True),
        sa.Column("hold_id", sa.String(length=64), nullable=True),
        sa.Column("poster_notice_id", sa.String(length=32), nullable=True),
        sa.Column("name_told_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("filing_notified_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handed_over_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handover_answer", sa.String(length=20), nullable=True),
        sa.Column("suit_filed_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("suit_result", sa.String(length=20), nullable=True),
        sa.Column("granted", sa.String(length=10), nullable=True),
        sa.Column("closed_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["disclosure_providers.id"],
            name=op.f("fk_disclosure_matters_provider_id_disclosure_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["disclosure_matters.id"],
            name=op.f("fk_disclosure_matters_related_id_disclosure_matters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_matters")),
        sa.UniqueConstraint("number", name=op.f("uq_disclosure_matters_number")),
    )
    op.create_index(op.f("ix_disclosure_matters_kind"), "disclosure_matters", ["kind"], unique=False)
    op.create_index(op.f("ix_disclosure_matters_status"), "disclosure_matters", ["status"], unique=False)
    op.create_table(
        "disclosure_provider_ranges",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("network", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["disclosure_providers.id"],
            name=op.f("fk_disclosure_provider_ranges_provider_id_disclosure_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_provider_ranges")),
        sa.UniqueConstraint("network", name=op.f("uq_disclosure_provider_ranges_network")),
    )
    op.create_index(
        op.f("ix_disclosure_provider_ranges_provider_id"),
        "disclosure_provider_ranges",
        ["provider_id"],
        unique=False,
    )
    op.create_table(
        "disclosure_hearings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("matter_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("received_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("reason_sealed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["disclosure_matters.id"],
            name=op.f("fk_disclosure_hearings_matter_id_disclosure_matters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_hearings")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_disclosure_hearings_key_hash")),
    )
    op.create_index(
        op.f("ix_disclosure_hearings_matter_id"), "disclosure_hearings", ["matter_id"], unique=False
    )
    op.create_index(op.f("ix_disclosure_hearings_status"), "disclosure_hearings", ["status"], unique=False)
    op.create_table(
        "disclosure_productions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("matter_id", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("items", sa.String(length=300), nullable=False),
        sa.Column("produced_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("produced_by", sa.String(length=200), nullable=False),
        sa.Column("repeat_of", sa.String(length=32), nullable=True),
        sa.Column("repeat_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["disclosure_matters.id"],
            name=op.f("fk_disclosure_productions_matter_id_disclosure_matters"),
        ),
        sa.ForeignKeyConstraint(
            ["repeat_of"],
            ["disclosure_productions.id"],
            name=op.f("fk_disclosure_productions_repeat_of_disclosure_productions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_productions")),
    )
    op.create_index(
        op.f("ix_disclosure_productions_matter_id"), "disclosure_productions", ["matter_id"], unique=False
    )
    op.create_table(
        "disclosure_steps",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("matter_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["disclosure_matters.id"],
            name=op.f("fk_disclosure_steps_matter_id_disclosure_matters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_steps")),
    )
    op.create_index(op.f("ix_disclosure_steps_matter_id"), "disclosure_steps", ["matter_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_disclosure_steps_matter_id"), table_name="disclosure_steps")
    op.drop_table("disclosure_steps")
    op.drop_index(op.f("ix_disclosure_productions_matter_id"), table_name="disclosure_productions")
    op.drop_table("disclosure_productions")
    op.drop_index(op.f("ix_disclosure_hearings_status"), table_name="disclosure_hearings")
    op.drop_index(op.f("ix_disclosure_hearings_matter_id"), table_name="disclosure_hearings")
    op.drop_table("disclosure_hearings")
    op.drop_index(op.f("ix_disclosure_provider_ranges_provider_id"), table_name="disclosure_provider_ranges")
    op.drop_table("disclosure_provider_ranges")
    op.drop_index(op.f("ix_disclosure_matters_status"), table_name="disclosure_matters")
    op.drop_index(op.f("ix_disclosure_matters_kind"), table_name="disclosure_matters")
    op.drop_table("disclosure_matters")
    op.drop_table("disclosure_providers")
    op.drop_table("disclosure_peers")
