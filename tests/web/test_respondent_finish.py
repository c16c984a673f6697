"""A respondent's side that feels finished (issue 16, parts 3 and 5): the matrix grid, Clear
without JavaScript, alphabetical options and Babel's country names, button order, the
review's matrix list, the favicon, what assistive technology is told, the about block,
the printable copy and the accessibility statement."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import post_page
from surveyapp.definitions import load_text
from surveyapp.models import Answer, Invitation, Response
from surveyapp.respond.question_html import questions_html


@pytest.fixture
def invitation(
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> Invitation:
    return make_invitation(make_round(), make_participant(language="en"))


def url(invitation: Invitation, section: str = "") -> str:
    return f"/s/{invitation.token}" + (f"/p/{section}" if section else "")


def answers_of(session: Session, invitation: Invitation) -> dict[str, Any]:
    session.rollback()
    session.expire_all()
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        return {}
    rows = select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)
    return dict(session.execute(rows).all())


def _tag(html: str, element_id: str) -> str:
    found = re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', html)
    assert found, element_id
    return found.group(0)


def test_the_matrix_is_a_grid_each_radio_named_by_row_and_column(
    client: FlaskClient, invitation: Invitation
) -> None:
    post_page(client, url(invitation, "about"), {"role": "manager"})
    html = client.get(url(invitation, "why")).text
    grid = html[html.index('<table class="matrix-grid">') : html.index("</table>") + 8]
    headers = re.findall(r'<th scope="col" id="(q-why_tools-col-\d)">([^<]+)</th>', grid)
    assert [text for _id, text in headers][:1] == ["Not at all useful"] and len(headers) == 5
    assert '<th scope="row"><span id="q-why_tools-canvas-label">Strategy canvas</span>' in grid
    radio = _tag(grid, "q-why_tools-canvas-2")
    assert 'aria-labelledby="q-why_tools-canvas-label q-why_tools-col-2"' in radio
    assert 'name="why_tools.canvas"' in radio and 'type="radio"' in radio
    assert grid.count('type="radio"') == 10


def test_clear_removes_one_answer_without_javascript_and_returns_to_the_page(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    post_page(client, url(invitation, "about"), {"role": "manager"})
    answers = {"why_clarity": "4", "why_tools.canvas": "5", "why_tools.matrix": "2"}
    post_page(client, url(invitation, "why"), answers)
    html = client.get(url(invitation, "why")).text
    assert 'name="_clear" value="why_tools.canvas"' in html
    assert 'name="_clear" value="why_clarity"' not in html  # required: nothing to clear
    cleared = post_page(client, url(invitation, "why"), {**answers, "_clear": "why_tools.canvas"})
    assert cleared.status_code == 303
    assert cleared.headers["Location"].endswith("/p/why#q-why_tools-canvas")
    assert answers_of(session, invitation)["why_tools"] == {"matrix": 2}
    # A whole single-choice answer, even with a required question left empty on the page.
    post_page(client, url(invitation, "about"), {"role": "manager", "years": "4"})
    again = post_page(
        client, url(invitation, "about"), {"role": "", "years": "4", "_clear": "role"}
    )
    assert again.status_code == 303 and "/p/about#q-role" in again.headers["Location"]
    assert answers_of(session, invitation)["years"] == 4


def test_enter_presses_next_and_back_comes_before_next(
    client: FlaskClient, invitation: Invitation
) -> None:
    post_page(client, url(invitation, "about"), {"role": "manager"})
    html = client.get(url(invitation, "why")).text
    form = html[html.index('<form class="survey-form"') :]
    buttons = re.findall(r'<button type="submit" name="(action|_clear)" value="([^"]+)"', form)
    assert buttons[0] == ("action", "next"), "the hidden default button comes first"
    assert buttons[-2:] == [("action", "back"), ("action", "next")], "Back, then Next last"
    assert 'class="default-action" tabindex="-1" aria-hidden="true"' in form


def test_review_lists_a_matrix_row_by_row(client: FlaskClient, invitation: Invitation) -> None:
    post_page(client, url(invitation, "about"), {"role": "manager"})
    post_page(client, url(invitation, "why"), {"why_clarity": "4", "why_tools.canvas": "5"})
    html = client.get(f"/s/{invitation.token}/review").text
    items = re.findall(r"<li>([^<]+): <span class=\"answer\">([^<]+)</span></li>", html)
    assert items == [("Strategy canvas", "Extremely useful"), ("Kraljic matrix", "Not answered")]


def test_favicon(client: FlaskClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"
    assert icon.mimetype == "image/vnd.microsoft.icon"
    html = client.get("/accessibility").text
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert client.get("/static/favicon.svg").status_code == 200


def test_errors_are_told_to_assistive_technology(
    client: FlaskClient, invitation: Invitation
) -> None:
    html = post_page(client, url(invitation, "about"), {"years": "many"}).text
    h1, summary = html.index("<h1>"), html.index('id="error-summary"')
    assert h1 < summary, "the error summary comes after the h1"
    role = _tag(html, "q-role-1")
    assert 'aria-invalid="true"' in role and " required" in role
    assert 'aria-invalid="true"' in _tag(html, "q-years-input")
    assert "aria-invalid" not in client.get(url(invitation, "about")).text


def test_required_questions_say_so(client: FlaskClient, invitation: Invitation) -> None:
    html = client.get(url(invitation, "about")).text
    assert " required" in _tag(html, "q-role-1")
    assert " required" not in _tag(html, "q-years-input")


def _question_markup(app: Flask, yaml: str, lang: str) -> str:
    survey = load_text(yaml)
    with app.test_request_context(f"/?lang={lang}"):
        from surveyapp.i18n import use_language

        use_language(lang)
        q = survey.questions[0]
        return str(questions_html([q], lang, {}, {}, {q.id}))


SORTED = """\
id: sorted
title: {en: S, fi: S, sv: S}
languages: [en, fi, sv]
sections:
  - id: one
    title: {en: One, fi: Yksi, sv: Ett}
    questions:
      - id: fruit
        type: single
        sort: alphabetical
        text: {en: Fruit, fi: Hedelmä, sv: Frukt}
        options:
          - {value: 1, label: {en: Zucchini, fi: Öljykasvi, sv: Äpple}}
          - {value: 2, label: {en: Apple, fi: Omena, sv: Banan}}
          - {value: 3, label: {en: Olive, fi: Ananas, sv: Zucchini}}
