"""Builders for test data: each returns a callable that makes one thing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Invitation, Participant, Round
from surveyapp.services import rounds

TEST_SURVEYS = Path(__file__).parent / "data" / "surveys"
test_registry = SurveyRegistry(TEST_SURVEYS)


def participant_maker(session: Session) -> Callable[..., Participant]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> Participant:
        n = next(counter)
        values = {
            "email": f"person{n}@city{n}.example",
            "name": f"Person {n}",
            "group": "validation-group",
            "country": "FI",
            "language": None,
        }
        values.update(fields)
        person = Participant(**values)
        session.add(person)
        session.commit()
        return person

    return make


def round_maker(session: Session) -> Callable[..., Round]:
    def make(survey_id: str = "respond-test", revision: str = "0.3", **options: Any) -> Round:
        round_ = rounds.open_round(session, test_registry, survey_id, revision, **options)
        session.commit()
        return round_

    return make


def invitation_maker(session: Session) -> Callable[[Round, Participant], Invitation]:
    def make(round_: Round, person: Participant) -> Invitation:
        rounds.invite_participants(session, round_, [person.id])
        session.commit()
        return session.scalars(
            select(Invitation).where(
                Invitation.round_id == round_.id, Invitation.participant_id == person.id
            )
        ).one()

    return make


def csrf_token(client: FlaskClient, url: str) -> str:
    """The form token of the page at `url`, as a browser would send it back."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no csrf_token on {url}"
    return match.group(1)


def post_page(client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """Post a page as a browser without JavaScript would: with its form token and hidden fields."""
    html = client.get(url).get_data(as_text=True)
    payload = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, f"no csrf_token on {url}"
    payload["csrf_token"] = token.group(1)
    payload.update(data)
    return client.post(url, data=payload, **kwargs)


def app_registry(app: Flask) -> SurveyRegistry:
    registry: SurveyRegistry = app.extensions["surveys"]
    return registry
