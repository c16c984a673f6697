"""An anonymous round answered by link in a real browser: afterwards the invitation link
(the coordinator's copy from links.csv, in another browser) shows no answers, and the
respondent's private link still lets them change theirs, from any device."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import Answer, Invitation, Response

pytestmark = pytest.mark.browser

SECRET = "Zebra notes 4471"  # typed by the respondent; no page of the invitation may show it
USED = "This invitation has been used"
CONTINUE = "Continue with your private link"
WIDTH = "() => document.documentElement.scrollWidth"


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def answer_and_submit(page: Page) -> None:
    """From the private link's start page through every page to the thank-you page."""
    page.get_by_role("link", name="Start", exact=True).click()
    role = page.get_by_role("group", name=re.compile(r"^Your role"))
    role.get_by_role("radio", name="Procurement officer", exact=True).check()
    page.get_by_role("textbox", name="Years in procurement").fill("37")
    page.get_by_role("button", name="Next", exact=True).click()
    clarity = page.get_by_role("group", name=re.compile(r"^The chapter is clear\."))
    clarity.get_by_role("radio", name="Disagree", exact=True).check()
    page.get_by_role("textbox", name="What is unclear?").fill(SECRET)  # shown by the script
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("group", name="Which chapters did you read?").get_by_role(
        "checkbox", name="Why", exact=True
    ).check()
    usefulness = page.get_by_role("group", name=re.compile(r"^How useful is the manual"))
    usefulness.get_by_role("radio", name="9", exact=True).check()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(heading(page)).to_have_text("Thank you")


def test_the_invitation_link_shows_no_answers_and_the_private_link_still_edits(
    new_context: Callable[..., BrowserContext],
    make_link: Callable[..., Any],
    live_db: Session,
    check_axe: Callable[[Page], None],
) -> None:
    link = make_link(language="en", is_anonymous=True)
    respondent = new_context().new_page()
    respondent.goto(link.start)
    check_axe(respondent)
    respondent.get_by_role("button", name="Start", exact=True).click()

    expect(respondent.get_by_role("heading", name="Your private link")).to_be_visible()
    private = respondent.locator(".private-link a").get_attribute("href")
    assert private and link.token not in private
    expect(respondent).to_have_url(private)
    check_axe(respondent)
    answer_and_submit(respondent)
    expect(respondent.locator(".private-link a")).to_have_attribute("href", private)

    # The coordinator opens the same invitation link in a browser of their own.
    coordinator = new_context().new_page()
    for path in (link.start, link.page("about"), link.page("why"), link.review):
        coordinator.goto(path)
        expect(heading(coordinator)).to_have_text(USED)
        assert SECRET not in coordinator.content() and private not in coordinator.content()
        expect(coordinator.get_by_role("link", name=CONTINUE)).to_have_count(0)
    coordinator.goto(f"{link.start}/thanks")
    expect(heading(coordinator)).to_have_text(USED)
    check_axe(coordinator)
    coordinator.set_viewport_size({"width": 320, "height": 640})
    assert coordinator.evaluate(WIDTH) <= 320

    # The respondent's own browser is offered its private link on the invitation link.
    respondent.goto(link.start)
    expect(heading(respondent)).to_have_text(USED)
    check_axe(respondent)
    respondent.get_by_role("link", name=CONTINUE).click()
    expect(respondent).to_have_url(private)

    # On another device, the private link alone opens the answers and changes them.
    device = new_context().new_page()
    device.goto(private)
    device.get_by_role("link", name="Review your answers").click()
    expect(device.get_by_text(SECRET)).to_be_visible()
    # "Change" and the question, hidden but read out (the browser may put a space between).
    device.get_by_role("link", name=re.compile(r"^Change\s*:\s*What is unclear\?$")).click()
    device.get_by_role("textbox", name="What is unclear?").fill("Changed on my phone")
    device.get_by_role("button", name="Save and review").click()
    device.get_by_role("button", name="Submit changes").click()
    expect(heading(device)).to_have_text("Thank you")

    live_db.rollback()
    (response,) = live_db.scalars(select(Response).where(Response.round_id == link.round_id))
    assert response.invitation_id is None
    assert (response.status, response.submission_count) == ("submitted", 2)
    text = live_db.scalar(
        select(Answer.value).where(
            Answer.response_id == response.id, Answer.question_id == "why_missing"
        )
    )
    assert text == "Changed on my phone"
    invitation = live_db.get_one(Invitation, link.invitation_id)
    assert invitation.started_at is not None and invitation.submitted_at is not None
