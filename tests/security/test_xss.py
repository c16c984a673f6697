"""Cross-site scripting: payloads typed by respondents, entered for
participants, written into survey YAML and hidden in imported CSV files are shown as text on
every page that shows them, never as markup. The browser half is test_xss_browser.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from security_kit import (
    PAYLOAD_SURVEY_ID,
    XSS_PAYLOADS,
    answer,
    assert_inert,
    get_routes,
    invite,
    route_url,
    write_payload_survey,
)
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, fresh, post_page, workspace_token
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import FeedbackItem, Invitation, Round, User
from surveyapp.services import rounds

pytestmark = pytest.mark.parametrize("payload", XSS_PAYLOADS)
LogIn = Callable[[FlaskClient, str], User]


def open_round(
    session: Session, survey_id: str = "respond-test", revision: str = "0.3", **options: Any
) -> Round:
    registry = SurveyRegistry(TEST_SURVEYS)
    round_ = rounds.open_round(session, registry, survey_id, revision, **options, actor=SETUP)
    session.commit()
    return round_


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


# --- answers ------------------------------------------------------------------------------------


def test_answers_re_rendered_after_a_validation_error(
    client: FlaskClient, session: Session, payload: str
) -> None:
    invitation = invite(session, open_round(session))
    session.commit()
    about = f"/s/{invitation.token}/p/about"
    sent = post_page(client, about, {"role": "other", "role.other": payload, "years": payload})
    assert sent.status_code == 422
    assert_inert(sent.get_data(as_text=True), payload, "about page with errors")
    # A text answer over its 50-character cap comes back in its <textarea>, cut to the cap.
    long_text = payload + " " + "x" * 60
    why = f"/s/{invitation.token}/p/why"
    sent = post_page(client, why, {"why_clarity": "1", "why_missing": long_text})
    assert sent.status_code == 422
    assert_inert(sent.get_data(as_text=True), long_text[:50], "why page with errors")


def test_answers_on_the_review_page(client: FlaskClient, session: Session, payload: str) -> None:
    invitation = invite(session, open_round(session))
    session.commit()
    about = f"/s/{invitation.token}/p/about"
    assert post_page(client, about, {"role": "other", "role.other": payload}).status_code == 302
    assert_inert(page(client, f"/s/{invitation.token}/review"), payload, "review")
    # The next page carries the stored answers for the show/hide script: still inert.
    assert_inert(page(client, f"/s/{invitation.token}/p/why"), None, "next page")


def test_answers_on_the_dashboard_and_in_triage(
    client: FlaskClient, session: Session, as_user: LogIn, payload: str
) -> None:
    round_ = open_round(session, "analysis-test")
    person = invite(session, round_, group="g1")
    answer(
        session, round_, {"role": "other", "role.other": payload, "why_comment": payload}, person
    )
    session.commit()
    as_user(client, "editor")
    dashboard = f"/workspace/rounds/{round_.id}/results"
    assert_inert(page(client, dashboard), payload, "dashboard")
    assert_inert(page(client, f"{dashboard}?q=role:other"), None, "filtered dashboard")
    triage = f"/workspace/rounds/{round_.id}/feedback"
    assert_inert(page(client, triage), payload, "triage")
    # An editor's note is typed text too.
    (item,) = fresh(session).query(FeedbackItem).all()
    data = {"status": "accepted", "note": payload, "addressed_in_revision": "0.4"}
    data |= {"csrf_token": workspace_token(client, triage), "item": str(item.id)}
    saved = client.post(triage, data=data, follow_redirects=True)
    assert saved.status_code == 200
    assert_inert(saved.get_data(as_text=True), payload, "triage after saving a note")
    assert fresh(session).get_one(FeedbackItem, item.id).note == payload, "the note was saved"
    later = open_round(session, "analysis-test", "0.4")
    session.commit()
    assert_inert(page(client, f"/workspace/rounds/{later.id}/you-said-we-did"), payload, "ysww")


# --- participant fields -------------------------------------------------------------------------


def test_participant_fields_on_every_workspace_page(
    app: Flask, client: FlaskClient, session: Session, as_user: LogIn, payload: str
) -> None:
    round_ = open_round(session)
    fields = {"name": payload, "organisation": payload, "city": payload, "country": payload}
    invitation = invite(session, round_, group=payload, **fields)
    session.commit()
    as_user(client, "coordinator")
    expected_on = {
        "coordinate.participants",
        "coordinate.edit_participant",
        "coordinate.delete_participant",
        "coordinate.non_respondents",
        "coordinate.round_detail",
    }
    checked = set()
    for endpoint, url in workspace_pages(app, round_, invitation):
        response = client.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.mimetype == "text/html":
            shown = payload if endpoint in expected_on else None
            assert_inert(response.get_data(as_text=True), shown, url)
            checked.add(endpoint)
    assert expected_on <= checked, "the pages that list participants were reached"
    searched = page(client, "/workspace/participants?q=" + payload.replace("&", "%26"))
    assert_inert(searched, payload, "participant search")


def workspace_pages(app: Flask, round_: Round, invitation: Invitation) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET page of the workspace, for this round and participant."""
    values = {
        "round_id": round_.id,
        "participant_id": invitation.participant_id,
        "kind": "reminder",
    }
    pages = []
    for endpoint, rule, arguments in get_routes(app):
        if rule.startswith("/workspace"):
            known = {name: values.get(name, 1) for name in arguments}
            pages.append((endpoint, route_url(app, endpoint, known)))
    return pages


