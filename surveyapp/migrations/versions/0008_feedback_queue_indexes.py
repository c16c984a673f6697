"""feedback queue indexes and pending comments

The triage queue counts a round's items by status and question, and reads one page of them
run by run in id order; these two indexes let the database do both without sorting or
reading the whole round. A response's `comments_pending` says its comments may not be
feedback items yet, so that "not in this list yet" reads only those responses: true for
every response made before (bringing comments in clears it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never copy this table on SQLite: answers, feedback items and mail refer to it.
    with op.batch_alter_table("responses", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("comments_pending", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_index("ix_responses_comments_pending", "responses", ["round_id", "comments_pending"])
    op.create_index(
        "ix_feedback_items_queue",
        "feedback_items",
        ["round_id", "question_id", "status", "id"],
    )
    op.create_index(
        "ix_feedback_items_question_order", "feedback_items", ["round_id", "question_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_feedback_items_question_order", table_name="feedback_items")
    op.drop_index("ix_feedback_items_queue", table_name="feedback_items")
    op.drop_index("ix_responses_comments_pending", table_name="responses")
    # Not a batch copy on SQLite: dropping the old responses table would cascade to their
    # answers and feedback items. SQLite (3.35 and newer) drops a column in place.
    op.drop_column("responses", "comments_pending")
