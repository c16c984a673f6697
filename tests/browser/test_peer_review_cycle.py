"""A whole peer review in a real browser, without a line of JavaScript of its own: the
coordinator creates the review, its organisations and members; the host fills in the
self-assessment; two peers score in Swedish and English (one at 320 px); the coordinator
reads the pre-report, drafts the agenda, writes the notes and final level, the summary with
an action, and publishes; then starts the re-run, whose host says what became of the action;
the re-run's summary shows the change per criterion and the action's status. axe-core checks
the main pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from surveyapp.definitions import CriteriaRegistry

pytestmark = pytest.mark.browser

PASSWORD = "browser-password-123"  # conftest's WORKSPACE_PASSWORD
WIDTH = "() => document.documentElement.scrollWidth"
CRITERIA = CriteriaRegistry(Path(__file__).resolve().parents[2] / "criteria").get(
    "procurement-unit"
)
FIRST = CRITERIA.criteria[0]
CHAPTER = [c for c in CRITERIA.criteria if c.chapter == FIRST.chapter]


def log_in(page: Page, email: str) -> None:
    page.goto("/workspace/reviews/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(re.compile(r"/workspace/reviews/$"))


def create_review(page: Page, check_axe: Callable[[Page], None]) -> str:
    check_axe(page)
    page.get_by_role("link", name="New peer review").click()
    page.get_by_label("Title").fill("Peer review 2027")
    page.get_by_label("Host organisation (under review)").fill("City of Tampere")
    page.get_by_label("Criteria set").select_option("procurement-unit")
    page.get_by_label("Host's language").select_option("fi")
    page.get_by_label("First evaluation day").fill("2027-05-10")
    page.get_by_label("Last evaluation day").fill("2027-05-11")
    check_axe(page)
    page.get_by_role("button", name="Create the peer review").click()
    page.wait_for_url(re.compile(r"/workspace/reviews/\d+$"))
    return page.url


def add_party(page: Page, name: str, language: str) -> None:
    page.locator("#party-role").select_option("peer")
    page.locator("#party-name").fill(name)
    page.locator("#party-language").select_option(language)
    page.get_by_role("button", name="Add the organisation").click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(name)))).to_be_visible()


def add_member(page: Page, party: str, name: str, email: str) -> None:
    page.locator("#member-party").select_option(label=party)
    page.locator("#member-name").fill(name)
    page.locator("#member-email").fill(email)
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_role("rowheader", name=name)).to_be_visible()


def link_of(page: Page, name: str) -> str:
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
    href = row.locator("a.personal-link").get_attribute("href")
    assert href and "/r/" in href
    return href


def set_up_parties(page: Page, check_axe: Callable[[Page], None]) -> dict[str, str]:
    add_party(page, "City of Malmö", "sv")
    add_party(page, "Dublin City Council", "en")
    add_member(page, "City of Tampere", "Liisa Virtanen", "liisa@tampere.example")
    add_member(page, "City of Malmö", "Eva Berg", "eva@malmo.example")
    add_member(page, "Dublin City Council", "Sean Byrne", "sean@dublin.example")
    check_axe(page)
    return {name: link_of(page, name) for name in ("Liisa Virtanen", "Eva Berg", "Sean Byrne")}


def host_self_assessment(page: Page, link: str, check_axe: Callable[[Page], None]) -> None:
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    check_axe(page)
    page.locator("a.button.primary").first.click()
    for n, criterion in enumerate(CHAPTER):
        page.locator(f"#{criterion.id}-level-3").check()
        page.locator(f"#{criterion.id}-evidence").fill(f"Näyttö {n}")
        page.locator(f"#{criterion.id}-key_people").fill("Hankintajohtaja")
    check_axe(page)
    page.locator("button.next").click()
    expect(page).not_to_have_url(re.compile(f"/c/{FIRST.chapter}$"))


def peer_scores(page: Page, link: str, level: int, words: str, lang: str) -> None:
    page.goto(link + f"/c/{FIRST.chapter}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_text("Näyttö 0")).to_be_visible()  # the host's self-assessment
    for criterion in CHAPTER:
        page.locator(f"#{criterion.id}-level-{level}").check()
        page.locator(f"#{criterion.id}-observations").fill(f"{words} observation")
        page.locator(f"#{criterion.id}-questions").fill(f"{words} question?")
    page.locator("button.next").click()
    expect(page).not_to_have_url(re.compile(f"/c/{FIRST.chapter}$"))


def evaluation_days(page: Page, review_url: str, check_axe: Callable[[Page], None]) -> None:
    page.goto(review_url + "/pre-report")
    expect(page.get_by_role("heading", name="Where the views differ most")).to_be_visible()
    expect(page.get_by_text("Svenska question?").first).to_be_visible()
    check_axe(page)
    page.goto(review_url + "/agenda")
    page.get_by_role("button", name="Draft the agenda from the pre-report").click()
    expect(page.get_by_text("The agenda is drafted")).to_be_visible()
    check_axe(page)
    page.goto(review_url + f"/notes/{FIRST.id}")
    page.get_by_label("Notes from the evaluation days").fill("Interviewed the CFO.")
    page.locator("#final_level-2").check()
    page.get_by_label("Strengths", exact=True).fill("A clear mandate")
    page.get_by_label("Development areas", exact=True).fill("Data on spend")
    check_axe(page)
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("The notes are saved.")).to_be_visible()
    expect(page.locator("#final_level-2")).to_be_checked()


def summary_and_publish(page: Page, review_url: str, check_axe: Callable[[Page], None]) -> None:
    page.goto(review_url + "/summary")
    page.locator("#new-title").fill("Write a spend analysis")
    page.locator("#new-owner").fill("Hankintajohtaja")
    page.locator("#new-due_on").fill("2028-03-31")
    page.locator("#new-priority").select_option("high")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("rowheader", name="Write a spend analysis")).to_be_visible()
    expect(page.get_by_text("A clear mandate")).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Publish the summary").click()
    expect(page.get_by_text("The summary is published")).to_be_visible()


def start_rerun(page: Page, review_url: str) -> str:
    page.goto(review_url + "/rerun")
    page.get_by_label("First evaluation day").fill("2029-05-14")
    page.get_by_label("Last evaluation day").fill("2029-05-15")
    page.get_by_role("button", name="Start the re-run").click()
    page.wait_for_url(re.compile(r"/workspace/reviews/\d+$"))
    assert page.url != review_url
    return page.url


def test_a_whole_peer_review_and_its_rerun(
    new_context: Callable[..., BrowserContext],
    make_account: Callable[[str], str],
    check_axe: Callable[[Page], None],
) -> None:
    coordinator = new_context().new_page()
    log_in(coordinator, make_account("coordinator"))
    review_url = create_review(coordinator, check_axe)
    links = set_up_parties(coordinator, check_axe)

    host_self_assessment(new_context().new_page(), links["Liisa Virtanen"], check_axe)
    swedish = new_context(viewport={"width": 320, "height": 640}).new_page()
    peer_scores(swedish, links["Eva Berg"], 1, "Svenska", "sv")
    swedish.goto(links["Eva Berg"] + f"/c/{FIRST.chapter}")
    assert swedish.evaluate(WIDTH) <= 320, "no sideways scrolling at 320 px"
    check_axe(swedish)
    peer_scores(new_context().new_page(), links["Sean Byrne"], 2, "English", "en")

    evaluation_days(coordinator, review_url, check_axe)
    summary_and_publish(coordinator, review_url, check_axe)
    host = new_context().new_page()
    host.goto(links["Liisa Virtanen"] + "/summary")
    expect(host.get_by_text("Write a spend analysis").first).to_be_visible()

    rerun_url = start_rerun(coordinator, review_url)
    new_host_link = link_of(coordinator, "Liisa Virtanen")
    assert new_host_link != links["Liisa Virtanen"], "the re-run has new links"
    host.goto(new_host_link)
    host.locator("a[href$='/actions']").click()
    expect(host.get_by_role("heading", name="Write a spend analysis")).to_be_visible()
    host.locator("input[type=radio][value=done]").check()
    host.locator("textarea[id$='-why']").fill("Valmis 2028")
    check_axe(host)
    host.locator("form button.primary").click()
    expect(host).to_have_url(re.compile(r"\?saved=1$"))

    coordinator.goto(rerun_url + f"/notes/{FIRST.id}")
    coordinator.locator("#final_level-4").check()
    coordinator.get_by_role("button", name="Save").first.click()
    expect(coordinator.get_by_text("The notes are saved.")).to_be_visible()
    coordinator.goto(rerun_url + "/summary")
    first = coordinator.get_by_role("article").filter(
        has=coordinator.get_by_role("heading", name=FIRST.text["fi"])
    )
    expect(first.locator("dd.change")).to_have_text("+2.0")
    earlier = coordinator.get_by_role("table", name="What became of the earlier actions")
    expect(earlier.get_by_role("cell", name="Done")).to_be_visible()
    expect(earlier.get_by_role("cell", name="Valmis 2028")).to_be_visible()
    check_axe(coordinator)
