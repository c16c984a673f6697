"""peer reviews

The peer review of a procurement unit (docs/peer-review.md): reviews, their host and peer
organisations and members, assessments, agenda, notes, action proposals and follow-ups.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "peer_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("host_name", sa.String(length=200), nullable=False),
        sa.Column("host_language", sa.String(length=10), nullable=False),
        sa.Column("criteria_set_id", sa.String(length=100), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("evaluation_start", sa.Date(), nullable=False),
        sa.Column("evaluation_end", sa.Date(), nullable=False),
        sa.Column("previous_review_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["previous_review_id"],
            ["peer_reviews.id"],
            name=op.f("fk_peer_reviews_previous_review_id_peer_reviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_reviews")),
    )
    op.create_index(
        op.f("ix_peer_reviews_previous_review_id"),
        "peer_reviews",
        ["previous_review_id"],
        unique=False,
    )
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=100), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "priority IN ('high', 'medium', 'low')", name=op.f("ck_review_actions_priority")
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["review_actions.id"],
            name=op.f("fk_review_actions_carried_from_id_review_actions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["peer_reviews.id"],
            name=op.f("fk_review_actions_review_id_peer_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_actions")),
    )
    op.create_index(
        op.f("ix_review_actions_review_id"), "review_actions", ["review_id"], unique=False
    )
    op.create_table(
        "review_agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("interviewees", sa.Text(), nullable=False),
        sa.CheckConstraint("day IN (1, 2)", name=op.f("ck_review_agenda_items_day")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["peer_reviews.id"],
            name=op.f("fk_review_agenda_items_review_id_peer_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_agenda_items")),
        sa.UniqueConstraint(
            "review_id", "criterion_id", name=op.f("uq_review_agenda_items_review_id_criterion_id")
        ),
    )
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("final_level", sa.Integer(), nullable=True),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("development_areas", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["peer_reviews.id"],
            name=op.f("fk_review_notes_review_id_peer_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_notes")),
        sa.UniqueConstraint(
            "review_id", "criterion_id", name=op.f("uq_review_notes_review_id_criterion_id")
        ),
    )
    op.create_table(
        "review_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.CheckConstraint("role IN ('host', 'peer')", name=op.f("ck_review_parties_role")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["peer_reviews.id"],
            name=op.f("fk_review_parties_review_id_peer_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_parties")),
        sa.UniqueConstraint("review_id", "name", name=op.f("uq_review_parties_review_id_name")),
    )
    op.create_table(
        "review_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["review_parties.id"],
            name=op.f("fk_review_members_party_id_review_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_members")),
        sa.UniqueConstraint("token", name=op.f("uq_review_members_token")),
    )
    op.create_index(
        op.f("ix_review_members_party_id"), "review_members", ["party_id"], unique=False
    )
    op.create_table(
        "review_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("key_people", sa.Text(), nullable=False),
        sa.Column("observations", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["review_parties.id"],
            name=op.f("fk_review_assessments_party_id_review_parties"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["review_members.id"],
            name=op.f("fk_review_assessments_updated_by_review_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assessments")),
        sa.UniqueConstraint(
            "party_id", "criterion_id", name=op.f("uq_review_assessments_party_id_criterion_id")
        ),
    )
    op.create_table(
        "review_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('done', 'in_progress', 'not_started', 'dropped')",
            name=op.f("ck_review_follow_ups_status"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["review_actions.id"],
            name=op.f("fk_review_follow_ups_action_id_review_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["peer_reviews.id"],
            name=op.f("fk_review_follow_ups_review_id_peer_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["review_members.id"],
            name=op.f("fk_review_follow_ups_updated_by_review_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_follow_ups")),
        sa.UniqueConstraint(
            "review_id", "action_id", name=op.f("uq_review_follow_ups_review_id_action_id")
        ),
    )
    op.create_index(
        op.f("ix_review_follow_ups_action_id"), "review_follow_ups", ["action_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_follow_ups_action_id"), table_name="review_follow_ups")
    op.drop_table("review_follow_ups")
    op.drop_table("review_assessments")
    op.drop_index(op.f("ix_review_members_party_id"), table_name="review_members")
    op.drop_table("review_members")
    op.drop_table("review_parties")
    op.drop_table("review_notes")
    op.drop_table("review_agenda_items")
    op.drop_index(op.f("ix_review_actions_review_id"), table_name="review_actions")
    op.drop_table("review_actions")
    op.drop_index(op.f("ix_peer_reviews_previous_review_id"), table_name="peer_reviews")
    op.drop_table("peer_reviews")