"""
COUNTRY = """\
id: countries
title: {en: C, fi: C, sv: C}
languages: [en, fi, sv]
sections:
  - id: one
    title: {en: One, fi: Yksi, sv: Ett}
    questions:
      - id: country
        type: single
        text: {en: Country, fi: Maa, sv: Land}
        options_from: countries
"""


def _labels(html: str) -> list[str]:
    return re.findall(r'<label for="q-[a-z]+-\d+">([^<]+)</label>', html)


@pytest.mark.parametrize(
    ("lang", "order"),
    [("en", ["Apple", "Olive", "Zucchini"]), ("fi", ["Ananas", "Omena", "Öljykasvi"]),
     ("sv", ["Banan", "Zucchini", "Äpple"])],
)  # fmt: skip
def test_alphabetical_options_in_the_respondents_language(
    app: Flask, lang: str, order: list[str]
) -> None:
    html = _question_markup(app, SORTED, lang)
    assert _labels(html) == order


def test_country_names_come_from_babel_in_finnish(app: Flask) -> None:
    labels = _labels(_question_markup(app, COUNTRY, "fi"))
    assert len(labels) == 27
    assert labels[:3] == ["Alankomaat", "Belgia", "Bulgaria"]
    assert "Suomi" in labels and "Ruotsi" in labels and labels[-1] == "Viro"
    assert labels.index("Italia") < labels.index("Itävalta")


def test_about_block_on_start_thanks_and_every_footer(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    start = client.get(url(invitation) + "?lang=fi").text
    section = start[start.index('aria-labelledby="about-survey-title"') :]
    assert "Tietoa kyselystä" in section and "Testikumppanuus" in section
    assert 'href="mailto:survey-team@example.org"' in section
    assert "Vastauksia säilytetään kaksi vuotta." in section
    assert 'href="https://example.org/privacy"' in section
    footer = client.get(url(invitation, "about")).text.split('class="site-footer"')[1]
    assert "Testikumppanuus" in footer and "/accessibility?lang=fi" in footer
    post_page(client, url(invitation, "about"), {"role": "manager"})
    post_page(client, url(invitation, "why"), {"why_clarity": "4"})
    post_page(client, url(invitation, "overall"), {"overall_usefulness": "9"})
    post_page(client, f"/s/{invitation.token}/review", {})
    thanks = client.get(f"/s/{invitation.token}/thanks").text
    assert "Tietoa kyselystä" in thanks and "Testikumppanuus" in thanks
    assert f"/s/{invitation.token}/answers" in thanks


def test_the_closing_time_comes_from_the_round(
    client: FlaskClient,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    import datetime as dt

    round_ = make_round(closes_at=dt.datetime(2099, 1, 31, 21, 0, tzinfo=dt.UTC))
    inv = make_invitation(round_, make_participant(language="fi"))
    html = client.get(url(inv)).text
    assert "Kysely sulkeutuu 31. tammikuuta 2099 21.00 UTC." in html


def test_printable_copy_lists_questions_and_answers(
    client: FlaskClient, invitation: Invitation
) -> None:
    post_page(client, url(invitation, "about"), {"role": "manager", "years": "12"})
    post_page(client, url(invitation, "why"), {"why_clarity": "4", "why_tools.matrix": "2"})
    html = client.get(f"/s/{invitation.token}/answers").text
    assert "<h1>Your answers</h1>" in html
    assert re.search(r"<dt>[^<]*</dt>\s*<dd>\s*12\s*</dd>", html)
    assert "<li>Kraljic matrix: Slightly useful</li>" in html
    assert "<li>Strategy canvas: Not answered</li>" in html
    assert 'class="no-print"' in html
    assert 'name="action"' not in html  # nothing to press


@pytest.mark.parametrize(
    ("lang", "title", "standard"),
    [("en", "Accessibility statement", "WCAG) 2.1 at level AA"),
     ("fi", "Saavutettavuusseloste", "WCAG) 2.1 AA-tason"),
     ("sv", "Tillgänglighetsutlåtande", "WCAG) 2.1 på nivå AA")],
)  # fmt: skip
def test_accessibility_statement_in_three_languages(
    client: FlaskClient, app: Flask, lang: str, title: str, standard: str
) -> None:
    app.config["ACCESSIBILITY_CONTACT"] = "a11y@example.org"
    html = client.get(f"/accessibility?lang={lang}").text
    assert f'<html lang="{lang}">' in html and f"<h1>{title}</h1>" in html
    assert standard in html and "axe" in html and "320" in html
    assert 'href="mailto:a11y@example.org"' in html


def test_error_pages_link_the_accessibility_statement_too(
    client: FlaskClient,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
    session: Session,
) -> None:
    from builders import SETUP
    from surveyapp.services import rounds

    round_ = make_round()
    inv = make_invitation(round_, make_participant(language="sv"))
    rounds.close_round(session, round_, actor=SETUP)
    session.commit()
    closed = client.get(url(inv))
    assert closed.status_code == 410
    assert 'href="/accessibility?lang=sv">Tillgänglighetsutlåtande</a>' in closed.text
    assert 'href="/accessibility?lang=' in client.get("/s/no-such-link").text
