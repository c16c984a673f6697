"""The feedback loop reaches the respondents (issue 16): the published "you said, we did",
its public page and API, and each respondent's own outcomes (tests/loop_world.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import loop_world
import pytest
from flask import Flask
from flask.testing import FlaskClient
from loop_world import MEMBER_COMMENTS, OTHER_COMMENT, LoopWorld
from mailserver import MAIL_FROM, running_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, workspace_token
from surveyapp.jobs import mail_sending
from surveyapp.models import AuditEvent, FeedbackItem, PublishedReport
from surveyapp.services import mail, outcomes, published_reports
from surveyapp.services.feedback_changes import update_items

Maker = Callable[..., Any]
LINE_EN = "On revision 0.3 you left 4 comments: 2 accepted, 1 done in 0.4, 1 not taken up."
LINE_FI = (
    "Versioon 0.3 jätit 4 kommenttia: 2 hyväksyttyä, 1 tehty versiossa 0.4, 1 jäi toteuttamatta."
)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The loop's surveys folder: its manual names the chapters in three languages."""
    return {**app_config, "SURVEYS_DIR": str(loop_world.LOOP), "BASE_URL": "https://s.example"}


@pytest.fixture
def world(session: Session) -> LoopWorld:
    return loop_world.build(session)


@pytest.fixture
def in_app(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def public_url(lang: str = "en", revision: str = "0.3") -> str:
    return f"/outcomes/loop-test/{revision}?lang={lang}"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- services ----------------------------------------------------------------------------------


def test_the_draft_holds_only_triaged_items(session: Session) -> None:
    world = loop_world.build(session, triage=False, publish=False)
    assert published_reports.report_content(session, world.first)["items"] == []
    item = world.items["why_comment"]
    update_items(session, world.first, [item.id], status="accepted", actor=SETUP)
    [only] = published_reports.report_content(session, world.first)["items"]
    assert only["item"] == item.id and only["status"] == "accepted"


def test_publishing_freezes_the_report_and_a_later_publish_is_a_new_version(
    session: Session, world: LoopWorld
) -> None:
    [first] = published_reports.versions(session, world.first)
    assert first.version == 1 and len(first.content["items"]) == 5
    item = world.items["how_comment"]
    update_items(session, world.first, [item.id], status="accepted", note="Changed.", actor=SETUP)
    session.commit()
    frozen = published_reports.latest(session, world.first.id)
    assert frozen is not None and frozen.version == 1
    assert {i["status"] for i in frozen.content["items"] if i["item"] == item.id} == {"rejected"}
    published_reports.publish(session, world.first, actor=SETUP)
    session.commit()
    newest, older = published_reports.versions(session, world.first)
    assert (newest.version, older.version) == (2, 1)
    assert [i["notes"]["en"] for i in newest.content["items"] if i["item"] == item.id] == [
        "Changed."
    ]
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "report_published"))
    assert [e.detail for e in events] == ["version 1, 5 items", "version 2, 5 items"]


def test_a_missing_translation_falls_back_to_english_and_is_marked(
    session: Session, world: LoopWorld
) -> None:
    report = published_reports.latest(session, world.first.id)
    assert report is not None
    view = published_reports.report_view(report.content, "fi")
    notes = {i.item_id: i.note for _c, items in view.chapters for i in items}
    assert notes[world.items["why_comment"].id] == published_reports.Note(
        "Kirjoitimme alun uudelleen.", "fi"
    )
    assert notes[world.items["how_comment"].id] == published_reports.Note(
        "The checklist stays: auditors ask for it.", "en", fallback=True
    )
    swedish = published_reports.report_view(report.content, "sv")
    assert all(i.note and i.note.fallback for _c, items in swedish.chapters for i in items)


