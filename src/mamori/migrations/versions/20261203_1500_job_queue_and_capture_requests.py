"""the job queue (procrastinate's schema, PostgreSQL only) and evidence captures run as jobs (issue 15)

Revision ID: 20261203_1500
Revises: 20261202_1450
Create Date: 2026-12-03 15:00:00

procrastinate's schema is the one of the version pinned in pyproject.toml (3.10). Moving to a newer
procrastinate means a new revision applying its SQL migrations (procrastinate/sql/migrations) in order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261203_1500"
down_revision: str | None = "20261202_1450"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def upgrade() -> None:
    op.create_table(
        "evidence_captures",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_type", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("item_id", sa.String(length=32), nullable=True),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error_ja", sa.Text(), nullable=True),
        sa.Column("error_en", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_items.id"], name=op.f("fk_evidence_captures_item_id_evidence_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_captures")),
    )
    op.create_index(op.f("ix_evidence_captures_owner_id"), "evidence_captures", ["owner_id"], unique=False)
    op.create_index(op.f("ix_evidence_captures_status"), "evidence_captures", ["status"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # the driver's own connection, in the same transaction: no parameters, so '%' and ':' stay as written
        driver = op.get_bind().connection.driver_connection
        assert driver is not None
        driver.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PROCRASTINATE_TABLES:
            op.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
        op.execute(
            sa.text(
                "DO $$ DECLARE r record; BEGIN FOR r IN SELECT oid::regprocedure AS sig FROM pg_proc "
                "WHERE proname LIKE 'procrastinate%' LOOP EXECUTE 'DROP FUNCTION ' || r.sig || ' CASCADE'; "
                "END LOOP; END $$"
            )
        )
        for kind in (
            "procrastinate_job_to_defer_v1",
            "procrastinate_job_event_type",
            "procrastinate_job_status",
        ):
            op.execute(sa.text(f"DROP TYPE IF EXISTS {kind} CASCADE"))
    op.drop_index(op.f("ix_evidence_captures_status"), table_name="evidence_captures")
    op.drop_index(op.f("ix_evidence_captures_owner_id"), table_name="evidence_captures")
    op.drop_table("evidence_captures")
