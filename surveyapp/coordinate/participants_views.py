"""Workspace pages for the participant list: search, edit, remove, forget, import from CSV."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth.access import actor, is_coordinator, role_required
from ..db import get_session
from ..i18n import _
from ..models import Participant
from ..services import participants as people
from ..services import privacy
from ..web.lookups import participant_or_404
from .blueprint import bp
from .forms import ImportForm, ParticipantForm
from .import_messages import problem_message

PER_PAGE = 200
MAX_SEARCH = 200
_EDITABLE = ("email", "name", "organisation", "city", "country", "group", "language")


@bp.get("/participants")
@role_required("coordinator")
def participants() -> ResponseReturnValue:
    search = _printable(request.args.get("q", ""))[:MAX_SEARCH]
    group = _printable(request.args.get("group", "")) or None
    page = request.args.get("page", 1, type=int)
    db = get_session()
    found = people.participants_page(db, group, search, page, PER_PAGE)
    return render_template(
        "coordinate/participants.html",
        found=found,
        search=search,
        group=group,
        groups=people.list_groups(db),
    )


@bp.route("/participants/<id:participant_id>/edit", methods=["GET", "POST"])
@role_required("coordinator")
def edit_participant(participant_id: int) -> ResponseReturnValue:
    person = participant_or_404(participant_id)
    form = ParticipantForm(obj=person)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("coordinate/participant_edit.html", form=form, person=person), status
    db = get_session()
    typed = {name: form[name].data or "" for name in _EDITABLE}
    values = people.ParticipantRow(line=0, **typed)  # line 0: not from a file
    try:
        changed = people.update_participant(db, person, values, actor=actor())
    except people.EmailTaken:
        form.email.errors = [_("Another participant has this email address already.")]
        return render_template("coordinate/participant_edit.html", form=form, person=person), 422
    db.commit()
    flash(_("The participant's details are saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("coordinate.participants"))


@bp.route("/participants/<id:participant_id>/delete", methods=["GET", "POST"])
@role_required("coordinator")
def delete_participant(participant_id: int) -> ResponseReturnValue:
    return _confirm_then_act(
        participant_id,
        "coordinate/participant_delete.html",
        lambda db, person: {"removal": people.removal_summary(db, person)},
        lambda db, person: people.remove_participant(db, person, actor=actor()),
        _("The participant, their invitations and their responses are removed."),
    )


@bp.route("/participants/<id:participant_id>/forget", methods=["GET", "POST"])
@role_required("coordinator")
def forget_participant(participant_id: int) -> ResponseReturnValue:
    """Erase a person on their request (GDPR art. 17), after a confirmation page."""
    return _confirm_then_act(
        participant_id,
        "coordinate/participant_forget.html",
        lambda db, person: {"erasure": privacy.erasure_preview(db, person)},
        lambda db, person: privacy.forget_participant(db, person, actor=actor()),
        _(
            "The person is forgotten: their details, links, mail records and answers are "
            "deleted; answers they gave in anonymous rounds stay, linked to no one."
        ),
    )


def _confirm_then_act(
    participant_id: int,
    page: str,
    summary: Callable[[Session, Participant], dict[str, object]],
    act: Callable[[Session, Participant], object],
    done: str,
) -> ResponseReturnValue:
    """GET: a page saying what would go (nothing changes); POST: do it, flash `done`, list."""
    person = participant_or_404(participant_id)
    db = get_session()
    if request.method == "GET":
        return render_template(page, person=person, **summary(db, person))
    act(db, person)
    db.commit()
    flash(done)
    return redirect(url_for("coordinate.participants"))


@bp.route("/participants/import", methods=["GET", "POST"])
@role_required("coordinator")
def import_participants() -> ResponseReturnValue:
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("coordinate/import.html", form=form, max_mb=_mb()), status
    db = get_session()
    report = people.import_participants(
        db,
        form.file.data.read(),
        group=form.group.data or None,
        file_name=_file_name(),
        actor=actor(),
    )
    imported = report.created + report.updated + report.unchanged
    if report.is_fatal or not imported:
        db.rollback()  # nothing half-imported: a fatal file stores no row
    else:
        db.commit()
    messages = [(p.line, problem_message(p)) for p in report.problems]
    page = render_template(
        "coordinate/import.html", form=form, report=report, messages=messages, max_mb=_mb()
    )
    return page, 200 if imported and not report.is_fatal else 422


def _printable(text: str) -> str:
    """The text without control characters (PostgreSQL refuses NUL) and surrounding space."""
    return "".join(c for c in text if c.isprintable()).strip()


def _file_name() -> str:
    upload = request.files.get("file")
    return _printable(upload.filename or "")[:100] or "file" if upload else "file"


def too_large_page(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A workspace body over MAX_CONTENT_LENGTH; an upload says so on the import page, not a
    bare 413 (shown by surveyapp/web/error_pages.py for this blueprint)."""
    if request.endpoint != "coordinate.import_participants" or not is_coordinator():
        return render_template("errors/error.html", code=413, message=None), 413
    message = _("The file is too large: at most %(size)s MB can be imported at once.", size=_mb())
    form = ImportForm(formdata=None)  # the request body is never read
    page = render_template("coordinate/import.html", form=form, too_large=message, max_mb=_mb())
    return page, 413


def _mb() -> str:
    """MAX_CONTENT_LENGTH in megabytes, as people write it ("2", "0.5")."""
    return f"{(current_app.config['MAX_CONTENT_LENGTH'] or 0) / (1024 * 1024):g}"
