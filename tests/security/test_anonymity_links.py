"""Anonymity through links: in an anonymous round the invitation link only begins.

Whoever holds the invitation link afterwards (the coordinator with links.csv, say) sees no
answer on any page of it and changes nothing, while the respondent's private link keeps
working; the invitation alone keeps "started" and "submitted", for reminders and counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import csrf_token, fresh, post_page
from surveyapp.models import Answer, Invitation, Participant, Response, Round
from surveyapp.services import monitor
from surveyapp.services.mail import batches

Maker = Callable[..., Any]
USED = "This invitation has been used"
# Answers no page of the invitation link may show: a typed text and a number.
SECRET_TEXT = "Zebra notes 4471"
SECRET_YEARS = "37"


@pytest.fixture
def round_(make_round: Maker) -> Round:
    round_: Round = make_round(is_anonymous=True)
    return round_


@pytest.fixture
def invitation(round_: Round, make_participant: Maker, make_invitation: Maker) -> Invitation:
    invitation: Invitation = make_invitation(round_, make_participant(language="en"))
    return invitation


def begin(client: FlaskClient, invitation: Invitation) -> str:
    """Press Start on the invitation's start page; returns the private token it leads to."""
    start = f"/s/{invitation.token}"
    began = client.post(f"{start}/begin", data={"csrf_token": csrf_token(client, start)})
    assert began.status_code == 303, began.get_data(as_text=True)
    found = re.fullmatch(r"/s/([A-Za-z0-9_-]+)", began.headers["Location"])
    assert found and found.group(1) != invitation.token
    return found.group(1)


def answer_and_submit(client: FlaskClient, token: str) -> None:
    base = f"/s/{token}"
    assert (
        post_page(client, f"{base}/p/about", {"role": "officer", "years": SECRET_YEARS}).status_code
        == 302
    )
    why = {"why_clarity": "2", "why_missing": SECRET_TEXT}
    assert post_page(client, f"{base}/p/why", why).status_code == 302
    overall = {"chapters_read": ["why"], "overall_usefulness": "9"}
    assert post_page(client, f"{base}/p/overall", overall).status_code == 302
    assert post_page(client, f"{base}/review", {}).status_code == 302


def the_response(session: Session, round_: Round) -> Response:
    (response,) = fresh(session).scalars(select(Response).where(Response.round_id == round_.id))
    return response


def answers(session: Session, response: Response) -> dict[str, Any]:
    rows = fresh(session).execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)
    )
    return dict(rows.all())


@pytest.fixture
def answered(client: FlaskClient, invitation: Invitation) -> str:
    """The respondent (`client`) has begun, answered and submitted; their private token."""
    private = begin(client, invitation)
    answer_and_submit(client, private)
    return private


# --- what is stored -----------------------------------------------------------------------------


def test_beginning_makes_a_response_that_points_at_no_invitation(
    client: FlaskClient, session: Session, round_: Round, invitation: Invitation
) -> None:
    start = client.get(f"/s/{invitation.token}").get_data(as_text=True)
    assert f'action="/s/{invitation.token}/begin"' in start, "a Start button that begins"
    assert fresh(session).get_one(Invitation, invitation.id).started_at is None, "GET writes not"
    private = begin(client, invitation)
    response = the_response(session, round_)
    assert response.invitation_id is None
    assert response.token == private and response.status == "draft"
    invitation_now = session.get_one(Invitation, invitation.id)
    assert invitation_now.started_at is not None and invitation_now.submitted_at is None


def test_the_private_link_is_shown_to_its_respondent(
    app: Flask, client: FlaskClient, invitation: Invitation
) -> None:
    private = begin(client, invitation)
    start = client.get(f"/s/{private}").get_data(as_text=True)
    assert "This is your private link" in start
    address = f"{app.config['BASE_URL']}/s/{private}"
    assert f'href="{address}"' in start, "the full address, to keep"
    assert f'href="/s/{private}/p/about"' in start, "and the way on to the first page"
    answer_and_submit(client, private)
    thanks = client.get(f"/s/{private}/thanks").get_data(as_text=True)
    assert "This is your private link" in thanks and f"/s/{private}" in thanks


