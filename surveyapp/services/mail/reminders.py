"""Reminder dates of a round, and claiming the due ones for `surveyapp mail due`.

A round carries dates (`surveyapp round reminders ROUND --on DATE`). On or after a date,
`mail due` makes one reminder batch for everyone who has not submitted, in their language,
and sends it with the same loop as a batch sent by hand (jobs.mail_sending), so each
message is claimed before it goes out. A date is sent once, also when two runs overlap:

* the run claims the date's row with `UPDATE … SET claimed_at = now WHERE claimed_at IS
  NULL … RETURNING`: of two runs, the second waits for the first's row lock (PostgreSQL) or
  write lock (SQLite, taken at BEGIN) and then finds the row claimed, so it makes nothing;
* the batch carries the date (`mail_batches.reminder_on`), unique per round.

Several dates due at once (a cron that did not run) make one batch: nobody gets two
reminders in one morning. A date of a closed round, or one not open yet, waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...db import utcnow
from ...errors import InvalidRequest
from ...models import MailBatch, MailMessage, Round, RoundReminder
from .. import audit
from ..audit import Actor
from ..rounds import as_utc, round_state, round_survey
from .batches import is_running, message_language, recipients


def today() -> dt.date:
    """Reminder dates are UTC dates, like every time the app stores."""
    return utcnow().date()


def list_reminders(session: Session, round_: Round) -> list[RoundReminder]:
    query = select(RoundReminder).where(RoundReminder.round_id == round_.id)
    return list(session.scalars(query.order_by(RoundReminder.due_on)))


def set_reminders(
    session: Session, round_: Round, dates: Iterable[dt.date], *, actor: Actor
) -> list[RoundReminder]:
    """The round's reminder dates become `dates`; dates already sent stay as they were.

    A date before today or after the round closes is refused (InvalidRequest)."""
    wanted = sorted(set(dates))
    closes = as_utc(round_.closes_at)
    for day in wanted:
        if day < today():
            raise InvalidRequest(f"{day.isoformat()} has passed; give today or a later date")
        if closes is not None and day > closes.date():
            raise InvalidRequest(
                f"{day.isoformat()} is after the round closes ({closes.date().isoformat()})"
            )
    existing = {r.due_on: r for r in list_reminders(session, round_)}
    for day, reminder in existing.items():
        if reminder.claimed_at is None and day not in wanted:
            session.delete(reminder)
    for day in wanted:
        if day not in existing:
            session.add(RoundReminder(round_id=round_.id, due_on=day))
    session.flush()
    detail = "reminder dates: " + (", ".join(d.isoformat() for d in wanted) or "none")
    audit.record(session, "reminders_set", actor=actor, target=f"round {round_.id}", detail=detail)
    return list_reminders(session, round_)


def due_round_ids(session: Session, on: dt.date) -> list[int]:
    """Rounds with a reminder date on or before `on` that no run has claimed yet."""
    query = (
        select(RoundReminder.round_id)
        .where(RoundReminder.due_on <= on, RoundReminder.claimed_at.is_(None))
        .distinct()
        .order_by(RoundReminder.round_id)
    )
    return list(session.scalars(query))


def claim_due(session: Session, round_id: int, on: dt.date, *, actor: Actor) -> MailBatch | None:
    """Claim the round's unclaimed dates due by `on` and make their reminder batch, inside
    the caller's write transaction; None when another run claimed them first, the round is
    not open, or everyone has submitted (the dates then count as done)."""
    round_ = session.get(Round, round_id)
    if round_ is None or round_state(round_) != "open":
        return None
    claimed = session.execute(
        update(RoundReminder)
        .where(
            RoundReminder.round_id == round_id,
            RoundReminder.due_on <= on,
            RoundReminder.claimed_at.is_(None),
        )
        .values(claimed_at=utcnow())
        .returning(RoundReminder.id, RoundReminder.due_on)
    ).all()
    if not claimed:
        return None
    people = recipients(session, round_, "reminder")
    if not people:
        return None
    languages = round_survey(round_).languages
    latest: dt.date = max(d for _, d in claimed)
    batch = MailBatch(round_id=round_id, kind="reminder", reminder_on=latest)
    for inv in people:
        language = message_language(languages, inv.participant.language)
        batch.messages.append(
            MailMessage(invitation_id=inv.id, email=inv.participant.email, language=language)
        )
    session.add(batch)
    session.flush()
    session.execute(
        update(RoundReminder)
        .where(RoundReminder.id.in_([i for i, _ in claimed]))
        .values(batch_id=batch.id)
    )
    detail = f"reminder batch {batch.id} for {latest.isoformat()}: {len(batch.messages)} recipients"
    audit.record(
        session, "mail_batch_created", actor=actor, target=f"round {round_id}", detail=detail
    )
    return batch


def stalled_due_batches(session: Session) -> list[int]:
    """Scheduled reminder batches whose run ended before it finished (a crash): the next
    `mail due` sends what they still have pending, never a message already claimed."""
    query = select(MailBatch).where(
        MailBatch.reminder_on.is_not(None), MailBatch.finished_at.is_(None)
    )
    return [
        b.id for b in session.scalars(query.order_by(MailBatch.id)) if not is_running(session, b)
    ]
