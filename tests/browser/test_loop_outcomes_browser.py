"""The feedback loop in a real browser (issue 16): a member comments on revision 0.3 through
the survey's pages, an editor triages with the bulk form and translates notes, a
coordinator publishes, and the member finds what became of each comment, in Finnish, from
the 0.4 invitation; in an anonymous round only through the private link. axe-core on the
new pages at 1280 and 320 px. With OUTCOMES_SCREENSHOTS=1 the outcomes page is saved to
/tmp/outcomes-fi-1280.png and /tmp/outcomes-fi-320.png."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable

import pytest
from loop_world import registry
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.models import FeedbackItem, Invitation, Participant, Round
from surveyapp.services import rounds

pytestmark = pytest.mark.browser

PASSWORD = "browser-password-123"  # conftest's WORKSPACE_PASSWORD
WIDTH = "() => document.documentElement.scrollWidth"
UiText = Callable[..., str]
COMMENTS = {
    "What should change in Why?": "Too abstract for a small city",
    "What is missing from Why?": "Examples from small towns",
    "What should change in How?": "Drop the third checklist",
    "What is missing from How?": "A template for market dialogue",
}
# The comment's text: (status, English note, Finnish note or None, revision).
TRIAGE = {
    "Too abstract for a small city": (
        "accepted",
        "We rewrote the opening.",
        "Kirjoitimme alun.",
        "",
    ),
    "Examples from small towns": ("done", "Cases added.", "Lisäsimme esimerkit.", "0.4"),
    "Drop the third checklist": ("rejected", "Auditors ask for it.", None, ""),
    "A template for market dialogue": ("accepted", "Being drafted.", "Tekeillä.", ""),
}


def open_round(engine: Engine, revision: str, *, anonymous: bool = False) -> tuple[int, str]:
    """A round of loop-test with a new Finnish member invited: (round id, invitation token)."""
    with Session(engine, expire_on_commit=False) as session:
        round_ = rounds.open_round(
            session, registry, "loop-test", revision, is_anonymous=anonymous, actor=SETUP
        )
        person = session.scalars(
            select(Participant).where(Participant.email == "loop.member@city.example")
        ).first()
        if person is None:
            person = Participant(email="loop.member@city.example", name="Maija", language="fi")
            session.add(person)
            session.flush()
        rounds.invite_participants(session, round_, [person.id], actor=SETUP)
        token = session.scalars(
            select(Invitation.token).where(Invitation.round_id == round_.id)
        ).one()
        session.commit()
        return round_.id, token


def answer(page: Page, start: str) -> None:
    """From a start page with a Start link through both pages to the thank-you page."""
    page.goto(start + ("&" if "?" in start else "?") + "lang=en")
    page.get_by_role("link", name="Start", exact=True).click()
    clarity = page.get_by_role("group", name=re.compile(r"^The chapter is clear\."))
    clarity.get_by_role("radio", name="Disagree", exact=True).check()
    for label, text in list(COMMENTS.items())[:2]:
        page.get_by_role("textbox", name=label).fill(text)
    page.get_by_role("button", name="Next", exact=True).click()
    for label, text in list(COMMENTS.items())[2:]:
        page.get_by_role("textbox", name=label).fill(text)
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def log_in(page: Page, url: str, email: str, ui: UiText) -> None:
    page.goto(url)
    page.get_by_label(ui("en", "Email address")).fill(email)
    page.get_by_label(ui("en", "Password")).fill(PASSWORD)
    page.get_by_role("button", name=ui("en", "Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))


def triage_and_publish(
    new_context: Callable[..., BrowserContext],
    make_account: Callable[[str], str],
    ui: UiText,
    engine: Engine,
    round_id: int,
    *,
    bring_in: bool = False,
    check_axe: Callable[[Page], None] | None = None,
) -> None:
    """An editor triages each comment with the bulk form and adds Finnish notes; a
    coordinator publishes the draft."""
    editor = new_context().new_page()
    triage = f"/workspace/rounds/{round_id}/feedback"
    log_in(editor, triage, make_account("editor"), ui)
    if bring_in:
        editor.get_by_role("button", name=ui("en", "Bring them in")).click()
    for text, (status, note, _finnish, revision) in TRIAGE.items():
        editor.get_by_label(ui("en", "Select the comment: %(text)s", text=text)).check()
        editor.get_by_label(ui("en", "Status"), exact=True).last.select_option(status)
        editor.locator("#bulk-note").fill(note)
        editor.locator("#bulk-revision").fill(revision)
        editor.get_by_role("button", name=ui("en", "Save the selected comments")).click()
        expect(
            editor.get_by_text(ui("en", "Feedback items saved: %(num)d.", num=1))
        ).to_be_visible()
    draft = f"/workspace/rounds/{round_id}/report"
    editor.goto(draft)
    if check_axe is not None:
        check_axe(editor)
    with Session(engine) as session:
        items = {
            item.note: item.id
            for item in session.scalars(
                select(FeedbackItem).where(FeedbackItem.round_id == round_id)
            )
        }
    for _text, (_status, note, finnish, _revision) in TRIAGE.items():
        if finnish:
            editor.locator(f"#note-{items[note]}-fi").fill(finnish)
    editor.get_by_role("button", name=ui("en", "Save the translated notes")).click()
    expect(editor.get_by_text(ui("en", "Notes saved: %(num)d.", num=3))).to_be_visible()
    expect(editor.get_by_role("button", name=ui("en", "Publish this draft"))).to_have_count(0)

    coordinator = new_context().new_page()
    log_in(coordinator, draft, make_account("coordinator"), ui)
    coordinator.get_by_role("button", name=ui("en", "Publish this draft")).click()
    expect(
        coordinator.get_by_text(
            ui("en", "Version %(version)d of the report is published.", version=1)
        )
    ).to_be_visible()


def check_outcomes(page: Page, ui: UiText, check_axe: Callable[[Page], None], shots: bool) -> None:
    """The outcomes page in Finnish: each comment with its status and note."""
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ui("fi", "What became of your comments")
    )
    items = page.locator("ol.own-comments > li")
    expect(items).to_have_count(4)
    for n, (text, (status, note, finnish, revision)) in enumerate(TRIAGE.items()):
        item = items.nth(n)
        expect(item.locator("blockquote")).to_have_text(text)
        names = {"accepted": "accepted", "done": "done", "rejected": "not taken up"}
        expect(item.locator("dd").first).to_have_text(ui("fi", names[status]))
        expect(item).to_contain_text(finnish or note)
        if finnish is None:
            expect(item.locator('span[lang="en"]')).to_have_text(note)
            expect(item).to_contain_text(ui("fi", "(in English)"))
        if revision:
            expect(item).to_contain_text(revision)
    check_axe(page)
    if shots:
        page.screenshot(path="/tmp/outcomes-fi-1280.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(WIDTH) <= 320
    check_axe(page)
    if shots:
        page.screenshot(path="/tmp/outcomes-fi-320.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_member_follows_their_comments_from_the_next_rounds_link(
    new_context: Callable[..., BrowserContext],
    make_account: Callable[[str], str],
    live_engine: Engine,
    ui_text: UiText,
    check_axe: Callable[[Page], None],
) -> None:
    round_id, token = open_round(live_engine, "0.3")
    member = new_context(viewport={"width": 1280, "height": 800}).new_page()
    answer(member, f"/s/{token}")
    triage_and_publish(
        new_context, make_account, ui_text, live_engine, round_id, check_axe=check_axe
    )
    _next_id, next_token = open_round(live_engine, "0.4")

    member.goto(f"/s/{next_token}?lang=fi")
    line = member.locator(".outcomes-line")
    expect(line).to_contain_text(
        "Versioon 0.3 jätit 4 kommenttia: 2 hyväksyttyä, 1 tehty versiossa 0.4, "
        "1 jäi toteuttamatta."
    )
    line.get_by_role("link", name=ui_text("fi", "See what became of them.")).click()
    expect(member).to_have_url(re.compile(rf"/s/{next_token}/outcomes"))
    check_outcomes(member, ui_text, check_axe, os.environ.get("OUTCOMES_SCREENSHOTS") == "1")

    # The public report, linked from the start page, in Finnish at 1280 and 320 px.
    member.goto(f"/s/{next_token}?lang=fi")
    member.locator(".loop-reports a").click()
    expect(member).to_have_url(re.compile(r"/outcomes/loop-test/0\.3\?lang=fi$"))
    expect(member.get_by_role("heading", level=1)).to_contain_text("0.3")
    content = member.content()
    assert all(text not in content for text in TRIAGE)
    expect(member.locator('span[lang="en"]')).to_have_text("Auditors ask for it.")
    check_axe(member)
    member.set_viewport_size({"width": 320, "height": 640})
    assert member.evaluate(WIDTH) <= 320
    check_axe(member)

    # The third language: the public report and the member's outcomes in Swedish.
    member.set_viewport_size({"width": 1280, "height": 800})
    for address in ("/outcomes/loop-test/0.3?lang=sv", f"/s/{next_token}/outcomes?lang=sv"):
        member.goto(address)
        expect(member.locator("html")).to_have_attribute("lang", "sv")
        expect(member.locator("body")).to_contain_text(ui_text("sv", "accepted"))
        check_axe(member)
        member.set_viewport_size({"width": 320, "height": 640})
        assert member.evaluate(WIDTH) <= 320
        check_axe(member)
        member.set_viewport_size({"width": 1280, "height": 800})


def test_an_anonymous_respondent_follows_their_comments_only_through_the_private_link(
    new_context: Callable[..., BrowserContext],
    make_account: Callable[[str], str],
    live_engine: Engine,
    ui_text: UiText,
    check_axe: Callable[[Page], None],
) -> None:
    revision = f"0.5.{uuid.uuid4().int % 1000}"
    round_id, token = open_round(live_engine, revision, anonymous=True)
    member = new_context(viewport={"width": 1280, "height": 800}).new_page()
    member.goto(f"/s/{token}?lang=en")
    member.get_by_role("button", name="Start", exact=True).click()
    href = member.locator(".private-link a").get_attribute("href") or ""
    private = re.search(r"/s/([^/?#]+)$", href)
    assert private and private[1] != token
    answer(member, f"/s/{private[1]}")
    triage_and_publish(new_context, make_account, ui_text, live_engine, round_id, bring_in=True)

    member.goto(f"/s/{private[1]}/outcomes?lang=fi")
    check_outcomes(member, ui_text, check_axe, shots=False)
    # The invitation link, in the respondent's browser or anyone's, shows no comment.
    for page in (member, new_context().new_page()):
        page.goto(f"/s/{token}/outcomes?lang=fi")
        expect(page.locator("ol.own-comments")).to_have_count(0)
        assert all(text not in page.content() for text in TRIAGE)
    with Session(live_engine) as session:
        assert session.get_one(Round, round_id).is_anonymous