def test_an_anonymous_rounds_report_holds_nothing_that_identifies(session: Session) -> None:
    world = loop_world.build(session, anonymous=True)
    report = published_reports.latest(session, world.first.id)
    assert report is not None
    text = json.dumps(report.content, ensure_ascii=False)
    for comment in [*MEMBER_COMMENTS.values(), OTHER_COMMENT]:
        assert comment not in text
    keys = {
        "item", "chapter", "topic", "section", "question_id", "question", "status", "notes",
        "revision",
    }  # fmt: skip
    assert all(set(item) == keys for item in report.content["items"])
    for word in ('language"', "group", "country", "response", "email", "token"):
        assert word not in text.replace("default_language", "")


def test_a_named_participants_outcomes_across_rounds(session: Session, world: LoopWorld) -> None:
    found = outcomes.comments_of_participant(session, world.member.id, world.second, "fi")
    assert [(c.round_revision, c.text, c.status) for c in found] == [
        ("0.3", MEMBER_COMMENTS["why_comment"], "accepted"),
        ("0.3", MEMBER_COMMENTS["why_missing"], "done"),
        ("0.3", MEMBER_COMMENTS["how_comment"], "rejected"),
        ("0.3", MEMBER_COMMENTS["how_missing"], "accepted"),
    ]
    assert found[1].revision == "0.4" and found[1].note is not None
    assert found[1].note.text == "Lisäsimme kolme esimerkkiä."
    assert found[2].note is not None and found[2].note.fallback
    assert OTHER_COMMENT not in {c.text for c in found}


def test_comments_are_unreported_until_a_report_is_published(session: Session) -> None:
    world = loop_world.build(session, publish=False)
    found = outcomes.comments_of_participant(session, world.member.id, world.second, "en")
    assert len(found) == 4 and {c.status for c in found} == {None}


def test_the_outcomes_line_in_english_and_finnish(
    session: Session, world: LoopWorld, in_app: None
) -> None:
    assert outcomes.outcomes_line(session, world.member, world.second, "en") == LINE_EN
    assert outcomes.outcomes_line(session, world.member, world.second, "fi") == LINE_FI
    assert outcomes.outcomes_line(session, world.other, world.second, "en") == (
        "On revision 0.3 you left 1 comment: 1 partly accepted."
    )
    assert outcomes.outcomes_line(session, world.member, world.first, "en") is None


def test_no_outcomes_line_before_publishing_nor_for_an_anonymous_round(
    session: Session, in_app: None
) -> None:
    unpublished = loop_world.build(session, publish=False)
    assert outcomes.outcomes_line(session, unpublished.member, unpublished.second, "en") is None


def test_an_anonymous_response_is_found_only_through_its_private_link(session: Session) -> None:
    world = loop_world.build(session, anonymous=True)
    found = outcomes.comments_of_participant(session, world.member.id, world.second, "en")
    assert found == []  # never through the person
    mine = session.scalars(
        select(FeedbackItem.response_id).where(FeedbackItem.id == world.items["why_comment"].id)
    ).one()
    texts = {c.text for c in outcomes.comments_of_response(session, mine, "en")}
    assert texts == set(MEMBER_COMMENTS.values())


# --- the public page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "chapter", "fallback"),
    [
        ("en", "Why procure strategically", None),
        ("fi", "Miksi hankkia strategisesti", "(englanniksi)"),
        ("sv", "Varför upphandla strategiskt", "(på engelska)"),
    ],
)
def test_the_public_page_in_each_language(
    client: FlaskClient, world: LoopWorld, lang: str, chapter: str, fallback: str | None
) -> None:
    response = client.get(public_url(lang))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and chapter in html
    assert "How to manage procurement" in html or lang != "en"
    for comment in [*MEMBER_COMMENTS.values(), OTHER_COMMENT]:
        assert comment not in html
    assert "Maija" not in html and "g2" not in html
    if fallback:
        assert fallback in html
        assert '<span lang="en">The checklist stays: auditors ask for it.</span>' in html
    if lang == "fi":
        assert "Kirjoitimme alun uudelleen." in html
    assert "<script" not in html


