"""A survey page served from the caches (page_shell.py, question_html.py) is byte for byte
the page Jinja renders whole, for every page, language and respondent; and the caches hold
the survey's text, never an answer."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, app_registry, test_registry
from surveyapp.definitions import Survey, SurveyRegistry
from surveyapp.models import Invitation, Participant, Response, Round
from surveyapp.respond import page_shell, question_html
from surveyapp.services import rounds
from surveyapp.services.demo import demo_value
from surveyapp.services.response_reads import hidden_answer_ids, load_answers, visible_sections
from surveyapp.services.response_writes import write_answers


@contextmanager
def rendered_whole() -> Iterator[None]:
    """Within it, pages are rendered whole by Jinja, the caches neither read nor filled."""

    def whole(macro: Any, q: Any, lang: str, _locale: str, values: Any, hidden: bool) -> Any:
        return question_html._whole(macro, q, lang, values, {}, hidden)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(page_shell, "can_fill", lambda _token: False)
        patch.setattr(question_html, "_from_skeleton", whole)
        yield


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    page_shell._cache.clear()
    question_html._cache.clear()
    yield
    page_shell._cache.clear()
    question_html._cache.clear()


def _answered(session: Session, survey: Survey, invitation: Invitation, seed: int) -> None:
    """A response with plausible answers to about two thirds of the questions."""
    rng = random.Random(seed)
    response = Response(round_id=invitation.round_id, invitation_id=invitation.id)
    session.add(response)
    session.flush()
    values = {
        q.id: demo_value(q, rng)
        for s in survey.sections
        for q in s.questions
        if q.is_answerable and rng.random() < 0.7
    }
    if any(q.id == "role" for q in survey.iter_questions()):
        values["role"] = "officer" if seed % 2 else "manager"
    hidden = hidden_answer_ids(survey, values)
    write_answers(session, response, {k: v for k, v in values.items() if k not in hidden})
    session.commit()


def _page_urls(survey: Survey, token: str, stored: dict[str, Any]) -> list[str]:
    urls = [f"/s/{token}/p/{s.id}" for s in visible_sections(survey, stored)]
    return [*urls, f"{urls[-1]}?return=review", f"{urls[0]}?lang=sv", f"{urls[-1]}?lang=fi"]


# A page only officers see: for the others every later page has another number.
OFFICERS_PAGE = """\
  - id: officers
    title: {en: For officers, fi: Hankinta-asiantuntijoille, sv: För upphandlare}
    questions:
      - id: officer_years
        type: number
        show_if: {question: role, in: [officer]}
        text: {en: Years as an officer, fi: Vuosia, sv: År som upphandlare}
  - id: why
"""


def _registry(app: Flask, case: str, tmp_path: Path) -> tuple[SurveyRegistry, str]:
    if case == "manual-usability":
        return app_registry(app), case
    if case == "respond-test":
        return test_registry, case
    source = (TEST_SURVEYS / "respond-test.yaml").read_text(encoding="utf-8")
    (tmp_path / "respond-test.yaml").write_text(
        source.replace("  - id: why\n", OFFICERS_PAGE, 1), encoding="utf-8"
    )
    return SurveyRegistry(tmp_path), "respond-test"


@pytest.mark.parametrize("case", ["respond-test", "manual-usability", "a page for officers"])
def test_pages_from_the_caches_are_the_pages_rendered_whole(
    app: Flask,
    session: Session,
    tmp_path: Path,
    make_participant: Callable[..., Participant],
    make_invitation: Callable[[Round, Participant], Invitation],
    case: str,
) -> None:
    registry, survey_id = _registry(app, case, tmp_path)
    round_ = rounds.open_round(session, registry, survey_id, "1.0", actor=SETUP)
    session.commit()
    survey = rounds.round_survey(round_)
    # Two respondents share a language (the second is served what the first's pages
    # cached), a third has another; one has answered nothing yet.
    people = [
        (make_invitation(round_, make_participant(language=lang)), seed)
        for lang, seed in (("en", 1), ("en", 2), ("fi", 3), ("en", None))
    ]
    for invitation, seed in people:
        if seed is not None:
            _answered(session, survey, invitation, seed)

    compared = 0
    for invitation, _seed in people:
        client = app.test_client()
        for url in _page_urls(survey, invitation.token, _stored(session, invitation)):
            # Whole second: a first visit with ?lang= changes what later visits show.
            from_cache = _get(client, url)
            with rendered_whole():
                whole = _get(client, url)
            assert from_cache == whole, url
            compared += 1
    assert compared > 12
    assert len(page_shell._cache) and len(question_html._cache), "pages went through the caches"


def _stored(session: Session, invitation: Invitation) -> dict[str, Any]:
    session.expire_all()
    response = session.query(Response).filter_by(invitation_id=invitation.id).one_or_none()
    answers = load_answers(session, response)
    session.rollback()
    return answers


# flask_wtf signs the session's form token with the time, to the second: two renders of
# one page may differ there and nowhere else.
_SIGNED_TOKEN = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+"')


def _get(client: FlaskClient, url: str) -> str:
    reply = client.get(url)
    assert reply.status_code == 200, (url, reply.status_code)
    page, tokens = _SIGNED_TOKEN.subn(r'\1(token)"', reply.get_data(as_text=True))
    assert tokens == 1, url
    return page


def test_a_token_that_url_building_would_change_is_never_filled_in_raw() -> None:
    assert page_shell.can_fill("AbC-_09xyz")
    assert not page_shell.can_fill("a/b")
    assert not page_shell.can_fill("a%2Fb")
    assert not page_shell.can_fill("")
