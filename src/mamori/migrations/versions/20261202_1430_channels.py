"""channels: trusted notifiers, the hotline desk and the liaison council (issue 14)

Revision ID: 20261202_1430
Revises: 20261202_1420
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

revision: str = "20261202_1430"
down_revision: str | None = "20261202_1420"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
