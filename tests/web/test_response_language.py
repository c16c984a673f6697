"""The response's language: the one its first page was shown in, stored when it is created,
and what the dashboard's language filter and the exports' language column then show."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import csrf_token, fresh, post_page, workspace_token
from surveyapp.models import Response, Round

Maker = Callable[..., Any]


def languages(session: Session, round_: Round) -> list[str | None]:
    query = select(Response.language).where(Response.round_id == round_.id)
    return list(fresh(session).scalars(query.order_by(Response.id)))


def swedish_browser(app: Flask) -> FlaskClient:
    """A browser that asks for Swedish, for a participant whose language is unknown."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv-SE,sv;q=0.9"
    return browser


@pytest.mark.parametrize("chosen", ["by the browser", "on the language switcher"])
def test_a_response_made_by_saving_the_first_page_in_swedish_is_swedish(
    app: Flask,
    session: Session,
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
    chosen: str,
) -> None:
    round_ = make_round()
    if chosen == "by the browser":
        invitation = make_invitation(round_, make_participant(language=None))
        browser = swedish_browser(app)
    else:
        invitation = make_invitation(round_, make_participant(language="fi"))
        browser = app.test_client()  # asks for nothing: the participant's fi would win
        assert '<html lang="sv">' in browser.get(f"/s/{invitation.token}?lang=sv").text
    page = f"/s/{invitation.token}/p/about"
    assert '<html lang="sv">' in browser.get(page).text
    assert post_page(browser, page, {"role": "officer"}).status_code == 302
    assert languages(session, round_) == ["sv"]


def test_an_anonymous_response_begun_in_swedish_is_swedish(
    app: Flask, session: Session, make_round: Maker, make_participant: Maker, make_invitation: Maker
) -> None:
    round_ = make_round(is_anonymous=True)
    invitation = make_invitation(round_, make_participant(language=None))
    browser = swedish_browser(app)
    start = f"/s/{invitation.token}"
    began = browser.post(f"{start}/begin", data={"csrf_token": csrf_token(browser, start)})
    assert began.status_code == 303
    assert languages(session, round_) == ["sv"]


def test_an_open_link_response_is_made_in_the_language_of_its_page(
    app: Flask, session: Session, make_round: Maker
) -> None:
    round_ = make_round(open_link=True)
    browser = swedish_browser(app)
    opened = f"/o/{round_.open_link_token}"
    assert browser.post(opened, data={"csrf_token": csrf_token(browser, opened)}).status_code == 302
    assert languages(session, round_) == ["sv"]


# --- where it shows -----------------------------------------------------------------------------


def answer_and_submit(browser: FlaskClient, token: str) -> None:
    base = f"/s/{token}"
    post_page(browser, f"{base}/p/about", {"role": "officer"})
    post_page(browser, f"{base}/p/why", {"why_clarity": "2", "why_missing": "Too short."})
    post_page(browser, f"{base}/p/overall", {"chapters_read": ["why"], "overall_usefulness": "9"})
    assert post_page(browser, f"{base}/review", {}).status_code == 302


@pytest.fixture
def answered(
    app: Flask, session: Session, make_round: Maker, make_participant: Maker, make_invitation: Maker
) -> Round:
    """Two submitted responses, answered in Swedish (by the browser) and in Finnish."""
    round_: Round = make_round()
    swedish = make_invitation(round_, make_participant(language=None))
    finnish = make_invitation(round_, make_participant(language="fi"))
    answer_and_submit(swedish_browser(app), swedish.token)
    answer_and_submit(app.test_client(), finnish.token)
    assert languages(session, round_) == ["sv", "fi"]
    return round_


def test_the_dashboard_filters_by_the_stored_language(editor: FlaskClient, answered: Round) -> None:
    results = f"/workspace/rounds/{answered.id}/results"
    html = editor.get(results).text
    select_html = html[html.index('<select id="f-language"') :]
    select_html = select_html[: select_html.index("</select>")]
    assert re.findall(r'<option value="(\w+)"', select_html) == ["fi", "sv"]
    assert '<dd id="responses-shown">1</dd>' in editor.get(f"{results}?language=sv").text


def test_the_excel_summary_and_the_tidy_csv_carry_the_language(
    app: Flask, editor: FlaskClient, answered: Round, tmp_path: Path
) -> None:
    url = f"/workspace/rounds/{answered.id}/export"
    started = editor.post(url, data={"csrf_token": workspace_token(editor), "lang": "en"})
    job_page = editor.get(started.headers["Location"]).text
    link = re.search(r'href="([^"]+/file)" download', job_page)
    assert link, job_page
    book = load_workbook(io.BytesIO(editor.get(link.group(1)).get_data()), read_only=True)
    for sheet in ("Responses", "Feedback"):
        rows = list(book[sheet].iter_rows(values_only=True))
        column = rows[0].index("language")
        assert sorted(row[column] for row in rows[1:]) == ["fi", "sv"], sheet

    tidy = tmp_path / "tidy.csv"
    ran = app.test_cli_runner().invoke(
        args=["export", str(answered.id), "-o", str(tmp_path / "x.xlsx"), "--csv", str(tidy)]
    )
    assert ran.exit_code == 0, ran.output
    with tidy.open(encoding="utf-8") as handle:
        found = {row["language"] for row in csv.DictReader(handle)}
    assert found == {"fi", "sv"}
