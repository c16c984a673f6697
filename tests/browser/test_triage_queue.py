"""Triage at the size of a real round, in a real browser: 1,000 comments, paged 50 at a time.
An editor searches and filters, selects 50 rows by keyboard, changes them in one action and
reads the counts; axe-core (WCAG 2.1 A/AA) on the page, also at 320 px without sideways
scrolling."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import analysis_dataset
import pytest
from playwright.sync_api import Page, expect
from queue_world import add_comments
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.definitions import SurveyRegistry
from surveyapp.services import rounds

pytestmark = pytest.mark.browser

PASSWORD = "browser-password-123"  # conftest's WORKSPACE_PASSWORD
WIDTH = "() => document.documentElement.scrollWidth"
COMMENTS = 1000
UiText = Callable[..., str]


@pytest.fixture(scope="module")
def queue(live_engine: Engine) -> int:
    """A round of its own (so other modules' rounds stay as they are) with 1,000 comments."""
    with Session(live_engine, expire_on_commit=False) as session:
        registry = SurveyRegistry(analysis_dataset.SURVEYS)
        round_ = rounds.open_round(session, registry, "analysis-test", "0.40", actor=SETUP)
        session.commit()
        add_comments(session, round_, COMMENTS)
        return round_.id


def ui_en(ui_text: UiText) -> UiText:
    def ui(msgid: str, **variables: Any) -> str:
        return ui_text("en", msgid, **variables)

    return ui


def counts(page: Page) -> str:
    return " ".join(page.locator("p.counts").all_inner_texts())


def test_an_editor_triages_a_thousand_comments_fifty_at_a_time(
    page: Page,
    queue: int,
    make_account: Callable[[str], str],
    ui_text: UiText,
    check_axe: Callable[[Page], None],
) -> None:
    ui = ui_en(ui_text)
    triage = f"/workspace/rounds/{queue}/feedback"
    page.goto(triage)
    page.get_by_label(ui("Email address")).fill(make_account("editor"))
    page.get_by_label(ui("Password")).fill(PASSWORD)
    page.get_by_role("button", name=ui("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(triage)}$"))

    expect(page.locator("#items-heading")).to_have_text(f"{COMMENTS} feedback items")
    expect(page.locator("td.answer")).to_have_count(50)
    expect(page.get_by_text(ui("Page %(page)d of %(pages)d", page=1, pages=20))).to_be_visible()
    check_axe(page)

    # A search narrows the list and its counts: "Comment 01…" is 0100 … 0199.
    page.get_by_label(ui("Search comments and notes")).fill("comment 01")
    page.get_by_role("button", name=ui("Filter"), exact=True).click()
    expect(page.locator("#items-heading")).to_have_text("100 feedback items")
    expect(page.locator("td.answer").first).to_have_text("Comment 0100")

    # Select all 50 rows of this page by keyboard and change them in one action.
    boxes = page.locator('input[type="checkbox"][name="item"]')
    expect(boxes).to_have_count(50)
    for n in range(50):
        boxes.nth(n).focus()
        page.keyboard.press("Space")
    expect(page.locator('input[name="item"]:checked')).to_have_count(50)
    page.get_by_label(ui("Status"), exact=True).last.select_option("accepted")
    page.get_by_label(re.compile(re.escape(ui("Addressed in revision")))).fill("0.41")
    page.get_by_role("button", name=ui("Save the selected comments")).click()
    expect(page.get_by_text(ui("Feedback items saved: %(num)d.", num=50))).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=comment\+01"))  # back to the same view
    assert f"{ui('accepted')} 50" in counts(page)
    assert f"{ui('new')} 50" in counts(page)
    check_axe(page)

    # Without the search, the whole round's counts follow.
    page.goto(triage + "?status=accepted")
    expect(page.locator("#items-heading")).to_have_text("50 feedback items")
    expect(page.locator("td.answer")).to_have_count(50)
    page.goto(triage)
    assert f"{ui('new')} {COMMENTS - 50}" in counts(page)
    assert f"{ui('accepted')} 50" in counts(page)

    # Every row of the page is still usable on a 320 px screen, without sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate(WIDTH)
    assert width <= 320, f"the triage page is {width}px wide on a 320px screen"
    check_axe(page)
    page.get_by_role("link", name=ui("Next")).click()
    expect(page.get_by_text(ui("Page %(page)d of %(pages)d", page=2, pages=20))).to_be_visible()
    assert page.evaluate(WIDTH) <= 320
