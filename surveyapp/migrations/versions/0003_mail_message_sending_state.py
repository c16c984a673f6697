"""mail message sending state

A message is claimed ('sending') by one send loop before it goes out, so two loops never
send it twice; claimed_at and the batch's started_at tell a running batch from a stalled one.
Alembic's autogenerate does not compare CHECK constraints: that part is written by hand.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('pending', 'sent', 'failed')"
NEW_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed')"


def upgrade() -> None:
    # Never copy mail_batches on SQLite: dropping the old copy would cascade to its messages.
    with op.batch_alter_table("mail_batches", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_mail_messages_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mail_messages_status"), NEW_STATUSES)


def downgrade() -> None:
    # A message caught mid-send may have been delivered: never offer it for sending again.
    op.execute(
        "UPDATE mail_messages SET status = 'sent', "
        "error = 'sending was interrupted; delivery unknown' WHERE status = 'sending'"
    )
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mail_messages_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mail_messages_status"), OLD_STATUSES)
        batch_op.drop_column("claimed_at")

    with op.batch_alter_table("mail_batches", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("started_at")
