"""Invitations and reminders by email: compose with a preview, send in the background, progress.

Sending to hundreds of people takes minutes, so no request waits for it: the Send button
creates the batch, commits, starts the send loop in a background thread (with its own
sessions and app context) and redirects to a progress page that refreshes itself while
anything is pending. With MAIL_SEND_INLINE set (tests), the loop runs inside the request.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from ..auth.access import actor, role_required
from ..db import get_session
from ..i18n import _l
from ..jobs import mail_sending
from ..jobs.runner import run_in_background
from ..models import MailBatch, Round
from ..services import mail, rounds
from ..services.mail import reminders
from ..web.round_pages import render_round_page

bp = Blueprint(
    "mail",
    __name__,
    url_prefix="/workspace/rounds/<id:round_id>/mail",
    template_folder="templates",
)
KIND = "<any(invitation, reminder):kind>"
KIND_NAMES = {"invitation": _l("Invitation"), "reminder": _l("Reminder")}
NO_SMTP = _l(
    "Email is not configured on this server (SMTP_HOST and MAIL_FROM are not set), so no "
    "message can be sent from here. Download the personal links as a CSV file and use them "
    "in a mail merge instead."
)
REFUSALS = {
    "closed": _l("This round is closed. Reopen it before sending invitations or reminders."),
    "busy": _l(
        "A batch of this kind is being sent or was started a moment ago. Check its progress "
        "in the history below before sending another one."
    ),
}
NOBODY = {
    "invitation": _l("Everyone invited to this round has received the invitation already."),
    "reminder": _l("Everyone invited to this round has submitted: nobody needs a reminder."),
}


@bp.after_request
def _no_store(response: Response) -> Response:
    # These pages list people's addresses: no browser or proxy keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("workspace_url")
def workspace_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a workspace page, or None while that page does not exist (yet)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _config_mail_from() -> str:
    return str(current_app.config.get("MAIL_FROM") or "[MAIL_FROM]")


def _configured() -> bool:
    return mail.smtp_configured(current_app.config)


def _refusal_text(reason: str | None, kind: str) -> str | None:
    if reason is None:
        return None
    if reason == "not_configured":
        return str(NO_SMTP)
    return str(NOBODY[kind] if reason == "nobody" else REFUSALS[reason])


def _batch_rows(round_: Round, limit: int | None = None) -> list[dict[str, Any]]:
    db = get_session()
    found = mail.list_batches(db, round_)[:limit]
    return [
        {"batch": b, "counts": mail.batch_counts(db, b), "running": mail.is_running(db, b)}
        for b in found
    ]


@bp.app_template_global("mail_panel")
def mail_panel(round_: Round) -> dict[str, Any]:
    """What the round page's mail panel shows: whether mail works and the latest batches."""
    return {"configured": _configured(), "batches": _batch_rows(round_, 5), "kinds": KIND_NAMES}


@bp.get("/")
@role_required("coordinator")
def history(round_id: int) -> ResponseReturnValue:
    round_ = rounds.get_round(get_session(), round_id)
    return render_round_page(
        "mail/history.html",
        round_,
        rows=_batch_rows(round_),
        kinds=KIND_NAMES,
        configured=_configured(),
        scheduled=reminders.list_reminders(get_session(), round_),
    )


def _compose_page(round_: Round, kind: str, reason: str | None) -> str:
    db = get_session()
    if reason is None:
        reason = "not_configured" if not _configured() else mail.refusal(db, round_, kind)
    survey = rounds.round_survey(round_)
    languages = mail.recipient_languages(db, round_, kind)
    return render_round_page(
        "mail/compose.html",
        round_,
        kind=kind,
        kinds=KIND_NAMES,
        languages=languages,
        total=sum(languages.values()),
        previews=[_preview(round_, kind, lang) for lang in survey.languages],
        refusal=_refusal_text(reason, kind),
        rows=_batch_rows(round_, 5),
    )


def _preview(round_: Round, kind: str, language: str) -> dict[str, Any]:
    """The message in one survey language, with placeholders: no real link is ever shown."""
    base_url, mail_from = current_app.config["BASE_URL"], _config_mail_from()
    subject, body = mail.preview(round_, kind, language, base_url=base_url, mail_from=mail_from)
    paragraphs = [p.splitlines() for p in body.strip().split("\n\n")]
    text_lang = mail.text_language(language)
    return {
        "language": language,
        "text_language": text_lang,
        "subject": subject,
        "paragraphs": paragraphs,
    }


@bp.get(f"/{KIND}")
@role_required("coordinator")
def compose(round_id: int, kind: str) -> ResponseReturnValue:
    return _compose_page(rounds.get_round(get_session(), round_id), kind, None)


@bp.post(f"/{KIND}")
@role_required("coordinator")
def send(round_id: int, kind: str) -> ResponseReturnValue:
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    if not _configured():
        return _compose_page(round_, kind, "not_configured"), 409
    try:
        batch = mail.create_batch(db, round_, kind, actor=actor())
    except mail.MailRefused as refused:
        db.rollback()
        return _compose_page(round_, kind, refused.reason), 409
    mail.queue_batch(db, batch)
    db.commit()
    _start_sending(batch.id)
    return redirect(url_for(".batch", round_id=round_.id, batch_id=batch.id), code=303)


@bp.get("/batches/<id:batch_id>")
@role_required("coordinator")
def batch(round_id: int, batch_id: int) -> ResponseReturnValue:
    round_, found = _round_and_batch(round_id, batch_id)
    # WCAG 2.2.1: whoever the refreshing disturbs (a screen reader, say) can turn it off.
    refresh = request.args.get("refresh") != "0"
    return render_template("mail/batch.html", refresh=refresh, **_progress(round_, found))


def _round_and_batch(round_id: int, batch_id: int) -> tuple[Round, MailBatch]:
    """The round and its batch named in the URL (a batch of another round is not found)."""
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    return round_, mail.get_batch(db, round_, batch_id)


def _progress(round_: Round, batch: MailBatch) -> dict[str, Any]:
    db = get_session()
    counts = mail.batch_counts(db, batch)
    running = mail.is_running(db, batch)
    return {
        "round": round_,
        "batch": batch,
        "kinds": KIND_NAMES,
        "counts": counts,
        "running": running,
        "done": counts["sent"] + counts["failed"],
        "failed": mail.batch_messages(db, batch, "failed"),
        # Claimed by a loop that has stopped: it may have gone out, so it is not sent again.
        "unknown": [] if running else mail.batch_messages(db, batch, "sending"),
        "can_resend": _configured() and not running and counts["pending"] + counts["failed"] > 0,
    }


@bp.post("/batches/<id:batch_id>/send")
@role_required("coordinator")
def resend(round_id: int, batch_id: int) -> ResponseReturnValue:
    round_, found = _round_and_batch(round_id, batch_id)
    if not _configured():
        page = _progress(round_, found) | {"refusal": str(NO_SMTP)}
        return render_template("mail/batch.html", **page), 409
    # A running loop takes every pending or failed message itself; a second one would wait.
    if _progress(round_, found)["can_resend"]:
        db = get_session()
        mail.queue_batch(db, found)
        db.commit()
        _start_sending(found.id)
    return redirect(url_for(".batch", round_id=round_.id, batch_id=found.id), code=303)


def _start_sending(batch_id: int) -> None:
    """Run the batch's send loop in the background (it records its outcome on the batch)."""
    name, send_loop = f"mail-batch-{batch_id}", mail_sending.send_for_app
    run_in_background(name, send_loop, batch_id, actor=actor(), inline="MAIL_SEND_INLINE")