def test_the_public_page_counts_by_status_and_chapter(
    client: FlaskClient, world: LoopWorld
) -> None:
    html = client.get(public_url("en")).get_data(as_text=True)
    assert "5 comments considered" in html
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    cells = [text_of(r).split() for r in rows]
    # Chapter Why: accepted 1, partly 1, rejected 0, duplicate 0, done 1; How: 1, 0, 1, 0, 0.
    assert any(c[-5:] == ["1", "1", "0", "0", "1"] and "Why" in c for c in cells)
    assert any(c[-5:] == ["1", "0", "1", "0", "0"] and "How" in c for c in cells)
    assert any(c[-5:] == ["2", "1", "1", "0", "1"] and "All" in c for c in cells)


def test_an_unpublished_revision_has_no_public_page(client: FlaskClient, session: Session) -> None:
    loop_world.build(session, publish=False)
    assert client.get(public_url("en")).status_code == 404
    assert client.get(public_url("en", revision="0.4")).status_code == 404
    assert client.get("/outcomes/nothing/0.3").status_code == 404


def test_the_public_page_shows_the_newest_version(
    client: FlaskClient, session: Session, world: LoopWorld
) -> None:
    item = world.items["how_comment"]
    update_items(session, world.first, [item.id], status="done", note="Finally.", actor=SETUP)
    assert "Finally." not in client.get(public_url()).get_data(as_text=True)
    published_reports.publish(session, world.first, actor=SETUP)
    session.commit()
    html = client.get(public_url()).get_data(as_text=True)
    assert "Finally." in html and "Version 2" in html


# --- the respondent's pages --------------------------------------------------------------------


def test_the_next_rounds_start_page_shows_the_line_and_the_report(
    client: FlaskClient, world: LoopWorld
) -> None:
    html = client.get(f"/s/{world.second_link}?lang=fi").get_data(as_text=True)
    assert LINE_FI in html
    assert f'href="/s/{world.second_link}/outcomes"' in html
    assert 'href="/outcomes/loop-test/0.3?lang=fi"' in html


def test_the_own_outcomes_page_from_the_next_rounds_link(
    client: FlaskClient, world: LoopWorld
) -> None:
    response = client.get(f"/s/{world.second_link}/outcomes?lang=fi")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for comment in MEMBER_COMMENTS.values():
        assert comment in html
    assert OTHER_COMMENT not in html
    assert "Kirjoitimme alun uudelleen." in html and "Lisäsimme kolme esimerkkiä." in html
    assert "hyväksytty" in html and "jäi toteuttamatta" in html
    assert '<span lang="en">The checklist stays: auditors ask for it.</span>' in html


def test_the_own_outcomes_page_from_the_commented_rounds_link(
    client: FlaskClient, world: LoopWorld
) -> None:
    html = client.get(f"/s/{world.first_link}/outcomes?lang=en").get_data(as_text=True)
    assert MEMBER_COMMENTS["why_comment"] in html and "We rewrote the opening." in html


def test_an_anonymous_rounds_invitation_link_shows_no_comment(
    client: FlaskClient, session: Session
) -> None:
    world = loop_world.build(session, anonymous=True)
    html = client.get(f"/s/{world.invitation_link}/outcomes?lang=en").get_data(as_text=True)
    for comment in [*MEMBER_COMMENTS.values(), OTHER_COMMENT]:
        assert comment not in html
    assert "only the private link" in html
    html = client.get(f"/s/{world.second_link}/outcomes").get_data(as_text=True)
    assert all(comment not in html for comment in MEMBER_COMMENTS.values())
    start = client.get(f"/s/{world.second_link}").get_data(as_text=True)
    assert "you left" not in start
    private = client.get(f"/s/{world.first_link}/outcomes").get_data(as_text=True)
    assert all(comment in private for comment in MEMBER_COMMENTS.values())
    assert OTHER_COMMENT not in private


