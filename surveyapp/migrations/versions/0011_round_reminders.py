"""round reminders

Reminder dates of a round, sent by `surveyapp mail due` (a row-level claim per date), and
the scheduled date a reminder batch sends, unique per round so that no date is sent twice.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never recreated (SQLite would drop the table, and with it every message, by cascade):
    # a column added in place, and a unique index rather than a constraint.
    with op.batch_alter_table("mail_batches", recreate="never") as batch:
        batch.add_column(sa.Column("reminder_on", sa.Date(), nullable=True))
    op.create_index(
        "uq_mail_batches_round_id_reminder_on",
        "mail_batches",
        ["round_id", "reminder_on"],
        unique=True,
    )
    op.create_table(
        "round_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["mail_batches.id"],
            name=op.f("fk_round_reminders_batch_id_mail_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_reminders_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_reminders")),
        sa.UniqueConstraint("round_id", "due_on", name=op.f("uq_round_reminders_round_id_due_on")),
    )


def downgrade() -> None:
    op.drop_table("round_reminders")
    op.drop_index("uq_mail_batches_round_id_reminder_on", table_name="mail_batches")
    with op.batch_alter_table("mail_batches", recreate="never") as batch:
        batch.drop_column("reminder_on")
