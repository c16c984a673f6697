"""anonymous invitations and session stamps

An anonymous round's response no longer points at its invitation: the invitation keeps only
when it was started and submitted (for reminders), and the response is reached through a
private token of its own. Responses of anonymous rounds made before this revision are cut
loose from their invitations here, each with a new private token.

A session no longer carries part of the password hash: each account has a random stamp,
drawn again whenever its password changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never copy these tables on SQLite: responses, mail messages and the audit log refer
    # to them.
    with op.batch_alter_table("invitations", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("session_stamp", sa.String(32), server_default="", nullable=False)
        )
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.text("SELECT id FROM users")).all():
        connection.execute(
            sa.text("UPDATE users SET session_stamp = :stamp WHERE id = :id"),
            {"stamp": secrets.token_hex(16), "id": user_id},
        )
    _detach_anonymous_responses(connection)


def _detach_anonymous_responses(connection: sa.Connection) -> None:
    """Mark the invitation started/submitted, give the response a private token, and drop
    the response's link to its invitation.

    The invitation keeps the round's opening time, as new anonymous invitations do: a time
    of its own could be matched with the response's.
    """
    rows = connection.execute(
        sa.text(
            "SELECT responses.id, responses.invitation_id, responses.status, "
            "COALESCE(rounds.opened_at, rounds.created_at) FROM responses "
            "JOIN rounds ON rounds.id = responses.round_id "
            "WHERE rounds.is_anonymous AND responses.invitation_id IS NOT NULL"
        )
    ).all()
    for response_id, invitation_id, status, opened_at in rows:
        connection.execute(
            sa.text(
                "UPDATE invitations SET started_at = :started, submitted_at = :submitted "
                "WHERE id = :id"
            ),
            {
                "started": opened_at,
                "submitted": opened_at if status == "submitted" else None,
                "id": invitation_id,
            },
        )
        connection.execute(
            sa.text(
                "UPDATE responses SET invitation_id = NULL, "
                "token = COALESCE(token, :token) WHERE id = :id"
            ),
            {"token": secrets.token_urlsafe(24), "id": response_id},
        )


def downgrade() -> None:
    # Detached anonymous responses stay detached: that link is not to be made again.
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("session_stamp")
    with op.batch_alter_table("invitations", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("started_at")
