"""A link opens its own round and response only, and only while the round is open:
not another round's, not after closing (410), not before
opening (403); an open link never reaches a personal response."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from security_kit import answer, invite
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, csrf_token, fresh, post_page
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Answer, Invitation, Response, Round
from surveyapp.services import rounds


def open_round(session: Session, revision: str = "0.3", **options: Any) -> Round:
    registry = SurveyRegistry(TEST_SURVEYS)
    round_ = rounds.open_round(session, registry, "respond-test", revision, **options, actor=SETUP)
    session.commit()
    return round_


def respondent_requests(token: str, form_token: str) -> list[tuple[str, str, dict[str, str]]]:
    """Every respondent route a token can be put in, as (method, URL, form)."""
    form = {"csrf_token": form_token, "role": "officer", "action": "next"}
    return [
        ("GET", f"/s/{token}", {}),
        ("GET", f"/s/{token}/p/about", {}),
        ("GET", f"/s/{token}/review", {}),
        ("GET", f"/s/{token}/thanks", {}),
        ("POST", f"/s/{token}/p/about", form),
        ("POST", f"/s/{token}/review", {"csrf_token": form_token}),
        ("GET", f"/o/{token}", {}),
        ("POST", f"/o/{token}", {"csrf_token": form_token}),
    ]


def statuses(client: FlaskClient, requests: list[tuple[str, str, dict[str, str]]]) -> set[int]:
    found = set()
    for method, url, form in requests:
        sent = client.get(url) if method == "GET" else client.post(url, data=form)
        found.add(sent.status_code)
    return found


def answer_count(session: Session) -> int:
    return fresh(session).scalar(select(func.count()).select_from(Answer)) or 0


@pytest.fixture
def form_token(client: FlaskClient, session: Session) -> str:
    """A valid form token of this browser's session (from another round's open link)."""
    elsewhere = open_round(session, "9.9", open_link=True)
    return csrf_token(client, f"/o/{elsewhere.open_link_token}")


@pytest.mark.parametrize(
    ("state", "status"),
    [("closed", 410), ("closes_at passed", 410), ("not open yet", 403), ("draft", 403)],
)
def test_a_personal_link_outside_its_rounds_time_gets_its_status_everywhere(
    client: FlaskClient, session: Session, form_token: str, state: str, status: int
) -> None:
    round_ = open_round(session)
    invitation = invite(session, round_)
    now = dt.datetime.now(dt.UTC)
    if state == "closed":
        round_.status = "closed"
    elif state == "closes_at passed":
        round_.closes_at = now - dt.timedelta(minutes=1)
    elif state == "not open yet":
        round_.opens_at = now + dt.timedelta(days=1)
    else:
        round_.status = "draft"
    session.commit()
    personal = [r for r in respondent_requests(invitation.token, form_token) if "/s/" in r[1]]
    assert statuses(client, personal) == {status}
    assert answer_count(session) == 0, "nothing was stored"


def test_a_link_of_a_closed_round_stays_closed_while_another_round_is_open(
    client: FlaskClient, session: Session, form_token: str
) -> None:
    """The same person in two rounds: each link is bound to its own round."""
    old, new = open_round(session, "0.3"), open_round(session, "0.4")
    old_invitation = invite(session, old)
    session.commit()
    rounds.invite_participants(session, new, [old_invitation.participant_id], actor=SETUP)
    new_invitation = session.scalars(select(Invitation).where(Invitation.round_id == new.id)).one()
    old.status = "closed"
    session.commit()
    assert old_invitation.token != new_invitation.token
    old_links = [r for r in respondent_requests(old_invitation.token, form_token) if "/s/" in r[1]]
    assert statuses(client, old_links) == {410}
    saved = post_page(client, f"/s/{new_invitation.token}/p/about", {"role": "manager"})
    assert saved.status_code == 302
    (response,) = fresh(session).scalars(select(Response))
    assert (response.round_id, response.invitation_id) == (new.id, new_invitation.id)


def test_a_personal_token_is_no_open_link_and_an_open_link_is_no_personal_token(
    client: FlaskClient, session: Session, form_token: str
) -> None:
    round_ = open_round(session, open_link=True)
    invitation = invite(session, round_)
    session.commit()
    assert round_.open_link_token is not None
    opens = [r for r in respondent_requests(invitation.token, form_token) if "/o/" in r[1]]
    assert statuses(client, opens) == {404}
    personal = [r for r in respondent_requests(round_.open_link_token, form_token) if "/s/" in r[1]]
    assert statuses(client, personal) == {404}
    assert answer_count(session) == 0


def test_an_open_link_visitor_reaches_only_their_own_fresh_response(
    client: FlaskClient, session: Session
) -> None:
    round_ = open_round(session, open_link=True)
    invitation = invite(session, round_)
    answer(session, round_, {"role": "manager", "years": 31}, invitation, submit=False)
    session.commit()
    url = f"/o/{round_.open_link_token}"
    started = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert started.status_code == 302
    own = started.headers["Location"].split("/")[2]
    assert own not in (invitation.token, round_.open_link_token)
    page = client.get(f"/s/{own}/p/about").get_data(as_text=True)
    assert 'value="31"' not in page and 'value="manager" checked' not in page
    post_page(client, f"/s/{own}/p/about", {"role": "officer", "years": "2"})
    personal = (
        fresh(session)
        .scalars(select(Response).where(Response.invitation_id == invitation.id))
        .one()
    )
    stored = dict(
        session.execute(
            select(Answer.question_id, Answer.value).where(Answer.response_id == personal.id)
        ).all()
    )
    assert stored == {"role": "manager", "years": 31}, "the personal response is untouched"
    assert session.scalar(select(func.count()).select_from(Response)) == 2


def test_an_open_link_closes_with_its_round(client: FlaskClient, session: Session) -> None:
    round_ = open_round(session, open_link=True)
    url = f"/o/{round_.open_link_token}"
    token = csrf_token(client, url)
    started = client.post(url, data={"csrf_token": token})
    own = started.headers["Location"].split("/")[2]
    round_.status = "closed"
    session.commit()
    assert client.get(url).status_code == 410
    assert client.post(url, data={"csrf_token": token}).status_code == 410
    assert client.get(f"/s/{own}/p/about").status_code == 410
    assert fresh(session).scalar(select(func.count()).select_from(Response)) == 1
