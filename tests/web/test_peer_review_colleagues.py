"""Review findings on the personal-link pages: two members of one organisation on one chapter
(nothing of either lost), the language kept per link, dates in the reader's language, and the
host's published summary as PDF and workbook."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from openpyxl import load_workbook
from peer_review_world import ReviewWorld, build_review, score_everything
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, post_page
from surveyapp.models import AuditEvent
from surveyapp.review.formats import review_date, review_decimal
from surveyapp.review_models import ReviewAssessment, ReviewMember
from surveyapp.services import peer_reviews


@pytest.fixture
def world(session: Session) -> ReviewWorld:
    return build_review(session)


def _colleague(session: Session, world: ReviewWorld) -> ReviewMember:
    """A second member of the host's organisation."""
    host_party = peer_reviews.host_party(world.review)
    assert host_party is not None
    member = peer_reviews.add_member(
        session, host_party, name="Matti Korhonen", email="matti@tampere.example", actor=SETUP
    )
    session.commit()
    return member


def _page_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _saves(session: Session) -> int:
    found = fresh(session).scalars(
        select(AuditEvent).where(AuditEvent.action == "review_assessment_saved")
    )
    return len(list(found))


def test_a_colleagues_newer_save_is_kept_and_shown_beside_the_typed_text(
    app: Flask, session: Session, world: ReviewWorld
) -> None:
    matti = _colleague(session, world)
    first, second = [c.id for c in world.criteria.criteria if c.chapter == world.first_chapter][:2]
    url_a = f"/r/{world.host.token}/c/{world.first_chapter}?lang=en"
    url_b = f"/r/{matti.token}/c/{world.first_chapter}?lang=en"
    liisa, matti_browser = app.test_client(), app.test_client()
    page_b = matti_browser.get(url_b).get_data(as_text=True)  # B opens the page first
    saved = post_page(liisa, url_a, {f"{first}-level": "4", f"{first}-evidence": "Liisa's text"})
    assert saved.status_code == 303
    before = _saves(session)
    # B's older page: the first criterion typed over, the second one newly filled in.
    data = {**_page_fields(page_b), "csrf_token": _token(page_b), "action": "next"}
    data.update({f"{first}-level": "2", f"{first}-evidence": "Matti's text",
                 f"{second}-level": "3", f"{second}-evidence": "Only Matti"})  # fmt: skip
    refused = matti_browser.post(url_b, data=data)
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409
    assert "Liisa's text" in html and "Matti's text" in html, "both texts on the page"
    assert "Someone else of your organisation saved this criterion" in html
    assert f'href="#{first}-stale"' in html, "the error summary leads to the criterion"
    rows = {r.criterion_id: r for r in fresh(session).scalars(select(ReviewAssessment))}
    assert (rows[first].level, rows[first].evidence) == (4, "Liisa's text"), "A's save stays"
    assert rows[second].evidence == "Only Matti", "the other criterion is saved"
    assert _saves(session) == before + 1
    # Saving again from the page shown goes over the version it now shows, deliberately.
    again = post_page(matti_browser, url_b, {f"{first}-evidence": "Both texts", "action": "next"})
    assert again.status_code == 303
    assert fresh(session).get(ReviewAssessment, rows[first].id).evidence == "Both texts"


def test_an_unchanged_criterion_is_not_saved_again(
    app: Flask, session: Session, world: ReviewWorld
) -> None:
    matti = _colleague(session, world)
    url_b = f"/r/{matti.token}/c/{world.first_chapter}"
    matti_browser = app.test_client()
    stale_page = matti_browser.get(url_b).get_data(as_text=True)  # everything empty
    peer_reviews.save_assessment(
        session, world.host, world.first, level=3, evidence="Saved by Liisa", actor=SETUP
    )
    session.commit()
    before = _saves(session)
    data = {**_page_fields(stale_page), "csrf_token": _token(stale_page), "action": "next"}
    assert matti_browser.post(url_b, data=data).status_code == 303, "B changed nothing"
    row = fresh(session).scalars(select(ReviewAssessment)).one()
    assert (row.level, row.evidence, row.version) == (3, "Saved by Liisa", 1)
    assert _saves(session) == before, "no save and no audit event for an unchanged page"


def test_the_language_is_kept_per_link_and_never_under_the_token(
    client: FlaskClient, world: ReviewWorld
) -> None:
    criterion = world.criteria.criteria[0]
    client.get(f"/r/{world.peer_en.token}?lang=fi")
    english_link = client.get(f"/r/{world.peer_en.token}/c/{criterion.chapter}")
    assert criterion.text["fi"] in english_link.get_data(as_text=True), "kept for this link"
    swedish = client.get(f"/r/{world.peer_sv.token}/c/{criterion.chapter}").get_data(as_text=True)
    assert '<html lang="sv">' in swedish, "another link in this browser keeps its own language"
    with client.session_transaction() as kept:
        stored = repr(dict(kept))
    for member in (world.peer_en, world.peer_sv, world.host):
        assert member.token not in stored


def test_dates_and_decimals_in_the_readers_language(app: Flask) -> None:
    with app.test_request_context("/"):
        with force_locale("fi"):
            assert review_date(dt.date(2027, 5, 10)) == "10.5.2027"
            assert review_decimal(2.5) == "2,5" and review_decimal(0.5, signed=True) == "+0,5"
            assert review_decimal(None) == "–"
        with force_locale("en"):
            assert review_decimal(2.5) == "2.5" and review_date(None) == ""


def _published(session: Session, world: ReviewWorld) -> None:
    score_everything(session, world)
    peer_reviews.add_action(
        session, world.review, title="Train buyers", due_on=dt.date(2027, 12, 31), actor=SETUP
    )
    peer_reviews.publish(session, world.review, actor=SETUP)
    session.commit()


def test_the_host_downloads_the_published_summary(
    client: FlaskClient,
    session: Session,
    world: ReviewWorld,
    audit_events: Callable[..., Any],
) -> None:
    for tail in ("summary.pdf", "summary.xlsx"):
        assert client.get(f"/r/{world.host.token}/{tail}").status_code == 404, "not yet"
    _published(session, world)
    page = client.get(f"/r/{world.host.token}/summary").get_data(as_text=True)
    assert f"/r/{world.host.token}/summary.pdf" in page and "summary.xlsx" in page
    assert "31.12.2027" in page, "the due date as the Finnish host reads it"
    pdf = client.get(f"/r/{world.host.token}/summary.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert world.host.token not in pdf.headers["Content-Disposition"]
    xlsx = client.get(f"/r/{world.host.token}/summary.xlsx")
    assert xlsx.status_code == 200
    actions = load_workbook(io.BytesIO(xlsx.data)).worksheets[1]  # the summary, the actions
    due = [row[3] for row in actions.iter_rows(min_row=2, values_only=True)]
    assert due == [dt.datetime(2027, 12, 31)], "a real date cell, not text"
    for tail in ("summary.pdf", "summary.xlsx"):
        assert client.get(f"/r/{world.peer_sv.token}/{tail}").status_code == 404, "hosts only"
    events = audit_events("review_report_downloaded")
    assert [e.detail.split(":")[0] for e in events] == ["summary", "summary"], "each audited"
    host = world.host.party.name
    assert all(e.actor_email == f"{host} (peer review link)" for e in events)
    assert not any(world.host.token in e.detail + e.target for e in events), "never the link"
