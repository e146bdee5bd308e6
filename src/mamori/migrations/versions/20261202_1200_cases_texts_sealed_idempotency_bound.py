"""cases: the content and the reason sealed at rest like the requester's details; the idempotency key
kept as a keyed hash and bound to a keyed hash of the submission it first answered

Revision ID: 20261202_1200
Revises: 20261202_1100
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_1200"
down_revision: str | None = "20261202_1100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sealer():  # type: ignore[no-untyped-def]
    from mamori.core.config import Settings
    from mamori.core.crypto import Sealer

    return Sealer(Settings().secret_key)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_text_sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reason_sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("idempotency_body", sa.String(64), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, content_text, reason FROM cases")).all()
    if rows:  # existing cases are sealed in place with MAMORI_SECRET_KEY (the key the service uses)
        sealer = _sealer()
        for case_id, content_text, reason in rows:
            bind.execute(
                sa.text("UPDATE cases SET content_text_sealed = :c, reason_sealed = :r WHERE id = :id"),
                {
                    "c": sealer.seal(content_text, bound_to=f"case:{case_id}:content_text"),
                    "r": sealer.seal(reason, bound_to=f"case:{case_id}:reason"),
                    "id": case_id,
                },
            )
    # keys given before this were kept in clear; they cannot be bound to their body now, so they go
    bind.execute(sa.text("UPDATE cases SET idempotency_key = NULL"))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("content_text_sealed", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("reason_sealed", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("content_text")
        batch_op.drop_column("reason")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, content_text_sealed, reason_sealed FROM cases")).all()
    if rows:
        sealer = _sealer()
        for case_id, content_sealed, reason_sealed in rows:
            bind.execute(
                sa.text("UPDATE cases SET content_text = :c, reason = :r WHERE id = :id"),
                {
                    "c": sealer.open(content_sealed, bound_to=f"case:{case_id}:content_text"),
                    "r": sealer.open(reason_sealed, bound_to=f"case:{case_id}:reason"),
                    "id": case_id,
                },
            )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("content_text", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("reason", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("content_text_sealed")
        batch_op.drop_column("reason_sealed")
        batch_op.drop_column("idempotency_body")
