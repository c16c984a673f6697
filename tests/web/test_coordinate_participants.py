"""Coordinators' participant pages: list and search, edit, remove, import from CSV."""

from __future__ import annotations

import io
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import markupsafe
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import assert_by_account, fresh, table_rows, workspace_token
from surveyapp.models import Answer, Invitation, Participant, Response

CSV_DIR = Path(__file__).parent.parent / "data" / "csv"
XSS_NAMES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
IMPORT_URL = "/workspace/participants/import"

Maker = Callable[..., Any]


def escaped(text: str) -> str:
    """The text as Jinja's autoescape writes it into a page."""
    return str(markupsafe.escape(text))


def upload(client: FlaskClient, data: bytes, group: str = "", name: str = "people.csv") -> Any:
    token = workspace_token(client, IMPORT_URL)
    form = {"csrf_token": token, "group": group, "file": (io.BytesIO(data), name)}
    return client.post(IMPORT_URL, data=form, content_type="multipart/form-data")


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_everyone_with_a_count_and_edit_and_remove_links(
    coordinator: FlaskClient, make_participant: Maker
) -> None:
    anna = make_participant(name="Anna", organisation="City of Espoo", city="Espoo")
    make_participant(name="Bruno", group="city-pilot")
    html = coordinator.get("/workspace/participants").get_data(as_text=True)
    assert "2 participants found." in html
    rows = table_rows(html, "Participants")
    assert [row[0] for row in rows[1:]] == ["Anna", "Bruno"]
    assert rows[1][1:6] == [anna.email, "City of Espoo", "Espoo", "FI", "validation-group"]
    assert f'href="/workspace/participants/{anna.id}/edit"' in html
    assert f'href="/workspace/participants/{anna.id}/delete"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=espoo", ["Anna"]),  # organisation and city
        ("q=BRUNO", ["Bruno"]),  # name, any case
        ("q=person3@", ["Carla"]),  # email
        ("group=city-pilot", ["Bruno", "Carla"]),
        ("q=carla&group=city-pilot", ["Carla"]),
        ("q=carla&group=validation-group", []),
        ("q=%25", []),  # a wildcard is matched literally
        ("q=Bru%00no", ["Bruno"]),  # a NUL byte (PostgreSQL refuses it) is dropped
    ],
)
def test_search_and_group_filter(
    coordinator: FlaskClient, make_participant: Maker, query: str, expected: list[str]
) -> None:
    make_participant(name="Anna", organisation="City of Espoo", city="Espoo")
    make_participant(name="Bruno", group="city-pilot")
    make_participant(name="Carla", group="city-pilot", city="Oulu")
    html = coordinator.get(f"/workspace/participants?{query}").get_data(as_text=True)
    rows = table_rows(html, "Participants")[1:] if expected else []
    assert [row[0] for row in rows] == expected
    assert f"{len(expected)} participant" in html


def test_the_filter_form_keeps_what_was_asked(
    coordinator: FlaskClient, make_participant: Maker
) -> None:
    make_participant(group="city-pilot")
    html = coordinator.get('/workspace/participants?q="x<y&group=city-pilot').get_data(as_text=True)
    assert 'value="&#34;x&lt;y"' in html
    assert '<option value="city-pilot" selected>' in html


def test_more_than_200_participants_are_paged(coordinator: FlaskClient, session: Session) -> None:
    session.add_all(
        Participant(email=f"p{n:03}@city.example", name=f"Person {n:03}") for n in range(205)
    )
    session.commit()
    first = coordinator.get("/workspace/participants").get_data(as_text=True)
    assert "205 participants found." in first and "Page 1 of 2." in first
    assert len(table_rows(first, "Participants")) == 201
    assert 'href="/workspace/participants?page=2"' in first
    second = coordinator.get("/workspace/participants?page=2").get_data(as_text=True)
    assert [row[0] for row in table_rows(second, "Participants")[1:]] == [
        f"Person {n}" for n in range(200, 205)
    ]


