"""Mail batches: who gets an invitation or a reminder, how far a batch has got, and whether
mail can be sent from here at all."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, selectinload

from ...db import utcnow
from ...errors import InvalidRequest, NotFound
from ...models import Invitation, MailBatch, MailMessage, Response, Round
from .. import audit
from ..audit import Actor
from ..rounds import as_utc, round_state, round_survey

KINDS = ("invitation", "reminder")
# A batch with no news for this long has stopped (its worker ended); it no longer counts as
# running, and a message it had claimed is shown as "delivery unknown", never sent again.
STALE_AFTER = dt.timedelta(minutes=5)
# A second reminder batch this soon is a double click, not a decision.
REPEAT_GUARD = dt.timedelta(minutes=1)
# A message in one of these may have reached its recipient: it is never offered again.
REACHED = ("pending", "sending", "sent")


class MailRefused(InvalidRequest):
    """No batch can be made now; `reason` is 'closed', 'nobody' or 'busy'."""

    status_code = 409

    def __init__(self, reason: str) -> None:
        super().__init__(f"no mail can be sent now: {reason}")
        self.reason = reason


def smtp_configured(config: Mapping[str, Any]) -> bool:
    """Mail is sent only when both the server and the sender address are set."""
    return bool(config.get("SMTP_HOST") and config.get("MAIL_FROM"))


def message_language(languages: tuple[str, ...], preferred: str | None) -> str:
    """The participant's language if the survey offers it, else the survey's default."""
    return preferred if preferred and preferred in languages else languages[0]


def _recipient_query(round_: Round, kind: str) -> Select[Invitation]:
    query = (
        select(Invitation)
        .where(Invitation.round_id == round_.id)
        .options(selectinload(Invitation.participant))
        .order_by(Invitation.id)
    )
    if kind == "reminder":
        # The invitation's own record first: an anonymous round's response points at none.
        submitted = and_(Response.invitation_id == Invitation.id, Response.status == "submitted")
        query = query.where(Invitation.submitted_at.is_(None))
        return query.outerjoin(Response, submitted).where(Response.id.is_(None))
    # Someone already invited, or being invited, by another batch is not invited twice.
    earlier = (
        select(MailMessage.invitation_id)
        .join(MailBatch, MailBatch.id == MailMessage.batch_id)
        .where(MailBatch.round_id == round_.id, MailBatch.kind == "invitation")
        .where(MailMessage.status.in_(REACHED))
    )
    return query.where(Invitation.id.not_in(earlier))


def recipients(session: Session, round_: Round, kind: str) -> list[Invitation]:
    """Who a new `kind` batch goes to.

    Invitations go to every invited participant who has not had the invitation from an
    earlier batch (all of them the first time); reminders to everyone who has not submitted.
    """
    if kind not in KINDS:
        raise NotFound(f"there is no mail of kind {kind}")
    return list(session.scalars(_recipient_query(round_, kind)))


def recipient_languages(session: Session, round_: Round, kind: str) -> dict[str, int]:
    """How many recipients of a new `kind` batch get the message in each language."""
    languages = round_survey(round_).languages
    found = Counter(
        message_language(languages, inv.participant.language)
        for inv in recipients(session, round_, kind)
    )
    return dict(sorted(found.items()))


def refusal(session: Session, round_: Round, kind: str) -> str | None:
    """Why no `kind` batch can be made for the round now, or None."""
    if round_state(round_) == "closed":
        return "closed"
    latest = session.scalar(
        select(MailBatch)
        .where(MailBatch.round_id == round_.id, MailBatch.kind == kind)
        .order_by(MailBatch.id.desc())
        .limit(1)
    )
    if latest is not None and is_running(session, latest):
        return "busy"
    # Invitations never repeat (see recipients); a reminder a moment after one is a double click.
    if kind == "reminder" and latest and utcnow() - _utc(latest.created_at) < REPEAT_GUARD:
        return "busy"
    if not recipients(session, round_, kind):
        return "nobody"
    return None


def create_batch(session: Session, round_: Round, kind: str, *, actor: Actor) -> MailBatch:
    """A batch with one pending message per recipient, language and address frozen."""
    # Lock the round so that two clicks on Send make one batch (SQLite locks at BEGIN).
    session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    reason = refusal(session, round_, kind)
    if reason:
        raise MailRefused(reason)
    languages = round_survey(round_).languages
    batch = MailBatch(round_id=round_.id, kind=kind, created_by_id=actor.user_id)
    for inv in recipients(session, round_, kind):
        language = message_language(languages, inv.participant.language)
        batch.messages.append(
            MailMessage(invitation_id=inv.id, email=inv.participant.email, language=language)
        )
    session.add(batch)
    session.flush()
    detail = f"{kind} batch {batch.id}: {len(batch.messages)} recipients"
    audit.record(
        session, "mail_batch_created", actor=actor, target=f"round {round_.id}", detail=detail
    )
    return batch


def get_batch(session: Session, round_: Round, batch_id: int) -> MailBatch:
    """The round's batch with this id, or NotFound."""
    batch = session.get(MailBatch, batch_id)
    if batch is None or batch.round_id != round_.id:
        raise NotFound(f"there is no mail batch {batch_id} in round {round_.id}")
    return batch


def list_batches(session: Session, round_: Round) -> list[MailBatch]:
    query = select(MailBatch).where(MailBatch.round_id == round_.id)
    return list(session.scalars(query.order_by(MailBatch.id.desc())))


def batch_counts(session: Session, batch: MailBatch) -> dict[str, int]:
    """How many of the batch's messages are pending, sending, sent and failed."""
    rows = session.execute(
        select(MailMessage.status, func.count())
        .where(MailMessage.batch_id == batch.id)
        .group_by(MailMessage.status)
    ).all()
    counts = dict.fromkeys(("pending", "sending", "sent", "failed"), 0)
    counts.update({status: n for status, n in rows})
    counts["total"] = sum(counts.values())
    return counts


def batch_messages(session: Session, batch: MailBatch, status: str) -> list[MailMessage]:
    query = select(MailMessage).where(
        MailMessage.batch_id == batch.id, MailMessage.status == status
    )
    return list(session.scalars(query.order_by(MailMessage.email)))


def _utc(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment) or moment


def is_running(session: Session, batch: MailBatch, now: dt.datetime | None = None) -> bool:
    """Whether a send run of the batch is queued or going on (and has not stalled)."""
    if batch.finished_at is not None:
        return False
    claimed = session.scalar(
        select(func.max(MailMessage.claimed_at)).where(MailMessage.batch_id == batch.id)
    )
    moments = [m for m in (batch.created_at, batch.started_at, claimed) if m is not None]
    return (now or utcnow()) - max(_utc(m) for m in moments) < STALE_AFTER


def queue_batch(session: Session, batch: MailBatch) -> None:
    """Mark the batch as running from now, before its send loop starts in the background."""
    batch.started_at = utcnow()
    batch.finished_at = None
    session.flush()
