"""transparency: published transparency reports and their corrections (issue 13)

Revision ID: 20261202_1420
Revises: 20261202_1410
Create Date: 2026-12-02 14:20:00
"""

from collections.abc import Sequence

revision: str = "20261202_1420"
down_revision: str | None = "20261202_1410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
