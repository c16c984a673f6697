"""data protection: when retention deleted a round's personal data

Retention (`surveyapp retention apply`) deletes a closed round's invitations, links and mail
records and keeps its submitted answers without a link to anyone; this column says when, so
the round is not purged twice and the workspace can tell coordinators.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never copy rounds on SQLite: dropping the old copy would cascade to every answer.
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("personal_data_purged_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("personal_data_purged_at")
