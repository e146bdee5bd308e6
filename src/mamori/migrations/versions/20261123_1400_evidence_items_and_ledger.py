"""evidence: items and the append-only, hash-chained ledger

Revision ID: 20261123_1400
Revises: 20261123_0001
Create Date: 2026-11-23 12:59:38.501489
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261123_1400"
down_revision: str | None = "20261123_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ledger_append_only() -> None:
    # The hash chain detects a change; these triggers refuse it in the first place.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER evidence_ledger_append_only BEFORE UPDATE OR DELETE ON evidence_ledger "
            "FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER evidence_ledger_no_{verb.lower()} BEFORE {verb} ON evidence_ledger "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table evidence_ledger: {verb} refused'); END"
            )


def upgrade() -> None:
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_type", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("captured_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("storage_path", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.String(length=32), nullable=True),
        sa.Column("profile_json", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("deleted_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["evidence_items.id"], name=op.f("fk_evidence_items_parent_id_evidence_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
    )
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_items_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_items_sha256"), ["sha256"], unique=False)

    op.create_table(
        "evidence_ledger",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("item_sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_evidence_ledger")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_evidence_ledger_entry_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_evidence_ledger_prev_hash")),
    )
    with op.batch_alter_table("evidence_ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_ledger_item_id"), ["item_id"], unique=False)
    _ledger_append_only()


def downgrade() -> None:
    op.drop_table("evidence_ledger")  # its triggers go with it
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_items_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_owner_id"))
    op.drop_table("evidence_items")
