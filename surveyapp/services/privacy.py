"""Data protection: forget a person on request, and delete personal data after retention.

Forgetting (GDPR art. 17) deletes the participant, their invitations and links, their mail
records and their answers; in anonymous rounds their submitted answers stay, with nothing
left that leads back to them. Retention deletes, a set number of days after a round closed,
everything that ties the round to people; its submitted answers stay for the statistics.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..errors import NotFound
from ..models import (
    Answer,
    AuditEvent,
    FeedbackItem,
    Invitation,
    MailBatch,
    MailMessage,
    Participant,
    Response,
    Round,
)
from . import audit
from .audit import Actor
from .csv_input import normalise_email
from .rounds import as_utc

# What an erased address becomes in the audit log's texts.
FORGOTTEN = "[forgotten participant]"


class UnknownParticipant(NotFound):
    """No participant has this email address."""


@dataclass(frozen=True)
class Erasure:
    """What forgetting a participant deletes, and what stays without a link to them."""

    participant_id: int
    invitations: int
    responses_deleted: int
    # Answers of anonymous rounds, tied to nobody: submitted ones detached here, and those
    # begun through an invitation (detached from the start, so not found to delete).
    responses_kept: int
    feedback_items: int
    mail_messages: int
    audit_events_cleaned: int = 0

    def summary(self) -> str:
        """Counts only: the audit log keeps no personal data of the person."""
        return (
            f"{self.invitations} invitation(s) and their links, "
            f"{self.responses_deleted} response(s) with {self.feedback_items} feedback item(s) "
            f"deleted, {self.responses_kept} response(s) of anonymous rounds kept without a "
            f"link to the person, {self.mail_messages} mail record(s) deleted, "
            f"{self.audit_events_cleaned} audit entry(ies) cleaned of the address"
        )


@dataclass(frozen=True)
class _Plan:
    """The rows that forgetting a participant touches, by id."""

    invitation_ids: list[int]
    deleted_response_ids: list[int]
    kept_response_ids: list[int]
    mail_message_ids: list[int]
    feedback_items: int
    # Responses begun through their invitations in anonymous rounds: they point at no
    # invitation, so forgetting finds them not and they stay as they are, answers and all.
    detached_responses: int = 0


def find_participant(session: Session, email: str) -> Participant:
    """The participant with this email address, in any case, or UnknownParticipant."""
    address = normalise_email(email)
    query = select(Participant).where(func.lower(Participant.email) == address)
    found = session.scalars(query).one_or_none()
    if found is None:
        raise UnknownParticipant(f"no participant has the email address {address}")
    return found


def erasure_preview(session: Session, participant: Participant) -> Erasure:
    """What `forget_participant` would delete and keep, without changing anything."""
    return _counts(participant.id, _plan(session, participant))


def forget_participant(session: Session, participant: Participant, *, actor: Actor) -> Erasure:
    """Erase a participant and their personal data, and record it in the audit log.

    Their submitted answers in anonymous rounds are kept, detached from the invitation (which
    goes), so no row leads from the answers to anyone; every other response of theirs is
    deleted with its answers and feedback items. Flushes, never commits.
    """
    plan = _plan(session, participant)
    detach = update(Response).where(Response.id.in_(plan.kept_response_ids))
    session.execute(detach.values(invitation_id=None, token=None, revision=Response.revision + 1))
    _delete_responses(session, plan.deleted_response_ids)
    session.execute(delete(MailMessage).where(MailMessage.id.in_(plan.mail_message_ids)))
    session.execute(delete(Invitation).where(Invitation.id.in_(plan.invitation_ids)))
    cleaned = _clean_audit_log(session, participant.email)
    erasure = _counts(participant.id, plan, cleaned)
    session.delete(participant)
    session.flush()
    # The event names the participant by their former row id only: the log outlives the
    # erasure, so it must not keep the email, name or organisation it was asked to forget.
    audit.record(
        session,
        "participant_forgotten",
        actor=actor,
        target=f"participant {erasure.participant_id}",
        detail=erasure.summary(),
    )
    return erasure


def _plan(session: Session, participant: Participant) -> _Plan:
    invitation_ids = list(
        session.scalars(select(Invitation.id).where(Invitation.participant_id == participant.id))
    )
    responses = session.execute(
        select(Response.id, Response.status == "submitted", Round.is_anonymous)
        .join(Round, Round.id == Response.round_id)
        .where(Response.invitation_id.in_(invitation_ids))
    ).all()
    kept = [rid for rid, submitted, anonymous in responses if submitted and anonymous]
    deleted = [rid for rid, _s, _a in responses if rid not in kept]
    mail = select(MailMessage.id).where(
        or_(
            MailMessage.invitation_id.in_(invitation_ids),
            func.lower(MailMessage.email) == normalise_email(participant.email),
        )
    )
    feedback = select(func.count(FeedbackItem.id)).where(FeedbackItem.response_id.in_(deleted))
    return _Plan(
        invitation_ids,
        deleted,
        kept,
        list(session.scalars(mail)),
        session.scalar(feedback) or 0,
        _count(session, _detached_responses(invitation_ids)),
    )


def _detached_responses(invitation_ids: list[int]) -> Select[int]:
    """The invitations, among these, that began a response detached from them (anonymous)."""
    return (
        select(Invitation.id)
        .join(Round, Round.id == Invitation.round_id)
        .where(Invitation.id.in_(invitation_ids), Round.is_anonymous)
        .where(Invitation.started_at.is_not(None))
        .where(~exists().where(Response.invitation_id == Invitation.id))
    )


def _counts(participant_id: int, plan: _Plan, cleaned: int = 0) -> Erasure:
    return Erasure(
        participant_id=participant_id,
        invitations=len(plan.invitation_ids),
        responses_deleted=len(plan.deleted_response_ids),
        responses_kept=len(plan.kept_response_ids) + plan.detached_responses,
        feedback_items=plan.feedback_items,
        mail_messages=len(plan.mail_message_ids),
        audit_events_cleaned=cleaned,
    )


def _delete_responses(session: Session, response_ids: list[int] | Select[int]) -> None:
    """Delete responses with their answers and feedback items (not left to the cascade, so
    nothing depends on SQLite's foreign-key switch)."""
    session.execute(delete(FeedbackItem).where(FeedbackItem.response_id.in_(response_ids)))
    session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
    session.execute(delete(Response).where(Response.id.in_(response_ids)))


def _clean_audit_log(session: Session, email: str) -> int:
    """Replace the address wherever the audit log's texts hold it (a failed login with it, an
    account made for it); returns how many events were changed."""
    address = normalise_email(email)
    pattern = re.compile(re.escape(address), re.IGNORECASE)
    query = select(AuditEvent).where(
        or_(
            func.lower(AuditEvent.target).contains(address, autoescape=True),
            func.lower(AuditEvent.detail).contains(address, autoescape=True),
        )
    )
    events = list(session.scalars(query))
    for event in events:
        event.target = pattern.sub(FORGOTTEN, event.target)[:200]
        event.detail = pattern.sub(FORGOTTEN, event.detail)
    return len(events)


# --- retention ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundPurge:
    """What retention deleted from one round."""

    round_id: int
    survey_id: str
    revision: str
    closed_at: dt.datetime
    invitations: int
    drafts_deleted: int
    responses_kept: int  # submitted, now without a link to anyone
    mail_messages: int

    def summary(self) -> str:
        return (
            f"closed {self.closed_at:%Y-%m-%d}: {self.invitations} invitation(s) and their "
            f"links, {self.mail_messages} mail record(s) and {self.drafts_deleted} unsubmitted "
            f"response(s) deleted; {self.responses_kept} submitted response(s) kept without "
            "a link to anyone"
        )


@dataclass
class RetentionReport:
    """What one retention run did (or, rolled back, would do)."""

    days: int
    cutoff: dt.datetime
    purged: list[RoundPurge] = field(default_factory=list)
    participants_without_invitations: int = 0


def closed_since(round_: Round, now: dt.datetime) -> dt.datetime | None:
    """When the round stopped taking answers, or None while it may still take them.

    A closed round without a recorded closing time is never due: purging it on a guess
    could delete data sooner than the retention period promises.
    """
    if round_.status == "closed":
        return as_utc(round_.closed_at or round_.closes_at)
    closes_at = as_utc(round_.closes_at)
    if round_.status == "open" and closes_at is not None and closes_at <= now:
        return closes_at
    return None


def rounds_due(
    session: Session, days: int, now: dt.datetime | None = None
) -> list[tuple[Round, dt.datetime]]:
    """Rounds closed more than `days` days before `now` whose personal data is still there,
    with their closing time; a round reopened and closed again after a purge is due again."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)
    due = []
    # Locked, so that two runs at once (cron on two machines) purge and record a round once.
    for round_ in session.scalars(select(Round).order_by(Round.id).with_for_update()):
        closed = closed_since(round_, now)
        purged = as_utc(round_.personal_data_purged_at)
        if closed is not None and closed <= cutoff and (purged is None or purged < closed):
            due.append((round_, closed))
    return due


def purge_round(
    session: Session,
    round_: Round,
    closed_at: dt.datetime,
    now: dt.datetime | None = None,
    *,
    actor: Actor,
) -> RoundPurge:
    """Delete what ties a closed round to people: its invitations (the personal links), its
    mail records, its unsubmitted responses, and every submitted response's link to an
    invitation or resume token. Marks the round purged and records it. Flushes only."""
    invitations = select(Invitation.id).where(Invitation.round_id == round_.id)
    in_round = Response.round_id == round_.id
    submitted = Response.status == "submitted"
    drafts = select(Response.id).where(in_round, ~submitted)
    batches = select(MailBatch.id).where(MailBatch.round_id == round_.id)
    mail = select(MailMessage.id).where(MailMessage.batch_id.in_(batches))
    purge = RoundPurge(
        round_id=round_.id,
        survey_id=round_.survey_id,
        revision=round_.revision,
        closed_at=closed_at,
        invitations=_count(session, invitations),
        drafts_deleted=_count(session, drafts),
        responses_kept=_count(session, select(Response.id).where(in_round, submitted)),
        mail_messages=_count(session, mail),
    )
    _delete_responses(session, drafts)
    detach = update(Response).where(in_round)
    session.execute(detach.values(invitation_id=None, token=None, revision=Response.revision + 1))
    session.execute(delete(MailMessage).where(MailMessage.batch_id.in_(batches)))
    session.execute(delete(Invitation).where(Invitation.round_id == round_.id))
    round_.personal_data_purged_at = now or utcnow()
    session.flush()
    target, detail = f"round {round_.id}", purge.summary()
    audit.record(session, "retention_purged", actor=actor, target=target, detail=detail)
    return purge


def apply_retention(
    session: Session, days: int, now: dt.datetime | None = None, *, actor: Actor
) -> RetentionReport:
    """Purge every round that is due (see `rounds_due`); participants themselves stay, as
    the partnership's contact list for the next revision. Flushes, never commits: roll back
    for a dry run."""
    now = now or utcnow()
    report = RetentionReport(days=days, cutoff=now - dt.timedelta(days=days))
    for round_, closed_at in rounds_due(session, days, now):
        report.purged.append(purge_round(session, round_, closed_at, now, actor=actor))
    report.participants_without_invitations = _count(
        session,
        select(Participant.id).where(~exists().where(Invitation.participant_id == Participant.id)),
    )
    return report


def _count(session: Session, query: Select[int]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0