def test_payloads_in_an_imported_file_and_its_report(
    client: FlaskClient, as_user: LogIn, payload: str
) -> None:
    as_user(client, "coordinator")
    quoted = '"' + payload.replace('"', '""') + '"'
    rows = [
        "email,name,organisation,language",
        f"good@city.example,{quoted},{quoted},en",
        f"{quoted},Bad Email,Somewhere,en",  # invalid email: the report quotes it
        f"lang@city.example,Bad Language,Somewhere,{quoted}",  # unknown language: quoted too
    ]
    report = import_csv(client, "\n".join(rows))
    assert report.status_code == 200
    assert_inert(report.get_data(as_text=True), payload, "import report")
    assert_inert(page(client, "/workspace/participants"), payload, "imported participant")
    fatal = import_csv(client, f"{quoted},name\nx,y\n")  # no email column: the header is quoted
    assert fatal.status_code == 422
    assert_inert(fatal.get_data(as_text=True), None, "fatal import report")


def import_csv(client: FlaskClient, text: str) -> Any:
    from io import BytesIO

    url = "/workspace/participants/import"
    data = {
        "csrf_token": workspace_token(client, url),
        "file": (BytesIO(text.encode("utf-8")), "people.csv"),
        "group": "",
    }
    return client.post(url, data=data, content_type="multipart/form-data")


# --- survey text --------------------------------------------------------------------------------


@pytest.fixture
def payload_surveys(app_config: dict[str, Any], tmp_path: Path, payload: str) -> SurveyRegistry:
    """The app reads its surveys from a folder holding only the payload survey."""
    registry = write_payload_survey(tmp_path / "payload-surveys", [payload])
    app_config["SURVEYS_DIR"] = str(tmp_path / "payload-surveys")
    return registry


def test_survey_text_in_preview_respondent_pages_and_results(
    payload_surveys: SurveyRegistry,
    client: FlaskClient,
    session: Session,
    as_user: LogIn,
    payload: str,
) -> None:
    assert_inert(page(client, "/"), payload, "home")
    for n in (1, 2):
        assert_inert(
            page(client, f"/preview/{PAYLOAD_SURVEY_ID}?page={n}"), payload, f"preview {n}"
        )
    round_ = rounds.open_round(
        session, payload_surveys, PAYLOAD_SURVEY_ID, "0.3", open_link=True, actor=SETUP
    )
    invitation = invite(session, round_)
    session.commit()
    assert_inert(page(client, f"/o/{round_.open_link_token}"), payload, "open link")
    base = f"/s/{invitation.token}"
    assert_inert(page(client, base), payload, "start")
    for section in ("first", "second"):
        assert_inert(page(client, f"{base}/p/{section}"), payload, f"page {section}")
    sent = post_page(client, f"{base}/p/first", {"count": "x", "pick": "plain"})
    assert sent.status_code in (302, 422)
    sent = post_page(client, f"{base}/p/second", {"count": "not a number", "score": "3"})
    assert sent.status_code == 422
    assert_inert(sent.get_data(as_text=True), payload, "page with errors")
    post_page(client, f"{base}/p/second", {"score": "3", "comment": "fine", "grid.r1": "2"})
    assert_inert(page(client, f"{base}/review"), payload, "review")
    submitted = post_page(client, f"{base}/review", {})
    assert submitted.status_code == 302
    assert_inert(page(client, f"{base}/thanks"), payload, "thanks")
    answer(session, round_, {"pick": "plain", "many": ["a"], "scale": 2, "score": 7})
    session.commit()
    as_user(client, "coordinator")
    for url, shows_text in (
        (f"/workspace/rounds/{round_.id}/results", True),
        (f"/workspace/rounds/{round_.id}/feedback", True),
        (f"/workspace/rounds/{round_.id}", True),
        ("/workspace/rounds/new", True),
        ("/workspace/", False),  # lists rounds by survey id
    ):
        assert_inert(page(client, url), payload if shows_text else None, url)