@pytest.mark.parametrize("name", XSS_NAMES)
def test_names_are_escaped_on_the_list(
    coordinator: FlaskClient, make_participant: Maker, name: str
) -> None:
    make_participant(name=name, organisation=name, city=name, group=name)
    html = coordinator.get("/workspace/participants").get_data(as_text=True)
    assert name not in html
    assert escaped(name) in html


# --- editing -----------------------------------------------------------------------------------


def edit(client: FlaskClient, person: Participant, **changes: str) -> Any:
    url = f"/workspace/participants/{person.id}/edit"
    form = {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation,
        "city": person.city,
        "country": person.country,
        "group": person.group,
        "language": person.language or "",
        "csrf_token": workspace_token(client, url),
    }
    form.update(changes)
    return client.post(url, data=form)


def test_edit_form_is_filled_in(coordinator: FlaskClient, make_participant: Maker) -> None:
    person = make_participant(name="Anna", city="Espoo", language="fi")
    html = coordinator.get(f"/workspace/participants/{person.id}/edit").get_data(as_text=True)
    assert '<label for="email">Email address</label>' in html
    assert f'value="{person.email}"' in html and 'value="Espoo"' in html and 'value="fi"' in html


def test_editing_saves_normalised_values_and_is_audited(
    coordinator: FlaskClient,
    session: Session,
    audit_events: Callable[..., Any],
    make_participant: Maker,
) -> None:
    person = make_participant(name="Anna")
    response = edit(
        coordinator, person, email=" Anna@Espoo.EXAMPLE ", language="Suomi", city="Espoo"
    )
    assert response.status_code == 302
    stored = fresh(session).get_one(Participant, person.id)
    assert (stored.email, stored.language, stored.city) == ("anna@espoo.example", "fi", "Espoo")
    (event_,) = audit_events("participant_edited")
    assert event_.target == f"participant {person.id}"
    assert event_.detail == "changed email, city, language"
    assert_by_account(session, event_, "coordinator")
    assert "anna@espoo.example" not in event_.detail


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address such as name@city.example."),
        ({"email": ""}, "email", "Enter the email address."),
        ({"language": "Klingon"}, "language", "is not a known language"),
        ({"language": "SE"}, "language", "is a country code; the language is &#39;sv&#39;."),
        ({"city": "x" * 101}, "city", "At most 100 characters fit here."),
        ({"organisation": "City\x00of Espoo"}, "organisation", "Remove the control characters"),
    ],
)
def test_edit_errors_are_shown_with_the_input_kept(
    coordinator: FlaskClient,
    session: Session,
    make_participant: Maker,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    person = make_participant(name="Anna")
    response = edit(coordinator, person, name="Anna <Changed>", **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="#{field}"' in html and f'id="{field}-error"' in html and message in html
    assert 'value="Anna &lt;Changed&gt;"' in html
    assert fresh(session).get_one(Participant, person.id).name == "Anna", "nothing saved"


def test_an_email_used_by_another_participant_is_refused(
    coordinator: FlaskClient, session: Session, make_participant: Maker
) -> None:
    anna, bruno = make_participant(name="Anna"), make_participant(name="Bruno")
    response = edit(coordinator, bruno, email=anna.email.upper())
    assert response.status_code == 422
    assert "Another participant has this email address already." in response.get_data(as_text=True)
    assert fresh(session).get_one(Participant, bruno.id).email == bruno.email


def test_an_unknown_participant_is_a_404(coordinator: FlaskClient) -> None:
    assert coordinator.get("/workspace/participants/999/edit").status_code == 404
    assert coordinator.get("/workspace/participants/999/delete").status_code == 404


# --- removing ----------------------------------------------------------------------------------


def test_remove_asks_first_and_says_what_goes_with_the_participant(
    coordinator: FlaskClient,
    session: Session,
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
) -> None:
    person = make_participant(name="<b>Anna</b>")
    invitation = make_invitation(make_round(), person)
    session.add(Response(round_id=invitation.round_id, invitation_id=invitation.id))
    session.commit()
    html = coordinator.get(f"/workspace/participants/{person.id}/delete").get_data(as_text=True)
    assert "Remove &lt;b&gt;Anna&lt;/b&gt;" in html
    assert "1 invitation" in html and "1 response (answered or started)" in html
    assert "This cannot be undone" in html
    assert fresh(session).get(Participant, person.id) is not None, "a GET removes nothing"


def test_removing_deletes_invitations_responses_and_answers_and_is_audited(
    coordinator: FlaskClient,
    session: Session,
    audit_events: Callable[..., Any],
    make_round: Maker,
    make_participant: Maker,
    make_invitation: Maker,
) -> None:
    person, other = make_participant(), make_participant()
    round_ = make_round()
    invitation = make_invitation(round_, person)
    make_invitation(round_, other)
    response = Response(round_id=round_.id, invitation_id=invitation.id, status="submitted")
    session.add(response)
    session.flush()
    session.add(Answer(response_id=response.id, question_id="role", value="officer"))
    session.commit()
    person_id, other_id = person.id, other.id
    url = f"/workspace/participants/{person_id}/delete"
    result = coordinator.post(url, data={"csrf_token": workspace_token(coordinator, url)})
    assert result.status_code == 302 and result.headers["Location"] == "/workspace/participants"
    db = fresh(session)
    assert db.get(Participant, person_id) is None and db.get(Participant, other_id) is not None
    assert db.scalar(select(func.count()).select_from(Invitation)) == 1
    assert db.scalar(select(func.count()).select_from(Response)) == 0
    assert db.scalar(select(func.count()).select_from(Answer)) == 0
    (event_,) = audit_events("participant_removed")
    assert event_.target == f"participant {person_id}"
    assert event_.detail == "1 invitation(s), 1 response(s) deleted"
    assert_by_account(session, event_, "coordinator")


# --- importing ---------------------------------------------------------------------------------


def test_import_page_has_a_labelled_file_input(coordinator: FlaskClient) -> None:
    html = coordinator.get(IMPORT_URL).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="file">CSV file</label>' in html and 'type="file" id="file"' in html


def test_import_reports_problems_by_line_and_keeps_the_good_rows(
    coordinator: FlaskClient, session: Session, audit_events: Callable[..., Any]
) -> None:
    response = upload(coordinator, (CSV_DIR / "bad_rows.csv").read_bytes())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    rows = table_rows(html, "Problems by line of the file")
    assert rows[1:] == [
        ["3", "The row has no email address."],
        ["4", "'not-an-email' is not a valid email address."],
        ["7", "'Klingon' is not a known language; use a code such as en, fi or sv."],
        ["8", "good1@espoo.fi is already on line 2; this row was skipped."],
    ]
    assert table_rows(html, "Problems by line of the file")[0] == ["Line", "Problem"]
    assert "<dt>New</dt><dd>3</dd>" in html and "<dt>Skipped rows</dt><dd>4</dd>" in html
    assert "Columns not imported: phone." in html
    emails = set(fresh(session).scalars(select(Participant.email)))
    assert emails == {"good1@espoo.fi", "good2@oulu.fi", "good3@lahti.fi"}
    (event_,) = audit_events("participants_imported")
    assert event_.detail == "people.csv: 3 new, 0 updated, 0 unchanged, 4 skipped"
    assert_by_account(session, event_, "coordinator")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "The value in the column “Name” is 201 characters long; at most 200 fit."),
        ("fi", "Sarakkeen ”Nimi” arvossa on 201 merkkiä; enintään 200 merkkiä mahtuu."),
        ("sv", "Värdet i kolumnen ”Namn” är 201 tecken långt; högst 200 tecken ryms."),
    ],
)
def test_a_too_long_value_names_its_column_in_the_page_language(
    coordinator: FlaskClient, lang: str, expected: str
) -> None:
    coordinator.get(f"{IMPORT_URL}?lang={lang}")
    data = f"name,email\n{'x' * 201},long@espoo.fi\n".encode()
    html = upload(coordinator, data).get_data(as_text=True)
    assert expected in unescape(html)


