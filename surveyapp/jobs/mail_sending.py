"""The send loop of a mail batch: every message claimed, sent over one SMTP connection and
recorded, committing per message so nobody gets one twice.

The batches and their messages are made by services.mail; jobs.runner starts this loop in
a background thread (or in the request with MAIL_SEND_INLINE) through send_for_app.
"""

from __future__ import annotations

import smtplib
import ssl
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from ..db import utcnow
from ..models import Invitation, MailBatch, MailMessage, Participant, Round
from ..services import audit
from ..services.audit import Actor
from ..services.invitations import personal_link
from ..services.mail.texts import (
    MailText,
    build_message,
    contact_address,
    message_context,
    outcomes_paragraph,
    render,
    text_language,
)
from ..services.outcomes import outcomes_line, see_outcomes
from ..services.rounds import round_state

SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server, and what to put in messages."""

    host: str
    port: int
    mail_from: str
    base_url: str
    user: str | None = None
    password: str | None = None
    tls: bool = False
    timeout: float = SMTP_TIMEOUT

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            mail_from=config["MAIL_FROM"],
            base_url=config["BASE_URL"],
            user=config.get("SMTP_USER"),
            password=config.get("SMTP_PASSWORD"),
            tls=bool(config.get("SMTP_TLS")),
        )


@dataclass(frozen=True)
class _Job:
    message_id: int
    invitation_id: int
    email: str
    kind: str
    text: MailText


@contextmanager
def _writing(sessions: Callable[[], Session]) -> Iterator[Session]:
    """One short write transaction of its own, committed on leaving."""
    with sessions() as session, session.begin():
        # Take SQLite's write lock at BEGIN, whatever the calling request has done before.
        session.connection(execution_options={"sqlite_immediate": True})
        yield session


def send_for_app(batch_id: int, *, actor: Actor) -> dict[str, int]:
    """send_batch with the current app's sessions and SMTP settings: what the runner starts."""
    settings = MailSettings.from_config(current_app.config)
    return send_batch(current_app.extensions["sessionmaker"], batch_id, settings, actor=actor)


def send_batch(
    sessions: Callable[[], Session],
    batch_id: int,
    settings: MailSettings,
    *,
    actor: Actor,
) -> dict[str, int]:
    """Send every pending or failed message of the batch over one SMTP connection.

    Unlike the services, this commits, through sessions of its own from `sessions` (a
    sessionmaker), because one transaction per batch would be wrong both ways: a crash
    would forget what was sent, and a lock would be held while the server is talked to. So
    each message is claimed ('sending') and committed before it goes out, and marked sent or
    failed and committed right after. A re-run, or a second loop at the same time, takes only
    messages still pending or failed: nobody gets a message twice, and a message caught
    mid-send by a crash stays 'sending' ("delivery unknown") rather than being sent again.
    Returns how many were sent and failed in this run; the run is recorded for `actor`.
    """
    outcome: Counter[str] = Counter()
    try:
        jobs = _prepare(sessions, batch_id, settings, outcome)
        if jobs:
            _send_all(sessions, jobs, settings, outcome)
    finally:
        _finish(sessions, batch_id, actor, outcome)
    return {"sent": outcome["sent"], "failed": outcome["failed"]}


def _prepare(
    sessions: Callable[[], Session], batch_id: int, settings: MailSettings, outcome: Counter[str]
) -> list[_Job]:
    """Mark the batch started and render every message still to send."""
    with _writing(sessions) as session:
        batch = session.get_one(MailBatch, batch_id)
        batch.started_at, batch.finished_at = utcnow(), None
        round_ = session.get_one(Round, batch.round_id)
        rows = session.execute(
            select(MailMessage, Participant, Invitation.token)
            .join(Invitation, Invitation.id == MailMessage.invitation_id)
            .join(Participant, Participant.id == Invitation.participant_id)
            .where(MailMessage.batch_id == batch_id, MailMessage.status.in_(("pending", "failed")))
            .order_by(MailMessage.id)
        ).all()
        if round_state(round_) == "closed":
            ids = [m.id for m, _person, _token in rows]
            outcome["failed"] += _fail(session, ids, "not sent: the round has closed")
            return []
        return [
            _Job(
                m.id,
                m.invitation_id,
                m.email,
                batch.kind,
                _text(session, round_, batch.kind, m, person, token, settings),
            )
            for m, person, token in rows
        ]


def _text(
    session: Session,
    round_: Round,
    kind: str,
    message: MailMessage,
    person: Participant,
    token: str,
    settings: MailSettings,
) -> MailText:
    link = personal_link(settings.base_url, token)
    lang = text_language(message.language)
    line = outcomes_line(session, person, round_, lang)
    paragraph = outcomes_paragraph(line, see_outcomes(lang), link)
    context = message_context(
        round_, message.language, person.name, link, settings.mail_from, paragraph
    )
    return render(kind, message.language, context)


def _send_all(
    sessions: Callable[[], Session], jobs: list[_Job], settings: MailSettings, outcome: Counter[str]
) -> None:
    """Send the jobs over one connection; if it cannot be had or is lost, fail the rest."""
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        reason = _reason(settings, error, connected=False)
        outcome["failed"] += _in_own_session(sessions, [j.message_id for j in jobs], reason)
        return
    try:
        for number, job in enumerate(jobs):
            try:
                outcome[_send_one(sessions, smtp, job, settings)] += 1
            except (OSError, smtplib.SMTPException) as error:
                rest = [j.message_id for j in jobs[number:]]
                reason = _reason(settings, error, connected=True)
                outcome["failed"] += _in_own_session(sessions, rest, reason, claimed=job)
                return
    finally:
        _close(smtp)


