"""What became of the feedback: the public "you said, we did" of a survey's revision, and
each respondent's own comments with their outcomes (services.outcomes).

The public page needs no link or login: it holds no comment's text and nothing about who
wrote one. The own outcomes page is reached only through the respondent's link: in a named
round the participant's comments across the survey's rounds; in an anonymous round only
the response's private link shows its comments, and its invitation link shows none.
"""

from __future__ import annotations

from functools import partial

from flask import abort, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from ..db import read_connection
from ..i18n import use_language
from ..models import Invitation, Round
from ..services import outcomes, published_reports, response_reads, rounds
from ..services.outcomes import OwnComment
from ..services.response_reads import Link
from ..web.lookups import chapter_titles, manual
from .context import language_for, page_context, resolve_counted
from .loop import reading_session
from .views import bp


@bp.get("/outcomes/<survey_id>/<revision>")
def published_report(survey_id: str, revision: str) -> ResponseReturnValue:
    """The newest published report of the survey's `revision`, in `?lang=`."""
    with reading_session() as db:
        report = published_reports.published_for(db, survey_id, revision)
        if report is None:
            abort(404)
        survey = rounds.round_survey(db.get_one(Round, report.round_id))
    use_language(language_for(survey, None, request.args.get("lang")))
    lang = g.page_lang
    return render_template(
        "respond/published_report.html",
        survey=survey,
        lang=lang,
        lang_url=lambda code: url_for(
            "respond.published_report", survey_id=survey_id, revision=revision, lang=code
        ),
        report=report,
        published_at=published_reports.published_at(report),
        view=published_reports.report_view(report.content, lang, manual()),
        chapter_names=chapter_titles(lang, revision),
    )


@bp.get("/s/<token>/outcomes")
def own_outcomes(token: str) -> ResponseReturnValue:
    """The respondent's own comments and what became of them; also once the round closed."""
    reads = read_connection()
    link = resolve_counted(token, partial(response_reads.resolve_link, reads))
    survey = response_reads.link_survey(reads, link)
    use_language(language_for(survey, link, request.args.get("lang")))
    lang = g.page_lang
    with reading_session() as db:
        comments = _own_comments(db, link, lang)
    html = render_template(
        "respond/outcomes.html",
        **page_context(link, survey),
        comments=comments,
        by_revision=_by_revision(comments or []),
        chapter_names=chapter_titles(lang),
    )
    return html, 200, {"Cache-Control": "no-store"}


def _own_comments(db: Session, link: Link, lang: str) -> list[OwnComment] | None:
    """The link's own comments; None for an anonymous round's invitation link."""
    comments: list[OwnComment] | None = None
    if link.round.is_anonymous:
        # Only the response's own private link: an invitation never leads to a response.
        if link.invitation_id is None and link.response is not None:
            comments = outcomes.comments_of_response(db, link.response.id, lang)
    elif link.invitation_id is not None:
        invitation = db.get_one(Invitation, link.invitation_id)
        round_ = db.get_one(Round, link.round.id)
        comments = outcomes.comments_of_participant(db, invitation.participant_id, round_, lang)
    elif link.response is not None:  # an open link's response
        comments = outcomes.comments_of_response(db, link.response.id, lang)
    return comments


def _by_revision(comments: list[OwnComment]) -> list[tuple[str, list[OwnComment]]]:
    groups: dict[str, list[OwnComment]] = {}
    for comment in comments:
        groups.setdefault(comment.round_revision, []).append(comment)
    return list(groups.items())
