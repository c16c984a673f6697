"""A respondent's page or submit sent with an expired (or wrong) form token."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .. import unavailable
from ..definitions import visible_questions
from ..forms.dynamic import parse_section
from ..i18n import _
from ..services import anonymous
from ..services.page_answers import merged_answers, posted_errors
from ..services.response_reads import condition_values
from .context import link_or_404
from .rendering import invitation_only_begins, render_page, render_review, section_or_404


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    """A respondent whose session expired keeps every typed answer: show the page again.

    Anyone can post here with any token, so each posted value is held to its question's
    limit before the page is rendered, and one that breaks it gets the question's message;
    the questions the posted answers show are shown, as the save would have shown them.
    """
    token = request.view_args["token"]  # type: ignore[index]
    try:
        link, survey = link_or_404(token, with_answers=True)
        if anonymous.only_begins(link):  # it has no answers to keep, and shows none
            return invitation_only_begins(link, survey)
        stored = link.stored_answers()
        if request.endpoint == "respond.review":
            notice = _(
                "Your session had expired, so your answers were not submitted yet. "
                "They are all saved: check them and submit again."
            )
            return render_review(link, survey, stored, [], notice=notice), 400
        section = section_or_404(survey, request.view_args["section_id"])  # type: ignore[index]
    except (OperationalError, PoolTimeout) as unreachable:
        # An error handler's own errors skip the other handlers: send the page back from here.
        return unavailable.database_unavailable(unreachable)
    parsed = parse_section(section, request.form)
    shown = visible_questions(survey, condition_values(merged_answers(stored, parsed)))
    errors = posted_errors(section, parsed, shown)
    notice = _(
        "Your session had expired, so this page was not saved yet. "
        "Your answers are still here: check them and send the page again."
    )
    return render_page(link, survey, section, stored, errors, notice, shown, posted=True), 400
