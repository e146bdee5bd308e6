"""the legal clock counts what was delivered: when the requester was first told (delivered) and when
the decision reached them; one statutory period (no per-service periods); what a notice is about and
which earlier notice a skip relies on; the inquiry window on the case; the other ground of a removal
during an open inquiry window (Art. 3(2)(i))

Revision ID: 20261202_1300
Revises: 20261202_1200
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261202_1300"
down_revision: str | None = "20261202_1200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTING = "('requester_decision', 'requester_interim')"


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("requester_told_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("decision_told_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("inquiry_window_ends_at", mamori.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("inquiry_state", sa.String(length=12), nullable=True))
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("relies_on", sa.String(length=32), nullable=True))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("liability_ground", sa.Text(), nullable=True))
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_services_period_within_law"), type_="check")
        batch_op.drop_column("decision_period_days")
    op.execute(
        "UPDATE cases SET inquiry_state = (SELECT i.status FROM inquiries i WHERE i.case_id = cases.id "
        "ORDER BY i.created_at DESC LIMIT 1), inquiry_window_ends_at = (SELECT i.ends_at FROM inquiries i "
        "WHERE i.case_id = cases.id ORDER BY i.created_at DESC LIMIT 1)"
    )
    # what was delivered before this change
    op.execute(
        "UPDATE cases SET requester_told_at = (SELECT MIN(n.sent_at) FROM notices n WHERE n.case_id = cases.id "
        f"AND n.recipient = 'requester' AND n.status = 'sent' AND n.kind IN {COUNTING})"
    )
    op.execute(
        "UPDATE cases SET decision_told_at = (SELECT MIN(n.sent_at) FROM notices n WHERE n.case_id = cases.id "
        "AND n.recipient = 'requester' AND n.status = 'sent' AND n.kind = 'requester_decision')"
    )


def downgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decision_period_days", sa.Integer(), nullable=False, server_default="7")
        )
        batch_op.create_check_constraint(
            op.f("ck_services_period_within_law"), "decision_period_days BETWEEN 1 AND 14"
        )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("liability_ground")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("relies_on")
        batch_op.drop_column("ref")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("inquiry_state")
        batch_op.drop_column("inquiry_window_ends_at")
        batch_op.drop_column("decision_told_at")
        batch_op.drop_column("requester_told_at")
