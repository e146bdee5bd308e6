"""reposts: repost fingerprint banks, matches and pile-ons (issue 17)

Revision ID: 20261202_1440
Revises: 20261202_1430
Create Date: 2026-12-02 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261202_1440"
down_revision: str | None = "20261202_1430"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "repost_fingerprints",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("decision_id", sa.String(length=32), nullable=True),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("criteria_version", sa.String(length=40), nullable=True),
        sa.Column("clause_code", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("bank_version", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_repost_fingerprints_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_repost_fingerprints_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repost_fingerprints")),
    )
    op.create_index(
        op.f("ix_repost_fingerprints_decision_id"), "repost_fingerprints", ["decision_id"], unique=False
    )
    op.create_index(op.f("ix_repost_fingerprints_pdq"), "repost_fingerprints", ["pdq"], unique=False)
    op.create_table(
        "repost_band_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fingerprint_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fingerprint_id"],
            ["repost_fingerprints.id"],
            name=op.f("fk_repost_band_keys_fingerprint_id_repost_fingerprints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repost_band_keys")),
    )
    op.create_index(
        op.f("ix_repost_band_keys_fingerprint_id"), "repost_band_keys", ["fingerprint_id"], unique=False
    )
    op.create_index(op.f("ix_repost_band_keys_key"), "repost_band_keys", ["key"], unique=False)
    op.create_table(
        "repost_matches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("fingerprint_id", sa.String(length=32), nullable=False),
        sa.Column("post_ref", sa.String(length=500), nullable=False),
        sa.Column("post_url", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("post_text_sealed", sa.Text(), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("found_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("clause_code", sa.String(length=20), nullable=True),
        sa.Column("criteria_version", sa.String(length=40), nullable=True),
        sa.Column("notice_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["fingerprint_id"],
            ["repost_fingerprints.id"],
            name=op.f("fk_repost_matches_fingerprint_id_repost_fingerprints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repost_matches")),
    )
    op.create_index(
        op.f("ix_repost_matches_fingerprint_id"), "repost_matches", ["fingerprint_id"], unique=False
    )
    op.create_index("ix_repost_matches_post", "repost_matches", ["fingerprint_id", "post_ref"], unique=True)
    op.create_index(op.f("ix_repost_matches_status"), "repost_matches", ["status"], unique=False)
    op.create_table(
        "pileon_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("post_ref", sa.String(length=500), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("abusive", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pileon_replies")),
        sa.UniqueConstraint("post_ref", name=op.f("uq_pileon_replies_post_ref")),
    )
    op.create_index("ix_pileon_replies_target_at", "pileon_replies", ["target", "at"], unique=False)
    op.create_table(
        "pileons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("started_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("peak_count", sa.Integer(), nullable=False),
        sa.Column("baseline_per_window", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("detected_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("measures_by", sa.String(length=200), nullable=True),
        sa.Column("measures_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pileons")),
    )
    op.create_index(op.f("ix_pileons_status"), "pileons", ["status"], unique=False)
    op.create_index(op.f("ix_pileons_target"), "pileons", ["target"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pileons_target"), table_name="pileons")
    op.drop_index(op.f("ix_pileons_status"), table_name="pileons")
    op.drop_table("pileons")
    op.drop_index("ix_pileon_replies_target_at", table_name="pileon_replies")
    op.drop_table("pileon_replies")
    op.drop_index(op.f("ix_repost_matches_status"), table_name="repost_matches")
    op.drop_index("ix_repost_matches_post", table_name="repost_matches")
    op.drop_index(op.f("ix_repost_matches_fingerprint_id"), table_name="repost_matches")
    op.drop_table("repost_matches")
    op.drop_index(op.f("ix_repost_band_keys_key"), table_name="repost_band_keys")
    op.drop_index(op.f("ix_repost_band_keys_fingerprint_id"), table_name="repost_band_keys")
    op.drop_table("repost_band_keys")
    op.drop_index(op.f("ix_repost_fingerprints_pdq"), table_name="repost_fingerprints")
    op.drop_index(op.f("ix_repost_fingerprints_decision_id"), table_name="repost_fingerprints")
    op.drop_table("repost_fingerprints")
