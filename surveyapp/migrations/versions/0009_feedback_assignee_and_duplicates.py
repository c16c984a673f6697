"""feedback assignee and duplicates: who is to deal with a comment, and which it repeats

Triage can give a feedback item to an editor or coordinator, and mark it a duplicate of
another item of the same round. Both links are emptied when their account or item goes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite adds a foreign key only by copying the table: feedback_items may be copied, as no
    # other table refers to it (unlike users or rounds, which the earlier revisions never copy).
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_items_assignee_id_users"),
            "users",
            ["assignee_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_items_duplicate_of_id_feedback_items"),
            "feedback_items",
            ["duplicate_of_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_feedback_items_duplicate_of_id_feedback_items"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_feedback_items_assignee_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("assignee_id")
