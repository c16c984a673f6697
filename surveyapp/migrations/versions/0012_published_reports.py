"""published reports

Published versions of "you said, we did" (frozen, public) and the editors' notes in the
survey's other languages.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=254), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_published_reports_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_reports")),
        sa.UniqueConstraint(
            "round_id", "version", name=op.f("uq_published_reports_round_id_version")
        ),
    )
    op.create_index(
        op.f("ix_published_reports_round_id"), "published_reports", ["round_id"], unique=False
    )
    with op.batch_alter_table("feedback_items", schema=None, recreate="never") as batch:
        batch.add_column(
            sa.Column("note_translations", sa.JSON(), server_default="{}", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_items", schema=None, recreate="never") as batch:
        batch.drop_column("note_translations")
    op.drop_index(op.f("ix_published_reports_round_id"), table_name="published_reports")
    op.drop_table("published_reports")
