"""awareness: the prompt's counts, lecture requests and instructors (issue 18)

Revision ID: 20261202_1450
Revises: 20261202_1440
Create Date: 2026-12-02 14:50:00
"""

from collections.abc import Sequence

revision: str = "20261202_1450"
down_revision: str | None = "20261202_1440"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