def _connect(settings: MailSettings) -> smtplib.SMTP:
    """One SMTP connection, with STARTTLS and login when configured."""
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _send_one(
    sessions: Callable[[], Session], smtp: smtplib.SMTP, job: _Job, settings: MailSettings
) -> str:
    """Claim, send and record one message: 'sent', 'failed' or 'skipped' (taken elsewhere).

    A refusal of this one address is recorded and the loop goes on; a lost connection or a
    refused sender is raised, because every later message would fail the same way.
    """
    if not _claim(sessions, job):
        return "skipped"
    message = build_message(job.text, settings.mail_from, job.email)
    sender = contact_address(settings.mail_from)
    try:
        smtp.send_message(message, from_addr=sender, to_addrs=[job.email])
    except smtplib.SMTPRecipientsRefused as error:
        return _mark(sessions, job.message_id, _refused(error, job.email))
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused):
        raise
    except smtplib.SMTPResponseException as error:
        return _mark(sessions, job.message_id, f"refused by the mail server: {_response(error)}")
    return _mark(sessions, job.message_id, None)


def _claim(sessions: Callable[[], Session], job: _Job) -> bool:
    """Take the message for this loop; False if another loop has taken or sent it."""
    statement = update(MailMessage).where(
        MailMessage.id == job.message_id, MailMessage.status.in_(("pending", "failed"))
    )
    if job.kind == "invitation":
        other = aliased(MailMessage)
        elsewhere = (
            select(other.id)
            .join(MailBatch, MailBatch.id == other.batch_id)
            .where(other.invitation_id == MailMessage.invitation_id, other.id != MailMessage.id)
            .where(other.status.in_(("sending", "sent")), MailBatch.kind == "invitation")
        )
        statement = statement.where(~elsewhere.exists())
    with _writing(sessions) as session:
        if job.kind == "invitation":
            # Two batches' loops claiming for one person wait for each other here (PostgreSQL).
            lock = select(Invitation.id).where(Invitation.id == job.invitation_id)
            session.execute(lock.with_for_update())
        claimed = session.connection().execute(
            statement.values(status="sending", claimed_at=utcnow(), error="")
        )
        if claimed.rowcount == 1:
            return True
        if job.kind == "invitation":
            # Still pending or failed here, so another batch's invitation has reached them.
            _fail(session, [job.message_id], "not sent: already invited by another batch")
        return False


def _mark(sessions: Callable[[], Session], message_id: int, error: str | None) -> str:
    """Record the outcome of one message: sent when `error` is None, else failed."""
    if error is None:
        values: dict[str, Any] = {"status": "sent", "sent_at": utcnow(), "error": ""}
    else:
        values = {"status": "failed", "error": error}
    with _writing(sessions) as session:
        session.execute(update(MailMessage).where(MailMessage.id == message_id).values(**values))
    return str(values["status"])


def _fail(session: Session, ids: list[int], reason: str, *, also_sending: bool = False) -> int:
    """Mark those of `ids` still to send as failed with `reason`; how many there were."""
    statuses = ("pending", "failed", "sending") if also_sending else ("pending", "failed")
    statement = (
        update(MailMessage)
        .where(MailMessage.id.in_(ids), MailMessage.status.in_(statuses))
        .values(status="failed", error=reason)
    )
    return session.connection().execute(statement).rowcount if ids else 0


def _in_own_session(
    sessions: Callable[[], Session], ids: list[int], reason: str, claimed: _Job | None = None
) -> int:
    """_fail in a transaction of its own; `claimed` is the first job, which this loop holds."""
    with _writing(sessions) as session:
        count = _fail(session, ids[1:] if claimed else ids, reason)
        if claimed is not None:
            count += _fail(session, [claimed.message_id], reason, also_sending=True)
        return count


def _response(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{error.smtp_code} {message}".strip()


def _refused(error: smtplib.SMTPRecipientsRefused, address: str) -> str:
    code, text = error.recipients.get(address) or next(iter(error.recipients.values()))
    reply = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"refused by the mail server: {code} {reply}".strip()


def _reason(settings: MailSettings, error: Exception, *, connected: bool) -> str:
    """A plain reason for a failure of the connection, the login or the sender address."""
    server = f"{settings.host}:{settings.port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"the mail server {server} refused the login of SMTP_USER: {_response(error)}"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"the mail server refused the sender address MAIL_FROM: {_response(error)}"
    if not connected:
        return f"could not connect to the mail server {server}: {error}"
    return f"the connection to the mail server {server} was lost: {error}"


def _finish(
    sessions: Callable[[], Session], batch_id: int, actor: Actor, outcome: Counter[str]
) -> None:
    """Mark the run finished and record it in the audit log (counts only, never a link)."""
    with _writing(sessions) as session:
        batch = session.get_one(MailBatch, batch_id)
        batch.finished_at = utcnow()
        sent, failed = outcome["sent"], outcome["failed"]
        detail = f"{batch.kind} batch {batch.id}: {sent} sent, {failed} failed"
        target = f"round {batch.round_id}"
        audit.record(session, "mail_sent", actor=actor, target=target, detail=detail)
