"""logs: poster logs and IP assignment logs, retention and holds (issue 12)

Revision ID: 20261202_1400
Revises: 20261202_1310
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

revision: str = "20261202_1400"
down_revision: str | None = "20261202_1310"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
