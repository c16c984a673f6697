"""A respondent's own outcomes: what became of each of their comments, as published.

A comment's status, note and revision are shown to its respondent only once a report of
its round is published (services.published_reports), as that report froze them; before,
the comment is listed as "not reported yet". Named rounds find a person's comments through
the participant, across the survey's rounds; an anonymous round's only through the
response's own private link, never through an invitation or a person.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..definitions.manual import revision_key
from ..definitions.schema import localize
from ..i18n import _, ngettext
from ..models import Answer, FeedbackItem, Invitation, Participant, Response, Round
from . import published_reports
from .feedback import text_questions
from .published_reports import Note
from .rounds import previous_revision_round, round_survey


@dataclass(frozen=True)
class OwnComment:
    """One of the respondent's comments with what became of it; `status` is None until a
    report of its round is published (or when the report left it out as not triaged)."""

    item_id: int
    round_revision: str
    chapter: str | None
    question: str
    text: str
    status: str | None
    note: Note | None
    revision: str | None


def comments_of_response(session: Session, response_id: int, lang: str) -> list[OwnComment]:
    """The comments of one response (an anonymous round's, through its private link)."""
    return _comments(session, [Response.id == response_id], lang)


def comments_of_participant(
    session: Session, participant_id: int, round_: Round, lang: str
) -> list[OwnComment]:
    """The participant's comments in the named rounds of `round_`'s survey up to its
    revision, the earliest revision first. Never an anonymous round's."""
    rounds = session.scalars(
        select(Round).where(Round.survey_id == round_.survey_id, Round.is_anonymous.is_(False))
    )
    upto = revision_key(round_.revision)
    round_ids = [r.id for r in rounds if revision_key(r.revision) <= upto]
    where = [
        Response.round_id.in_(round_ids),
        Invitation.participant_id == participant_id,
        Round.is_anonymous.is_(False),
    ]
    return _comments(session, where, lang)


def _comments(session: Session, where: list[Any], lang: str) -> list[OwnComment]:
    query = (
        select(FeedbackItem, Answer.value, Round)
        .join(Response, Response.id == FeedbackItem.response_id)
        .join(Round, Round.id == FeedbackItem.round_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .join(
            Answer,
            (Answer.response_id == FeedbackItem.response_id)
            & (Answer.question_id == FeedbackItem.question_id),
        )
        .where(Response.status == "submitted", *where)
        .order_by(FeedbackItem.id)
    )
    found: list[tuple[int, OwnComment]] = []
    reports: dict[int, dict[int, dict[str, Any]]] = {}
    for item, value, round_ in session.execute(query):
        if round_.id not in reports:
            report = published_reports.latest(session, round_.id)
            default = report.content.get("default_language", "en") if report else "en"
            items = report.content["items"] if report else []
            reports[round_.id] = {raw["item"]: {**raw, "_default": default} for raw in items}
        questions = text_questions(round_survey(round_))
        if item.question_id not in questions or not isinstance(value, str):
            continue
        section, question = questions[item.question_id]
        published = reports[round_.id].get(item.id)
        place = list(questions).index(item.question_id)
        comment = OwnComment(
            item_id=item.id,
            round_revision=round_.revision,
            chapter=section.chapter,
            question=localize(question.text, lang),
            text=value,
            status=published["status"] if published else None,
            note=(
                published_reports.note_in(published["notes"], lang, published["_default"])
                if published
                else None
            ),
            revision=published["revision"] if published else None,
        )
        found.append((place, comment))
    revisions = sorted({c.round_revision for _place, c in found}, key=revision_key)
    order = {r: n for n, r in enumerate(revisions)}
    ordered = sorted(found, key=lambda pc: (order[pc[1].round_revision], pc[0], pc[1].item_id))
    return [comment for _place, comment in ordered]


def summary(comments: list[OwnComment], revision: str) -> str | None:
    """One sentence on what became of the comments, in the current language: "On revision
    0.3 you left 4 comments: 2 accepted, 1 done in 0.4, 1 not taken up." None if no report
    has been published of them."""
    if not comments or all(c.status is None for c in comments):
        return None
    counts: Counter[tuple[str, str | None]] = Counter()
    for c in comments:
        if c.status == "done":
            counts["done", c.revision] += 1
        else:
            counts[c.status or "new", None] += 1
    parts = []
    for status in ("accepted", "partly_accepted", "done", "rejected", "duplicate", "new"):
        for (key, done_in), num in sorted(counts.items(), key=lambda kv: str(kv[0][1])):
            if key == status:
                parts.append(_part(status, num, done_in))
    return ngettext(
        "On revision %(revision)s you left %(num)d comment: %(outcomes)s.",
        "On revision %(revision)s you left %(num)d comments: %(outcomes)s.",
        len(comments),
        revision=revision,
        outcomes=", ".join(parts),
    )


def _part(status: str, num: int, done_in: str | None) -> str:
    if status == "done" and done_in:
        return ngettext(
            "%(num)d done in %(revision)s", "%(num)d done in %(revision)s", num, revision=done_in
        )
    if status == "done":
        return ngettext("%(num)d done", "%(num)d done", num)
    if status == "accepted":
        return ngettext("%(num)d accepted", "%(num)d accepted", num)
    if status == "partly_accepted":
        return ngettext("%(num)d partly accepted", "%(num)d partly accepted", num)
    if status == "rejected":
        return ngettext("%(num)d not taken up", "%(num)d not taken up", num)
    if status == "duplicate":
        return ngettext(
            "%(num)d the same as another comment", "%(num)d the same as other comments", num
        )
    return ngettext("%(num)d not considered yet", "%(num)d not considered yet", num)


def outcomes_line(
    session: Session, participant: Participant, round_: Round, lang: str
) -> str | None:
    """The line a named round's start page and mails show the participant about their
    comments on the previous revision, in `lang`: "On revision 0.3 you left 4 comments:
    2 accepted, 1 done in 0.4, 1 not taken up." None when they left none there, that round
    was anonymous, or no report of it is published yet.

    For the invitation and reminder mails of `round_` (and the reminder job): the caller
    adds the link to the outcomes page (`<personal link>/outcomes`)."""
    previous = previous_revision_round(session, round_.survey_id, round_.revision)
    if previous is None or previous.is_anonymous or round_.is_anonymous:
        return None
    where = [Response.round_id == previous.id, Invitation.participant_id == participant.id]
    with force_locale(lang):
        comments = _comments(session, where, lang)
        return summary(comments, previous.revision)


def see_outcomes(lang: str) -> str:
    """The words of the link to the outcomes page, in `lang`."""
    with force_locale(lang):
        return _("See what became of them.")
