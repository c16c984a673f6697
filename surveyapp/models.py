"""The data model: rounds, participants, invitations, responses, answers, feedback, users."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, utcnow

ROUND_STATUSES = ("draft", "open", "closed")
RESPONSE_STATUSES = ("draft", "submitted")
FEEDBACK_STATUSES = ("new", "accepted", "partly_accepted", "rejected", "duplicate", "done")
ROLES = ("coordinator", "editor")
# 'sending' is claimed by one send loop: a message in it is never sent again (see services.mail).
MAIL_STATUSES = ("pending", "sending", "sent", "failed")


class User(Base):
    """A coordinator or editor who logs in to the workspace."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('coordinator', 'editor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # Raised at every logout; a session holds the value it logged in with (see auth.access).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Random, drawn again with every new password; a session holds it (see auth.access).
    session_stamp: Mapped[str] = mapped_column(
        String(32), default=lambda: secrets.token_hex(16), server_default=""
    )


class Participant(Base):
    """A person who is invited to rounds; persists across rounds, keyed by email."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    group: Mapped[str] = mapped_column("group_name", String(100), default="", index=True)
    language: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Round(Base):
    """One survey opened for one manual revision, with a frozen copy of its definition."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
        Index("ix_rounds_survey_revision", "survey_id", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(100))
    revision: Mapped[str] = mapped_column(String(50))
    definition_yaml: Mapped[str] = mapped_column(Text)
    definition_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    opens_at: Mapped[dt.datetime | None]
    closes_at: Mapped[dt.datetime | None]
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    open_link_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # Set when retention deleted the round's links to people (services.privacy).
    personal_data_purged_at: Mapped[dt.datetime | None]

    invitations: Mapped[list[Invitation]] = relationship(back_populates="round")


class Invitation(Base):
    """A participant invited to a round, with the personal link's token."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # In an anonymous round these are all the invitation knows of its response (reminders);
    # the response does not point back at it.
    started_at: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime | None]

    round: Mapped[Round] = relationship(back_populates="invitations")
    participant: Mapped[Participant] = relationship()


class Response(Base):
    """One respondent's answers to a round: a draft until submitted, editable until closing."""

    __tablename__ = "responses"
    __table_args__ = (
        # One response per invitation: double clicks and two tabs can never make two.
        UniqueConstraint("round_id", "invitation_id"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        # The triage page's "not in this list yet" reads only the responses still pending.
        Index("ix_responses_comments_pending", "round_id", "comments_pending"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE")
    )
    # Open-link respondents resume through this token (personal links use the invitation's).
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    last_section: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    submission_count: Mapped[int] = mapped_column(default=0)
    # True until its comments are feedback items: a named round's at each submit, an
    # anonymous round's when editors bring them in (services.feedback).
    comments_pending: Mapped[bool] = mapped_column(default=True, server_default=true())
    # One more with every change of the row, and so of the answers (written only with it):
    # a page save writes what it worked out from the answers it read only if this is still
    # the revision it read (services.page_save.save_page).
    revision: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    """The answer to one question, as JSON; the round's frozen definition explains it.

    A row whose value is NULL is "not applicable"; an unanswered question has no row.
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)

    response: Mapped[Response] = relationship(back_populates="answers")


class FeedbackItem(Base):
    """A free-text answer as editors triage it into the next manual revision."""

    __tablename__ = "feedback_items"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        # The triage queue counts by status and question, and reads a page run by run in
        # id order, without sorting the round (services/feedback_queue.py).
        Index("ix_feedback_items_queue", "round_id", "question_id", "status", "id"),
        Index("ix_feedback_items_question_order", "round_id", "question_id", "id"),
        CheckConstraint(
            "status IN ('new', 'accepted', 'partly_accepted', 'rejected', 'duplicate', 'done')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="new")
    note: Mapped[str] = mapped_column(Text, default="")
    # The note in the survey's other languages, {lang: text}; `note` is in its default
    # language (services.published_reports).
    note_translations: Mapped[dict[str, str]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    addressed_in_revision: Mapped[str | None] = mapped_column(String(50))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The editor or coordinator who is to deal with it; nobody when None.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The item of the same round this one repeats (its status is then 'duplicate'); never
    # an item that is itself a duplicate (services.feedback_changes.mark_duplicates).
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="SET NULL")
    )


class PublishedReport(Base):
    """One published version of a round's "you said, we did": frozen, public, never personal.

    `content` is what the public page and the read API show, as it was when published:
    per item its chapter, topic, question, status, the notes by language and the revision
    that addressed it, and the item's id (for its respondent's own outcomes page); never
    a comment's text, language, group, country or response (services.published_reports).
    """

    __tablename__ = "published_reports"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Who published it, as the audit log names them (kept after an account is removed).
    published_by: Mapped[str] = mapped_column(String(254), default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditEvent(Base):
    """One workspace action, for coordinators to review; never holds a token or password."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as text too, so the log still says who acted after an account is removed.
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class ApiToken(Base):
    """A key for the read API (surveyapp.api): only the SHA-256 hash of its secret is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("role IN ('coordinator', 'editor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    # Hex SHA-256 of the whole token ("sa_..."); the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who made it, as the audit log names them (a command-line user or an account's email).
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class MailBatch(Base):
    """One sending of invitations or reminders for a round; re-running it never sends twice."""

    __tablename__ = "mail_batches"
    __table_args__ = (
        CheckConstraint("kind IN ('invitation', 'reminder')", name="kind"),
        # One batch per scheduled reminder date of a round (NULL: sent by hand).
        Index("uq_mail_batches_round_id_reminder_on", "round_id", "reminder_on", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when a send run is queued or starts; with finished_at it tells a running batch apart.
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    # The scheduled reminder date this batch sends (`surveyapp mail due`); NULL by hand.
    reminder_on: Mapped[dt.date | None] = mapped_column(Date)

    messages: Mapped[list[MailMessage]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", passive_deletes=True
    )


class RoundReminder(Base):
    """A date on which the round's reminder goes by itself to those who have not submitted.

    `surveyapp mail due` claims a due date by setting `claimed_at` where it is still NULL (a
    row-level claim: of two overlapping runs, one updates the row, the other finds it
    taken) and links the batch it made; a date is never sent twice.
    """

    __tablename__ = "round_reminders"
    __table_args__ = (UniqueConstraint("round_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    claimed_at: Mapped[dt.datetime | None]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("mail_batches.id", ondelete="SET NULL"))


class MailMessage(Base):
    """One recipient of a batch: pending until sent, or failed with the reason."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        UniqueConstraint("batch_id", "invitation_id"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("mail_batches.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    error: Mapped[str] = mapped_column(Text, default="")
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]

    batch: Mapped[MailBatch] = relationship(back_populates="messages")


# 'queued' and 'running' jobs whose heartbeat has stopped are shown as failed (jobs.exports).
EXPORT_STATUSES = ("queued", "running", "done", "failed")


class ExportJob(Base):
    """One build of a round's Excel summary in the background, with its progress.

    The state lives here, not in a worker, so any worker can show the progress page; a
    running job touches `updated_at` while it lives, so a job whose worker died is seen.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    # Submitted responses to write and written so far (the Responses sheet, row by row).
    total: Mapped[int] = mapped_column(default=0)
    written: Mapped[int] = mapped_column(default=0)
    # A name inside EXPORTS_DIR, never a path.
    file_name: Mapped[str] = mapped_column(String(255))
    # Why a job failed: 'disk_full', 'write_failed' or 'error'; the detail is for the log.
    failure: Mapped[str] = mapped_column(String(20), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
