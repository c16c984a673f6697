"""Publishing "you said, we did": the draft of a triaged round's report, the editors' notes
in the survey's other languages, and the coordinator's publish (services.published_reports).

The draft shows exactly what publishing freezes: no comment's text, language or group.
"""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_wtf import FlaskForm

from ..auth.access import actor, current_user, role_required
from ..db import get_session
from ..errors import InvalidRequest
from ..i18n import _
from ..services import published_reports, rounds
from ..services.feedback import NOTE_MAX
from ..web.lookups import chapter_titles, manual, round_or_404, topic_titles, writing_session
from ..web.round_pages import render_round_page
from .forms import STATUS_NAMES
from .views import bp

NOTE_FIELD = re.compile(r"note-(\d{1,9})-([a-z]{2,3}(?:-[A-Za-z]{2,4})?)")


def _lang() -> str:
    return str(get_locale() or "en")


@bp.get("/rounds/<id:round_id>/report")
@role_required("editor")
def report_draft(round_id: int) -> ResponseReturnValue:
    """The draft of the round's public report, its notes to translate, and its versions."""
    round_ = round_or_404(round_id)
    db = get_session()
    content = published_reports.report_content(db, round_, manual())
    survey = rounds.round_survey(round_)
    user = current_user()
    return render_round_page(
        "feedback/report_draft.html",
        round_,
        view=published_reports.report_view(content, _lang(), manual()),
        content=content,
        other_languages=[lang for lang in survey.languages if lang != survey.default_language],
        versions=published_reports.versions(db, round_),
        can_publish=user is not None and user.role == "coordinator",
        status_names=STATUS_NAMES,
        statuses=published_reports.REPORT_STATUSES,
        chapter_names=chapter_titles(_lang(), round_.revision),
        topic_names=topic_titles(_lang(), round_.revision),
        form=FlaskForm(),
        note_max=NOTE_MAX,
    )


@bp.post("/rounds/<id:round_id>/report/notes")
@role_required("editor")
def report_notes(round_id: int) -> ResponseReturnValue:
    """The notes' translations of the draft's form: one field per item and language."""
    round_ = round_or_404(round_id)
    if not FlaskForm().validate_on_submit():
        flash(_("Nothing was saved: the form has expired. Please try again."))
        return redirect(url_for("feedback.report_draft", round_id=round_.id), code=303)
    notes: dict[int, dict[str, str]] = {}
    for name, value in request.form.items():
        found = NOTE_FIELD.fullmatch(name)
        if found:
            notes.setdefault(int(found[1]), {})[found[2]] = value
    db = writing_session()
    try:
        changed = published_reports.save_note_translations(db, round_, notes, actor=actor())
    except InvalidRequest:  # a note over NOTE_MAX, posted past the field's maxlength
        db.rollback()
        flash(_("Nothing was saved: a note is longer than %(max)d characters.", max=NOTE_MAX))
        return redirect(url_for("feedback.report_draft", round_id=round_.id), code=303)
    db.commit()
    flash(_("Notes saved: %(num)d.", num=changed))
    return redirect(url_for("feedback.report_draft", round_id=round_.id), code=303)


@bp.post("/rounds/<id:round_id>/report/publish")
@role_required("coordinator")
def report_publish(round_id: int) -> ResponseReturnValue:
    """Freeze the draft as the next published version."""
    round_ = round_or_404(round_id)
    if FlaskForm().validate_on_submit():
        db = writing_session()
        report = published_reports.publish(db, round_, actor=actor(), manual=manual())
        db.commit()
        flash(_("Version %(version)d of the report is published.", version=report.version))
    else:
        flash(_("Nothing was published: the form has expired. Please try again."))
    return redirect(url_for("feedback.report_draft", round_id=round_.id), code=303)