def test_the_invitation_keeps_no_time_of_its_own(
    session: Session, round_: Round, invitation: Invitation, answered: str
) -> None:
    """Its own times could be matched with the response's started and submitted times: it
    keeps the round's opening, as every invitation of the round does."""
    kept = fresh(session).get_one(Invitation, invitation.id)
    opened = fresh(session).get_one(Round, round_.id)
    mark = opened.opened_at or opened.created_at
    assert (kept.started_at, kept.submitted_at) == (mark, mark)
    response = the_response(session, round_)
    assert response.started_at != mark and response.submitted_at != mark


def test_submitting_records_the_first_submission_on_the_invitation(
    client: FlaskClient, session: Session, invitation: Invitation, answered: str
) -> None:
    first = fresh(session).get_one(Invitation, invitation.id).submitted_at
    assert first is not None
    post_page(client, f"/s/{answered}/review", {})
    assert fresh(session).get_one(Invitation, invitation.id).submitted_at == first


# --- the invitation link afterwards -------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/p/about", "/p/why", "/review", "/thanks"])
def test_the_coordinators_copy_of_the_link_shows_no_answers(
    app: Flask, invitation: Invitation, answered: str, path: str
) -> None:
    coordinator = app.test_client()  # links.csv in another browser
    page = coordinator.get(f"/s/{invitation.token}{path}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert USED in html
    for secret in (SECRET_TEXT, f'value="{SECRET_YEARS}"', answered, "officer"):
        assert secret not in html
    assert "Continue with your private link" not in html, "only the browser that began it"


def test_the_coordinators_copy_of_the_link_changes_nothing(
    app: Flask, session: Session, round_: Round, invitation: Invitation, answered: str
) -> None:
    response = the_response(session, round_)
    before = (answers(session, response), response.submission_count, response.updated_at)
    coordinator = app.test_client()
    token = csrf_token(coordinator, "/login")  # a valid form token of its own session
    base = f"/s/{invitation.token}"
    attempts = {
        f"{base}/p/about": {"role": "manager", "years": "1"},
        f"{base}/p/why": {"why_clarity": "1", "why_missing": "changed"},
        f"{base}/review": {},
        f"{base}/begin": {},
    }
    for url, data in attempts.items():
        sent = coordinator.post(url, data={**data, "csrf_token": token})
        assert sent.status_code == 409, url
        assert USED in sent.get_data(as_text=True)
    response = the_response(session, round_)
    assert (answers(session, response), response.submission_count, response.updated_at) == before
    count = select(func.count()).select_from(Response).where(Response.round_id == round_.id)
    assert session.scalar(count) == 1, "no second response begun"


def test_an_expired_form_on_the_used_link_shows_the_used_page(
    app: Flask, invitation: Invitation, answered: str
) -> None:
    coordinator = app.test_client()
    for path in ("/p/why", "/review"):
        sent = coordinator.post(f"/s/{invitation.token}{path}", data={"csrf_token": "expired"})
        html = sent.get_data(as_text=True)
        assert (sent.status_code, USED in html) == (409, True)
        assert SECRET_TEXT not in html and "why_missing" not in html, "no question page"


def test_the_browser_that_began_is_offered_to_continue(
    client: FlaskClient, invitation: Invitation, answered: str
) -> None:
    html = client.get(f"/s/{invitation.token}/review").get_data(as_text=True)
    assert USED in html and SECRET_TEXT not in html
    assert f'href="/s/{answered}"' in html and "Continue with your private link" in html


def test_an_unused_invitation_only_leads_to_its_start_page(
    client: FlaskClient, session: Session, round_: Round, invitation: Invitation
) -> None:
    base = f"/s/{invitation.token}"
    for path in ("/p/about", "/review", "/thanks"):
        assert client.get(base + path).headers["Location"] == base
    token = csrf_token(client, base)
    saved = client.post(f"{base}/p/about", data={"role": "officer", "csrf_token": token})
    assert (saved.status_code, saved.headers["Location"]) == (303, base)
    count = select(func.count()).select_from(Response).where(Response.round_id == round_.id)
    assert fresh(session).scalar(count) == 0
    assert session.get_one(Invitation, invitation.id).started_at is None


def test_two_browsers_beginning_one_invitation_make_one_response(
    app: Flask, session: Session, round_: Round, invitation: Invitation
) -> None:
    first, second = app.test_client(), app.test_client()
    start = f"/s/{invitation.token}"
    tokens = [csrf_token(browser, start) for browser in (first, second)]
    assert first.post(f"{start}/begin", data={"csrf_token": tokens[0]}).status_code == 303
    late = second.post(f"{start}/begin", data={"csrf_token": tokens[1]})
    assert late.status_code == 409 and USED in late.get_data(as_text=True)
    count = select(func.count()).select_from(Response).where(Response.round_id == round_.id)
    assert fresh(session).scalar(count) == 1


# --- the private link ---------------------------------------------------------------------------


def test_the_private_link_resumes_and_changes_a_submitted_response(
    app: Flask, session: Session, round_: Round, answered: str
) -> None:
    other_device = app.test_client()
    start = other_device.get(f"/s/{answered}").get_data(as_text=True)
    assert f'href="/s/{answered}/review"' in start, "a submitted response offers its review"
    page = other_device.get(f"/s/{answered}/p/why").get_data(as_text=True)
    assert SECRET_TEXT in page, "its holder sees the answers"
    changed = {"why_clarity": "1", "why_missing": "changed my mind", "return": "review"}
    assert post_page(other_device, f"/s/{answered}/p/why", changed).status_code == 302
    assert post_page(other_device, f"/s/{answered}/review", {}).status_code == 302
    response = the_response(session, round_)
    assert (response.status, response.submission_count) == ("submitted", 2)
    assert answers(session, response)["why_missing"] == "changed my mind"


# --- counts and reminders -----------------------------------------------------------------------


def test_counts_and_reminders_go_by_the_invitation(
    app: Flask,
    client: FlaskClient,
    session: Session,
    round_: Round,
    invitation: Invitation,
    make_participant: Maker,
    make_invitation: Maker,
) -> None:
    other = make_invitation(round_, make_participant(name="Not Yet"))
    private = begin(client, invitation)

    def figures() -> tuple[tuple[int, int, int], list[int], list[str], bool]:
        fresh(session)
        total = monitor.round_monitor(session, round_).total
        reminded = [i.id for i in batches.recipients(session, round_, "reminder")]
        waiting = [p.name for p in monitor.non_respondents(session, round_)]
        has_open = round_.id in monitor.open_link_figures(session, [round_.id])
        return (total.invited, total.started, total.submitted), reminded, waiting, has_open

    person = session.get_one(Participant, invitation.participant_id)
    assert figures() == ((2, 1, 0), [invitation.id, other.id], ["Not Yet", person.name], False)
    answer_and_submit(client, private)
    assert figures() == ((2, 1, 1), [other.id], ["Not Yet"], False)
    assert monitor.round_figures(session, [round_.id])[round_.id].as_dict() == {
        "invited": 2,
        "started": 1,
        "submitted": 1,
    }
    listed = app.test_cli_runner().invoke(args=["round", "list"])
    row = next(
        line for line in listed.output.splitlines() if line.strip().startswith(str(round_.id))
    )
    assert row.split()[-3:] == ["2", "1", "1"], listed.output


def test_an_open_link_beside_invitations_counts_only_its_own_responses(
    app: Flask, session: Session, make_round: Maker, make_participant: Maker, make_invitation: Maker
) -> None:
    round_ = make_round(is_anonymous=True, open_link=True)
    invitation = make_invitation(round_, make_participant())
    respondent = app.test_client()
    answer_and_submit(respondent, begin(respondent, invitation))
    visitor = app.test_client()
    opened = f"/o/{round_.open_link_token}"
    visitor.post(opened, data={"csrf_token": csrf_token(visitor, opened)})
    fresh(session)
    anyone = monitor.open_link_figures(session, [round_.id])[round_.id]
    assert (anyone.started, anyone.submitted) == (1, 0)
    assert monitor.round_monitor(session, round_).total.as_dict() == {
        "invited": 1,
        "started": 1,
        "submitted": 1,
    }


def test_a_named_round_keeps_its_invitations_started_and_submitted_too(
    client: FlaskClient,
    session: Session,
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
) -> None:
    named = make_round()
    invitation = make_invitation(named, make_participant())
    answer_and_submit(client, invitation.token)
    stored = fresh(session).get_one(Invitation, invitation.id)
    assert stored.started_at is not None and stored.submitted_at is not None
    response = the_response(session, named)
    assert response.invitation_id == invitation.id and response.token is None
