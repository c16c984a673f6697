"""Forgetting a person in a real browser: the way there from the edit page, the confirmation
page (axe, 320 px, keyboard-reachable button) and the result."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.models import Participant
from surveyapp.models import Response as SurveyResponse
from surveyapp.services import rounds

pytestmark = pytest.mark.browser

PASSWORD = "browser-password-123"  # conftest's WORKSPACE_PASSWORD
WIDTH = "() => document.documentElement.scrollWidth"


def _person_in_an_anonymous_round(live_app: Flask, live_engine: Engine) -> tuple[int, str]:
    """A participant who answered an anonymous round; returns their id and unique name."""
    name = f"Forget Me {uuid.uuid4().hex[:8]}"
    with Session(live_engine) as session:
        person = Participant(email=f"{uuid.uuid4().hex[:10]}@forget.example", name=name)
        session.add(person)
        session.flush()
        registry = live_app.extensions["surveys"]
        round_ = rounds.open_round(
            session, registry, "manual-usability", "9.9", is_anonymous=True, actor=SETUP
        )
        rounds.invite_participants(session, round_, [person.id], actor=SETUP)
        (invitation,) = round_.invitations
        session.add(
            SurveyResponse(round_id=round_.id, invitation_id=invitation.id, status="submitted")
        )
        session.commit()
        return person.id, name


def test_a_coordinator_forgets_a_person_from_the_edit_page(
    live_app: Flask,
    live_engine: Engine,
    new_context: Callable[..., BrowserContext],
    make_account: Callable[[str], str],
    check_axe: Callable[[Page], None],
) -> None:
    person_id, name = _person_in_an_anonymous_round(live_app, live_engine)
    page = new_context().new_page()
    page.goto(f"/workspace/participants/{person_id}/edit")
    page.get_by_label("Email address").fill(make_account("coordinator"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("link", name="Forget this person").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Forget this person")
    expect(page.get_by_text(f"Forget {name}")).to_be_visible()
    expect(page.get_by_text("1 response given in an anonymous round stays")).to_be_visible()
    check_axe(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(WIDTH) <= 320
    check_axe(page)

    button = page.get_by_role("button", name="Forget this person")
    button.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/workspace/participants$"))
    expect(page.get_by_text("The person is forgotten")).to_be_visible()
    expect(page.get_by_text(name)).to_have_count(0)
    with Session(live_engine) as session:
        assert session.get(Participant, person_id) is None
