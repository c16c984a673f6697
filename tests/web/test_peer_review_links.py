"""The reviewers' personal-link pages: start, chapters (host's and peers' fields, levels with
their descriptions), saving (audited as the organisation, never the token), errors kept as
typed, languages, an expired form, the re-run's follow-ups and the published summary."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from peer_review_world import ReviewWorld, build_review, score_everything
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, csrf_token, fresh, post_page
from surveyapp.models import AuditEvent
from surveyapp.review_models import ReviewAssessment, ReviewFollowUp
from surveyapp.services import peer_reviews


@pytest.fixture
def world(session: Session) -> ReviewWorld:
    return build_review(session)


def _chapter(world: ReviewWorld, token: str) -> str:
    return f"/r/{token}/c/{world.first_chapter}"


def test_start_page_says_who_what_and_by_when(client: FlaskClient, world: ReviewWorld) -> None:
    html = client.get(f"/r/{world.host.token}").get_data(as_text=True)
    assert "City of Tampere" in html and "Liisa Virtanen" in html
    assert "10.5.2027" in html, "a date as Finnish readers write it"
    assert 'lang="fi"' in html, "the host's page is in the member's party's language"
    peer = client.get(f"/r/{world.peer_sv.token}").get_data(as_text=True)
    assert "City of Malmö" in peer and '<html lang="sv">' in peer


def test_an_unknown_link_is_404(client: FlaskClient, world: ReviewWorld) -> None:
    assert client.get("/r/" + "x" * 64).status_code == 404


def test_the_host_fills_in_a_chapter(
    client: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _chapter(world, world.host.token)
    html = unescape(client.get(url + "?lang=en").get_data(as_text=True))
    criterion = world.criteria.criteria[0]
    assert criterion.text["en"] in html and criterion.guidance["en"] in html
    assert criterion.levels[0].description["en"] in html, "each level is described"
    assert f'name="{criterion.id}-evidence"' in html and "-observations" not in html
    data = {f"{criterion.id}-level": "3", f"{criterion.id}-evidence": "Our strategy",
            f"{criterion.id}-links": "https://tampere.example", f"{criterion.id}-key_people": "CFO",
            "action": "next"}  # fmt: skip
    response = post_page(client, url, data)
    assert response.status_code == 303
    saved = fresh(session).scalars(select(ReviewAssessment)).one()
    assert (saved.level, saved.evidence, saved.key_people) == (3, "Our strategy", "CFO")
    event = (
        fresh(session)
        .scalars(select(AuditEvent).where(AuditEvent.action == "review_assessment_saved"))
        .one()
    )
    assert "City of Tampere" in event.actor_email
    assert world.host.token not in (event.actor_email + (event.detail or "") + event.target)
    again = client.get(url).get_data(as_text=True)
    assert "Our strategy" in again
    assert f'name="{criterion.id}-level" value="3" checked' in again


def test_a_peer_sees_the_self_assessment_and_scores(
    client: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    criterion = world.criteria.criteria[0]
    peer_reviews.save_assessment(
        session, world.host, criterion.id, level=4, evidence="Annual report", actor=SETUP
    )
    session.commit()
    url = _chapter(world, world.peer_sv.token)
    html = client.get(url).get_data(as_text=True)
    assert "Annual report" in html and criterion.text["sv"] in html
    assert f'name="{criterion.id}-questions"' in html and '-evidence"' not in html
    data = {f"{criterion.id}-level": "2", f"{criterion.id}-observations": "Partly",
            f"{criterion.id}-questions": "Who signs?", "action": "next"}  # fmt: skip
    assert post_page(client, url, data).status_code == 303
    peer = (
        fresh(session)
        .scalars(
            select(ReviewAssessment).where(ReviewAssessment.party_id == world.peer_sv.party_id)
        )
        .one()
    )
    assert (peer.level, peer.questions) == (2, "Who signs?")


def test_a_bad_level_keeps_everything_typed(client: FlaskClient, world: ReviewWorld) -> None:
    criterion = world.criteria.criteria[0]
    url = _chapter(world, world.peer_en.token)
    data = {f"{criterion.id}-level": "7", f"{criterion.id}-observations": "Typed text",
            "action": "next"}  # fmt: skip
    response = post_page(client, url, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Typed text" in html and "There is a problem" in html
    assert f'href="#{criterion.id}-level"' in html, "the summary links to the field"
    assert "Choose one of the levels shown." in html


def test_an_expired_form_keeps_everything_typed(
    client: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    criterion = world.criteria.criteria[0]
    url = _chapter(world, world.peer_en.token)
    client.get(url)
    data = {"csrf_token": csrf_token(FlaskClient(client.application), "/login"),
            f"{criterion.id}-observations": "Kept after expiry", "_lang": "en"}  # fmt: skip
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Kept after expiry" in response.get_data(as_text=True)
    assert fresh(session).scalars(select(ReviewAssessment)).first() is None


def test_language_switcher(client: FlaskClient, world: ReviewWorld) -> None:
    criterion = world.criteria.criteria[0]
    url = _chapter(world, world.peer_en.token)
    assert criterion.text["en"] in client.get(url).get_data(as_text=True)
    finnish = client.get(url + "?lang=fi").get_data(as_text=True)
    assert criterion.text["fi"] in finnish and '<html lang="fi">' in finnish
    assert criterion.text["fi"] in client.get(url).get_data(as_text=True), "the choice is kept"


def test_save_and_back_and_next(client: FlaskClient, world: ReviewWorld) -> None:
    chapters = list(dict.fromkeys(c.chapter for c in world.criteria.criteria))
    url = f"/r/{world.host.token}/c/{chapters[1]}"
    back = post_page(client, url, {"action": "back"})
    assert back.headers["Location"].endswith(f"/c/{chapters[0]}")
    last = post_page(client, f"/r/{world.host.token}/c/{chapters[-1]}", {"action": "next"})
    assert last.headers["Location"].endswith(f"/r/{world.host.token}?saved=1")


def _published_rerun(session: Session, world: ReviewWorld) -> tuple[ReviewWorld, object]:
    score_everything(session, world)
    peer_reviews.save_note(
        session, world.review, world.first, notes="", final_level=2, strengths="S",
        development_areas="D", actor=SETUP,
    )  # fmt: skip
    peer_reviews.add_action(session, world.review, title="Train buyers", actor=SETUP)
    peer_reviews.publish(session, world.review, actor=SETUP)
    later = peer_reviews.start_rerun(
        session, world.review, criteria=world.criteria, evaluation_start=dt.date(2029, 5, 14),
        evaluation_end=dt.date(2029, 5, 15), actor=SETUP,
    ).review  # fmt: skip
    session.commit()
    return world, later


def test_the_host_reads_the_published_summary(
    client: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    assert client.get(f"/r/{world.host.token}/summary").status_code == 404
    _published_rerun(session, world)
    html = client.get(f"/r/{world.host.token}/summary?lang=en").get_data(as_text=True)
    assert "Train buyers" in html and "Final level" in html
    assert client.get(f"/r/{world.peer_sv.token}/summary").status_code == 404


def test_the_rerun_host_gives_the_earlier_actions_statuses(
    client: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    _world, later = _published_rerun(session, world)
    host = next(p for p in later.parties if p.role == "host").members[0]
    url = f"/r/{host.token}/actions"
    html = client.get(url).get_data(as_text=True)
    assert "Train buyers" in html
    follow_up = fresh(session).scalars(select(ReviewFollowUp)).one()
    key = f"a{follow_up.action_id}"
    missing = post_page(client, url, {f"{key}-why": "Typed why"})
    assert missing.status_code == 422 and "Typed why" in missing.get_data(as_text=True)
    done = post_page(client, url, {f"{key}-status": "in_progress", f"{key}-why": "Half way"})
    assert done.status_code == 303
    saved = fresh(session).scalars(select(ReviewFollowUp)).one()
    assert (saved.status, saved.explanation) == ("in_progress", "Half way")
    peer = next(p for p in later.parties if p.role == "peer").members[0]
    assert client.get(f"/r/{peer.token}/actions").status_code == 404


def test_guessed_links_are_throttled(app: Flask, client: FlaskClient, world: ReviewWorld) -> None:
    app.config["TOKEN_GUESS_LIMIT"] = 3
    for n in range(3):
        assert client.get(f"/r/{'g' * 63}{n}").status_code == 404
    guesser = app.test_client()
    assert guesser.get(f"/r/{world.peer_en.token}").status_code == 429, "a hit looks the same"
    assert client.get(f"/r/{'g' * 64}").status_code == 429


def test_a_link_opened_before_keeps_working(
    app: Flask, client: FlaskClient, world: ReviewWorld
) -> None:
    app.config["TOKEN_GUESS_LIMIT"] = 2
    assert client.get(f"/r/{world.host.token}").status_code == 200
    for n in range(3):
        client.get(f"/r/{'h' * 63}{n}")
    assert client.get(f"/r/{world.host.token}").status_code == 200


def test_after_publication_the_chapter_pages_only_show(
    client: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    peer_reviews.publish(session, world.review, actor=SETUP)
    session.commit()
    html = client.get(_chapter(world, world.host.token) + "?lang=en").get_data(as_text=True)
    assert "can no longer change" in html and "Save and next" not in html
