"""operator: who runs this installation, as notices name them (names in ja and en, the contact for
notices, the public address requests are published at); one row, set by `mamori setup`

Revision ID: 20261202_1310
Revises: 20261202_1300
Create Date: 2026-12-02 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.core.db

revision: str = "20261202_1310"
down_revision: str | None = "20261202_1300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operator_profile",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("postal_address", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("contact_url", sa.String(length=500), nullable=True),
        sa.Column("public_url", sa.String(length=500), nullable=False),
        sa.Column("updated_at", mamori.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_operator_profile_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_profile")),
    )


def downgrade() -> None:
    op.drop_table("operator_profile")
