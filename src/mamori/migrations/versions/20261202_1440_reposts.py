"""reposts: repost fingerprint banks, matches and pile-ons (issue 17)

Revision ID: 20261202_1440
Revises: 20261202_1430
Create Date: 2026-12-02 14:40:00
"""

from collections.abc import Sequence

revision: str = "20261202_1440"
down_revision: str | None = "20261202_1430"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