def test_reimport_updates_by_email_and_the_group_field_applies_to_everyone(
    coordinator: FlaskClient, session: Session, make_participant: Maker
) -> None:
    make_participant(email="anna@espoo.example", name="Anna", group="old")
    data = b"email,name\nANNA@espoo.example,Anna V\nbo@malmo.example,Bo\n"
    html = upload(coordinator, data, group="peer-cities").get_data(as_text=True)
    assert "<dt>New</dt><dd>1</dd>" in html and "<dt>Updated</dt><dd>1</dd>" in html
    stored = {p.email: (p.name, p.group) for p in fresh(session).scalars(select(Participant))}
    assert stored == {
        "anna@espoo.example": ("Anna V", "peer-cities"),
        "bo@malmo.example": ("Bo", "peer-cities"),
    }


def test_a_fatal_file_imports_nothing(
    coordinator: FlaskClient, session: Session, audit_events: Callable[..., Any]
) -> None:
    data = b'email,name\nanna@espoo.example,Anna\nbo@malmo.example,"Bo\n'
    response = upload(coordinator, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file could not be imported: nothing was stored." in html
    assert "never closed" in html
    assert fresh(session).scalar(select(func.count()).select_from(Participant)) == 0
    assert audit_events("participants_imported") == []


def test_a_file_without_an_email_column_is_reported(coordinator: FlaskClient) -> None:
    response = upload(coordinator, (CSV_DIR / "no_email_column.csv").read_bytes())
    assert response.status_code == 422
    assert "The header row has no email column" in response.get_data(as_text=True)


def test_import_without_a_file_is_an_error_next_to_the_field(coordinator: FlaskClient) -> None:
    token = workspace_token(coordinator, IMPORT_URL)
    response = coordinator.post(
        IMPORT_URL, data={"csrf_token": token}, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#file"' in html and 'id="file-error"' in html
    assert "Choose a CSV file to import." in html


def test_a_file_over_the_size_limit_gets_a_clear_message(
    app: Flask, coordinator: FlaskClient, session: Session
) -> None:
    size = app.config["MAX_CONTENT_LENGTH"]
    data = b"email,name\n" + b"x@y.example,x\n" * (size // 14 + 1)
    response = upload(coordinator, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is too large: at most 2 MB can be imported at once." in html
    assert "<h1>Import participants</h1>" in html and 'type="file"' in html
    assert fresh(session).scalar(select(func.count()).select_from(Participant)) == 0


@pytest.mark.parametrize("name", XSS_NAMES)
def test_an_imported_file_is_rendered_as_text(coordinator: FlaskClient, name: str) -> None:
    quoted = name.replace('"', '""')
    rows = [
        f'"{quoted}","{quoted}",en',  # the payload as email: reported
        f'ok@espoo.example,"{quoted}",en',  # as a name: imported
        f'ok2@espoo.example,Bo,"{quoted}"',  # as a language: reported
    ]
    data = ("email,name,language\n" + "\n".join(rows) + "\n").encode()
    # Browsers send a double quote in a file name as %22 (the test client would not).
    response = upload(coordinator, data, name=f"{name}.csv".replace('"', "%22"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert name not in html
    problems = [row[1] for row in table_rows(html, "Problems by line of the file")[1:]]
    assert problems == [
        f"'{name}' is not a valid email address.",
        f"'{name}' is not a known language; use a code such as en, fi or sv.",
    ], "the parser gets the text back, so the page held it escaped"
    for page in ("/workspace/participants", "/workspace/audit"):
        html = coordinator.get(page).get_data(as_text=True)
        assert name not in html and escaped(name) in html
