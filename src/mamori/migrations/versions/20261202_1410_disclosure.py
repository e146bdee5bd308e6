"""disclosure: disclosure requests, court orders, hearings and packages (issue 12)

Revision ID: 20261202_1410
Revises: 20261202_1400
Create Date: 2026-12-02 14:10:00
"""

from collections.abc import Sequence

revision: str = "20261202_1410"
down_revision: str | None = "20261202_1400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
