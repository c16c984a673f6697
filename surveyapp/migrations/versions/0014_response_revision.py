"""response revision

A counter on each response that every change of its row (and so of its answers, which are
only written together with it) moves on by one. A page save reads the answers with the
link, before its write transaction, and writes only if the revision is still the one it
read; otherwise it locks the row and reads them again. Existing responses start at 0.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never copy this table on SQLite: answers, feedback items and mail refer to it.
    with op.batch_alter_table("responses", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    # Not a batch copy on SQLite: dropping the old responses table would cascade to their
    # answers and feedback items. SQLite (3.35 and newer) drops a column in place.
    op.drop_column("responses", "revision")