def test_an_unknown_link_has_no_outcomes(client: FlaskClient, world: LoopWorld) -> None:
    assert client.get("/s/" + "x" * 43 + "/outcomes").status_code == 404


# --- the workspace -----------------------------------------------------------------------------


def test_the_draft_page_shows_the_triaged_items_and_no_comment(
    editor: FlaskClient, session: Session
) -> None:
    world = loop_world.build(session, publish=False)
    html = editor.get(f"/workspace/rounds/{world.first.id}/report").get_data(as_text=True)
    assert "Draft: 5 triaged comments" in html and "Not published yet." in html
    assert all(comment not in html for comment in MEMBER_COMMENTS.values())
    assert "Publish this draft" not in html  # an editor's page: coordinators publish


def test_an_editor_translates_notes_and_a_coordinator_publishes(
    client: FlaskClient, login: Callable[[FlaskClient, str], Any], session: Session
) -> None:
    world = loop_world.build(session, publish=False)
    url = f"/workspace/rounds/{world.first.id}/report"
    login(client, "editor")
    item = world.items["how_comment"]
    token = workspace_token(client, url)
    form = {"csrf_token": token, f"note-{item.id}-sv": "Checklistan blir kvar."}
    assert client.post(f"{url}/notes", data=form).status_code == 303
    assert fresh(session).get_one(FeedbackItem, item.id).note_translations == {
        "sv": "Checklistan blir kvar."
    }
    assert client.post(f"{url}/publish", data={"csrf_token": token}).status_code == 403
    coordinator = client.application.test_client()
    login(coordinator, "coordinator")
    token = workspace_token(coordinator, url)
    assert coordinator.post(f"{url}/publish", data={"csrf_token": token}).status_code == 303
    [report] = fresh(session).scalars(select(PublishedReport)).all()
    assert report.version == 1 and report.published_by.startswith("coordinator")
    assert "Checklistan blir kvar." in client.get(public_url("sv")).get_data(as_text=True)


def test_a_note_too_long_saves_nothing_and_says_why(
    client: FlaskClient, login: Callable[[FlaskClient, str], Any], session: Session
) -> None:
    world = loop_world.build(session, publish=False)
    url = f"/workspace/rounds/{world.first.id}/report"
    login(client, "editor")
    assert 'maxlength="5000"' in client.get(url).get_data(as_text=True)
    first, second = world.items["how_comment"], world.items["why_comment"]
    form = {
        "csrf_token": workspace_token(client, url),
        f"note-{first.id}-sv": "Kort.",
        f"note-{second.id}-sv": "x" * 5001,
    }
    response = client.post(f"{url}/notes", data=form, follow_redirects=True)
    assert "Nothing was saved: a note is longer than 5000 characters." in response.get_data(
        as_text=True
    )
    assert fresh(session).get_one(FeedbackItem, first.id).note_translations in (None, {})


# --- the mail ----------------------------------------------------------------------------------


def test_the_next_rounds_invitation_says_what_became_of_the_comments(
    app: Flask, session: Session, world: LoopWorld
) -> None:
    batch = mail.create_batch(session, world.second, "invitation", actor=SETUP)
    session.commit()
    with running_server() as server, app.app_context():
        settings = mail_sending.MailSettings(
            host=server.host, port=server.port, mail_from=MAIL_FROM,
            base_url="https://s.example", timeout=5.0,
        )  # fmt: skip
        sessions = app.extensions["sessionmaker"]
        assert mail_sending.send_batch(sessions, batch.id, settings, actor=SETUP)["sent"] == 1
    [message] = server.to(world.member.email)
    body = message.get_content()
    assert LINE_FI in body
    assert f"https://s.example/s/{world.second_link}/outcomes" in body


def test_no_line_in_the_first_rounds_mails(session: Session, app: Flask) -> None:
    world = loop_world.build(session, publish=False)
    with app.app_context():
        assert outcomes.outcomes_line(session, world.member, world.second, "fi") is None
