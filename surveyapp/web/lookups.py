"""Lookups that answer the plain 404 page, the manual, and the session of a download that
writes."""

from __future__ import annotations

from flask import abort, current_app
from sqlalchemy.orm import Session

from ..db import begin_write, get_session
from ..definitions import Manual, SurveyRegistry
from ..errors import UnknownRound
from ..models import Participant, Round
from ..services import rounds


def round_or_404(round_id: int) -> Round:
    """The round with this id, or the plain 404 page."""
    try:
        return rounds.get_round(get_session(), round_id)
    except UnknownRound:
        abort(404)


def participant_or_404(participant_id: int) -> Participant:
    """The participant with this id, or the plain 404 page."""
    found = get_session().get(Participant, participant_id)
    if found is None:
        abort(404)
    return found


def writing_session() -> Session:
    """The session of a GET whose service records an audit event (a download), taking
    SQLite's write lock up front.

    A GET begins a read transaction (the login check reads the account); upgrading it to a
    write after a respondent's save would fail with "database is locked".
    """
    db = get_session()
    begin_write(db)
    return db


def manual() -> Manual:
    """The manual of the app's surveys folder (empty when it has no manual.yaml)."""
    registry: SurveyRegistry = current_app.extensions["surveys"]
    return registry.manual


def chapter_titles(lang: str, revision: str | None = None) -> dict[str, str]:
    """Every chapter id of the manual with its title in `lang` (as in `revision`); pages
    show an id the manual lacks as it is (`titles.get(id, id)`)."""
    return manual().chapter_titles(lang, revision)


def topic_titles(lang: str, revision: str | None = None) -> dict[str, str]:
    """Every "chapter/topic" id pair of the manual with the topic's title in `lang` (as in
    `revision`); pages show a pair the manual lacks by the topic's id."""
    return manual().topic_titles(lang, revision)
