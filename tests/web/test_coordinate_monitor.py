"""Watching a round: figures by group and country, links CSV, non-respondents (page and CSV)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from builders import assert_by_account, fresh, table_rows
from builders import respond_as as respond
from surveyapp.models import Invitation, Response, Round
from surveyapp.services import monitor
from surveyapp.services.tokens import new_token

XSS_NAMES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')

Maker = Callable[..., Any]


def open_link_response(session: Session, round_: Round, status: str) -> None:
    session.add(Response(round_id=round_.id, token=new_token(), status=status))
    session.commit()


@pytest.fixture
def monitored(
    session: Session, make_round: Maker, make_participant: Maker, make_invitation: Maker
) -> Round:
    """Six invited people in groups and countries, four started, three submitted; the hand-made
    figures are in the tests below. One more person is not invited; the open link has two."""
    round_ = make_round(open_link=True)
    people = [
        ("Aino", "validation-group", "FI", "submitted"),
        ("Birgitta", "validation-group", "SE", "draft"),
        ("Cecilia", "validation-group", "FI", None),
        ("Dario", "city-pilot", "FI", "submitted"),
        ("Eero", "city-pilot", "", None),
        ("Frida", "", "SE", "submitted"),
    ]
    for name, group, country, status in people:
        invitation = make_invitation(
            round_, make_participant(name=name, group=group, country=country)
        )
        if status:
            respond(session, invitation, status)
    make_participant(name="Gustav", group="validation-group", country="FI")  # not invited
    open_link_response(session, round_, "submitted")
    open_link_response(session, round_, "draft")
    return round_


# --- the rounds list ---------------------------------------------------------------------------


def test_rounds_list_links_every_round_and_shows_personal_link_figures(
    coordinator: FlaskClient, monitored: Round
) -> None:
    html = coordinator.get("/workspace/").get_data(as_text=True)
    assert f'href="/workspace/rounds/{monitored.id}"' in html
    rows = table_rows(html, "Rounds")
    assert rows[1][6:] == ["6", "4", "3", "50 %", "2 started, 1 submitted"]


def test_rounds_list_shows_each_rounds_opening_and_closing_time(
    coordinator: FlaskClient, make_round: Maker
) -> None:
    opens = dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC)
    closes = dt.datetime(2030, 3, 31, 17, 30, tzinfo=dt.UTC)
    dated = make_round(revision="0.5", opens_at=opens, closes_at=closes)
    make_round(revision="0.6")
    rows = table_rows(coordinator.get("/workspace/").get_data(as_text=True), "Rounds")
    assert rows[0][3:6] == ["Status", "Opens", "Closes"]
    by_revision = {row[2]: row for row in rows[1:]}
    assert by_revision[dated.revision][3:6] == [
        "not open yet",
        "2030-03-01 09:00 UTC",
        "2030-03-31 17:30 UTC",
    ]
    assert by_revision["0.6"][4:6] == ["–none", "–none"], "no time: a dash, read as 'none'"


def test_the_rounds_list_counts_in_two_queries_however_many_rounds(
    app: Flask, coordinator: FlaskClient, make_round: Maker
) -> None:
    for revision in ("0.1", "0.2", "0.3", "0.4"):
        make_round(revision=revision)
    with count_queries(app) as statements:
        assert coordinator.get("/workspace/").status_code == 200
    figures = [s for s in statements if "invitations" in s or "responses" in s]
    assert len(figures) == 2, figures


# --- the round page ----------------------------------------------------------------------------


def test_round_page_shows_status_dates_totals_and_monitor_by_group_and_country(
    coordinator: FlaskClient, monitored: Round
) -> None:
    html = coordinator.get(f"/workspace/rounds/{monitored.id}").get_data(as_text=True)
    assert "<h1>" in html and "revision 0.3" in html and "respond-test" in html
    assert "2 started, 1 submitted" in html, "open-link responses are counted apart"
    by_group = table_rows(html, "Responses by group")
    assert by_group[1:] == [
        ["city-pilot", "2", "1", "1", "50 %"],
        ["validation-group", "3", "2", "1", "33 %"],
        ["(no group)", "1", "1", "1", "100 %"],
        ["All invited", "6", "4", "3", "50 %"],
    ]
    by_country = table_rows(html, "Responses by country")
    assert by_country[1:] == [
        ["FI", "3", "2", "2", "67 %"],
        ["SE", "2", "2", "1", "50 %"],
        ["(no country)", "1", "0", "0", "0 %"],
        ["All invited", "6", "4", "3", "50 %"],
    ]


def test_the_monitor_service_matches_hand_counted_figures_in_two_queries(
    app: Flask, session: Session, monitored: Round
) -> None:
    fresh(session).refresh(monitored)
    with count_queries(app) as statements:
        figures = monitor.round_monitor(session, monitored)
    assert len(statements) == 2, statements
    assert figures.total.as_dict() == {"invited": 6, "started": 4, "submitted": 3}
    assert {name: f.as_dict() for name, f in figures.by_country}["SE"] == {
        "invited": 2,
        "started": 2,
        "submitted": 1,
    }
    assert (figures.open_link.started, figures.open_link.submitted) == (2, 1)


def test_round_page_with_nobody_invited_shows_no_rate(
    coordinator: FlaskClient, make_round: Maker
) -> None:
    round_ = make_round()
    html = coordinator.get(f"/workspace/rounds/{round_.id}").get_data(as_text=True)
    assert table_rows(html, "Responses by group")[1:] == [["All invited", "0", "0", "0", "–none"]]


# --- links CSV ---------------------------------------------------------------------------------


def test_links_csv_is_an_uncached_utf8_attachment_in_the_cli_format(
    coordinator: FlaskClient,
    session: Session,
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
) -> None:
    round_ = make_round()
    aino = make_invitation(round_, make_participant(name="Äino Ö", language="fi"))
    bert = make_invitation(round_, make_participant(name="=HYPERLINK(1)", language="de"))
    response = coordinator.get(f"/workspace/rounds/{round_.id}/links.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="round-{round_.id}-links.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "name,email,language,link"
    assert (
        lines[1]
        == f"'=HYPERLINK(1),{bert.participant.email},en,http://127.0.0.1:5000/s/{bert.token}"
    )
    assert lines[2] == f"Äino Ö,{aino.participant.email},fi,http://127.0.0.1:5000/s/{aino.token}"
    assert lines[3:] == [""]


def test_downloads_are_audited_without_any_token(
    coordinator: FlaskClient, session: Session, audit_events: Callable[..., Any], monitored: Round
) -> None:
    coordinator.get(f"/workspace/rounds/{monitored.id}/links.csv")
    coordinator.get(f"/workspace/rounds/{monitored.id}/non-respondents.csv")
    (links,) = audit_events("links_downloaded")
    assert links.target == f"round {monitored.id}" and links.detail == "6 personal links"
    assert links.actor_email.startswith("coordinator") and links.address == "127.0.0.1"
    (exported,) = audit_events("non_respondents_exported")
    assert exported.detail == "3 participants"
    for event_ in (links, exported):
        assert_by_account(session, event_, "coordinator")
    tokens = set(fresh(session).scalars(select(Invitation.token)))
    tokens |= {monitored.open_link_token, *fresh(session).scalars(select(Response.token))}
    text = " ".join(f"{e.target} {e.detail}" for e in audit_events(with_setup=True))
    assert not [t for t in tokens if t and t in text]


# --- non-respondents ---------------------------------------------------------------------------


def test_non_respondents_lists_invited_people_who_have_not_submitted(
    coordinator: FlaskClient, monitored: Round
) -> None:
    html = coordinator.get(f"/workspace/rounds/{monitored.id}/non-respondents").get_data(
        as_text=True
    )
    rows = table_rows(html, f"Non-respondents of round {monitored.id}")
    assert [(r[0], r[3], r[4], r[5]) for r in rows[1:]] == [
        ("Birgitta", "validation-group", "SE", "yes"),
        ("Cecilia", "validation-group", "FI", "no"),
        ("Eero", "city-pilot", "", "no"),
    ]
    assert "3 invited participants have not submitted." in html


def test_non_respondents_csv(coordinator: FlaskClient, monitored: Round) -> None:
    response = coordinator.get(f"/workspace/rounds/{monitored.id}/non-respondents.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "name,email,organisation,group,country,language,started"
    assert [line.split(",")[0] + "," + line.split(",")[-1] for line in lines[1:]] == [
        "Birgitta,yes",
        "Cecilia,no",
        "Eero,no",
    ]


def test_an_anonymous_round_lists_non_respondents_without_their_progress(
    coordinator: FlaskClient,
    session: Session,
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
) -> None:
    round_ = make_round(is_anonymous=True)
    respond(session, make_invitation(round_, make_participant(name="Started")), "draft")
    url = f"/workspace/rounds/{round_.id}/non-respondents"
    html = coordinator.get(url).get_data(as_text=True)
    assert "Started" in html and "The round is anonymous" in html
    assert table_rows(html, f"Non-respondents of round {round_.id}")[0][-1] == "Country"
    csv_lines = coordinator.get(f"{url}.csv").get_data().decode("utf-8-sig").splitlines()
    assert csv_lines[0] == "name,email,organisation,group,country,language"


@pytest.mark.parametrize("name", XSS_NAMES)
def test_names_are_escaped_on_the_non_respondents_page(
    coordinator: FlaskClient,
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
    name: str,
) -> None:
    round_ = make_round()
    make_invitation(round_, make_participant(name=name, organisation=name))
    html = coordinator.get(f"/workspace/rounds/{round_.id}/non-respondents").get_data(as_text=True)
    assert name not in html
    assert name.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in html


# --- helpers -----------------------------------------------------------------------------------


class count_queries:  # lower case: used like a function, as a context manager
    """Collects the SQL statements the app's engine runs inside the block."""

    def __init__(self, app: Flask) -> None:
        self.engine = app.extensions["engine"]
        self.statements: list[str] = []

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.statements

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)
