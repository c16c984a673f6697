"""`surveyapp mail due`: send every reminder that is due, once (services.mail.reminders).

Each due round's dates are claimed and its batch made in a short write transaction of its
own; then each batch is sent by the loop of jobs.mail_sending, which claims each message
before it goes out. Two runs at the same time (two cron hosts, a run that overlaps the
next) send each reminder to each person once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from ..services.audit import Actor
from ..services.mail import reminders
from .mail_sending import MailSettings, _writing, send_batch


def send_due(
    sessions: Callable[[], Session],
    settings: MailSettings,
    *,
    actor: Actor,
    on: dt.date | None = None,
) -> dict[int, dict[str, int]]:
    """Make and send the batches of every reminder due by `on` (today, UTC); with what
    stalled batches of earlier runs still had pending. Returns the counts by batch id."""
    day = on or reminders.today()
    with sessions() as session:
        round_ids = reminders.due_round_ids(session, day)
        batch_ids = reminders.stalled_due_batches(session)
    for round_id in round_ids:
        with _writing(sessions) as session:
            batch = reminders.claim_due(session, round_id, day, actor=actor)
            if batch is not None:
                batch_ids.append(batch.id)
    return {
        batch_id: send_batch(sessions, batch_id, settings, actor=actor) for batch_id in batch_ids
    }
