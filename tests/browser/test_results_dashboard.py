"""Results in a real browser: an editor filters the dashboard, triages three comments, reads
"you said, we did" for the next revision, and downloads the workbook, prepared in the
background and followed on its progress page (with and without JavaScript). axe-core
(WCAG 2.1 A/AA) on every results page, and a 320 px screen without sideways scrolling.

The data is tests/analysis_dataset.py's (it can be built once per database, so once for this
module) plus a fourth submitted response with a third comment: four responses in all.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import analysis_dataset
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.analysis.export_xlsx import SHEETS
from surveyapp.jobs import exports
from surveyapp.models import Round

pytestmark = pytest.mark.browser

PASSWORD = "browser-password-123"  # conftest's WORKSPACE_PASSWORD
WIDTH = "() => document.documentElement.scrollWidth"
THIRD_COMMENT = "Add a checklist for small cities"
UiText = Callable[..., str]


@dataclass(frozen=True)
class Rounds:
    current: int  # revision 0.10, four submitted responses, three comments
    following: int  # revision 0.11, whose "you said, we did" reports 0.10's feedback


@pytest.fixture(scope="module")
def results(live_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Rounds:
    with Session(live_engine, expire_on_commit=False) as session:
        data = analysis_dataset.build(session, tmp_path_factory.mktemp("analysis"))
        analysis_dataset.respond(session, data.current, {"why_comment": THIRD_COMMENT})
        session.commit()
        following = session.scalars(
            select(Round.id).where(Round.survey_id == "analysis-test", Round.revision == "0.11")
        ).one()
        return Rounds(data.current.id, following)


def log_in(page: Page, path: str, email: str, ui: UiText) -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label(ui("Email address")).fill(email)
    page.get_by_label(ui("Password")).fill(PASSWORD)
    page.get_by_role("button", name=ui("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(path)}$"))


def english(ui_text: UiText) -> UiText:
    def ui(msgid: str, **variables: Any) -> str:
        return ui_text("en", msgid, **variables)

    return ui


def wait_for_the_file(page: Page, ui: UiText, name: str) -> Locator:
    """The progress page refreshes itself until the file's link appears."""
    expect(page).to_have_url(re.compile(r"/workspace/rounds/\d+/export/\d+$"))
    link = page.get_by_role("link", name=ui("Download %(file)s", file=name))
    expect(link).to_be_visible(timeout=30_000)
    return link


def download_book(page: Page, link: Locator, name: str) -> Any:
    with page.expect_download() as downloading:
        link.click()
    assert downloading.value.suggested_filename == name
    return load_workbook(io.BytesIO(downloading.value.path().read_bytes()), read_only=True)


# --- the dashboard ------------------------------------------------------------------------------


def test_an_editor_filters_the_dashboard_and_downloads_the_workbook(
    page: Page,
    results: Rounds,
    make_account: Callable[[str], str],
    ui_text: UiText,
    check_axe: Callable[[Page], None],
) -> None:
    ui = english(ui_text)
    log_in(page, f"/workspace/rounds/{results.current}/results", make_account("editor"), ui)
    shown = page.locator("#responses-shown")
    expect(shown).to_have_text("4")
    chart = page.get_by_role("img", name=re.compile(r"^Your role\. Procurement officer: 2 "))
    expect(chart).to_be_visible()

    # Filter: group g1 and those who read the cases.
    page.get_by_label(ui("Group"), exact=True).select_option("g1")
    page.get_by_label(ui("Answer"), exact=True).select_option("how_read:cases")
    page.get_by_role("button", name=ui("Show"), exact=True).click()
    expect(page).to_have_url(re.compile(r"group=g1.*q=how_read(%3A|:)cases"))
    expect(shown).to_have_text("1")
    expect(page.locator('section[aria-labelledby="q-usefulness"] dd.mean')).to_have_text("8.00")

    check_axe(page)
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate(WIDTH)
    assert width <= 320, f"the dashboard is {width}px wide on a 320px screen"
    check_axe(page)

    page.get_by_role("button", name=ui("Download the Excel summary"), exact=True).click()
    name = f"round-{results.current}-0.10-en.xlsx"
    book = download_book(page, wait_for_the_file(page, ui, name), name)
    assert book.sheetnames == list(SHEETS)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(max_row=13, values_only=True)}
    assert summary["Submitted"] == 4, "all responses: the dashboard's filters do not apply"


def test_the_workbook_is_prepared_and_downloaded_without_javascript(
    new_context: Callable[..., Any],
    results: Rounds,
    make_account: Callable[[str], str],
    ui_text: UiText,
) -> None:
    """The progress page's meta refresh, not a script, brings the download link."""

    def ui(msgid: str, **variables: Any) -> str:
        return ui_text("fi", msgid, **variables)

    page: Page = new_context(java_script_enabled=False, locale="fi-FI").new_page()
    path = f"/workspace/rounds/{results.current}/results"
    log_in(page, path, make_account("editor"), ui)
    page.goto(f"{path}?lang=fi")
    page.get_by_role("button", name=ui("Download the Excel summary"), exact=True).click()
    name = f"round-{results.current}-0.10-fi.xlsx"
    book = download_book(page, wait_for_the_file(page, ui, name), name)
    codebook = {r[0]: r[4] for r in book["Codebook"].iter_rows(values_only=True)}
    assert codebook["role"] == "Roolisi"


# Elements that scroll sideways on a page: only the tables' own scroll boxes may.
SIDEWAYS = """() => [...document.querySelectorAll('body *')].filter(e => {
  const style = getComputedStyle(e);
  return ['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth;
}).map(e => e.className || e.tagName)"""


def test_a_finnish_editor_reads_the_dashboard_by_chapter_at_any_width(
    new_context: Callable[..., Any],
    results: Rounds,
    make_account: Callable[[str], str],
    ui_text: UiText,
    check_axe: Callable[[Page], None],
) -> None:
    """Finnish from the browser's language: survey texts, numbers, contents; every chart's
    table a click away; at 640 px (1280 px zoomed to 200 %) only tables scroll sideways.
    With DASHBOARD_SCREENSHOTS=1 it writes /tmp/dashboard-fi-1280.png and -320.png."""

    def ui(msgid: str, **variables: Any) -> str:
        return ui_text("fi", msgid, **variables)

    page: Page = new_context(locale="fi-FI").new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    path = f"/workspace/rounds/{results.current}/results"
    log_in(page, path, make_account("editor"), ui)
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(
        page.get_by_role("img", name=re.compile(r"^Roolisi\. Hankinta-asiantuntija: 2 "))
    ).to_be_visible()
    expect(page.locator('section[aria-labelledby="q-how_clarity"] dd.mean')).to_have_text("3,67")
    contents = page.get_by_role("navigation", name=ui("Contents"))
    contents.get_by_role("link", name="Mitä siihen tarvitaan").click()
    expect(page).to_have_url(re.compile(r"#ch-how$"))
    table = page.locator('section[aria-labelledby="q-role"] table')
    expect(table).to_be_hidden()
    page.locator('section[aria-labelledby="q-role"] summary').click()
    expect(table).to_be_visible()
    check_axe(page)
    if os.environ.get("DASHBOARD_SCREENSHOTS"):
        page.screenshot(path="/tmp/dashboard-fi-1280.png", full_page=True)

    for summary in page.locator("details.chart-data summary").all():
        summary.click()  # every table open: the widest the page gets
    page.set_viewport_size({"width": 640, "height": 800})
    assert page.evaluate(WIDTH) <= 640
    assert set(page.evaluate(SIDEWAYS)) <= {"table-scroll"}
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate(WIDTH)
    assert width <= 320, f"the Finnish dashboard is {width}px wide on a 320px screen"
    check_axe(page)
    if os.environ.get("DASHBOARD_SCREENSHOTS"):
        page.screenshot(path="/tmp/dashboard-fi-320.png", full_page=True)


# --- triage, "you said, we did", and the workbook that carries it -----------------------------

TRIAGE = [
    # (answer, status, note, revision)
    ("Too long", "accepted", "Chapter 1 is half as long now.", "0.11"),
    ("=1+1", "rejected", "Not feedback on the manual.", ""),
    (THIRD_COMMENT, "accepted", "Checklist added to chapter 3.", "0.11"),
]


def triage_item(page: Page, ui: UiText, answer: str, status: str, note: str, rev: str) -> None:
    """Select one comment in the triage table, change it with the bulk form, see it saved."""
    row = page.locator("tr").filter(
        has=page.locator("td.answer", has_text=re.compile(f"^{re.escape(answer)}$"))
    )
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    page.locator("#bulk-status").select_option(status)
    page.locator("#bulk-note").fill(note)
    page.locator("#bulk-revision").fill(rev)
    page.get_by_role("button", name=ui("Save the selected comments"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(ui("Feedback items saved: %(num)d.", num=1))
    saved = page.locator("tr").filter(
        has=page.locator("td.answer", has_text=re.compile(f"^{re.escape(answer)}$"))
    )
    expect(saved).to_contain_text(note)
    if rev:
        expect(saved).to_contain_text(f"({rev})")


def select_all_and_shift_click(page: Page, ui: UiText) -> None:
    """static/js/triage.js: a labelled checkbox in the table's head selects every row of the
    page; shift-click selects the rows between two clicked ones. All cleared afterwards."""
    every = page.get_by_role("checkbox", name=ui("Select all comments on this page"))
    rows = page.locator('input[name="item"]')
    every.check()
    expect(rows.nth(0)).to_be_checked()
    expect(rows.nth(2)).to_be_checked()
    every.uncheck()
    rows.nth(0).click()
    rows.nth(2).click(modifiers=["Shift"])
    for n in range(3):
        expect(rows.nth(n)).to_be_checked()
    expect(every).to_be_checked()
    every.uncheck()
    for n in range(3):
        expect(rows.nth(n)).not_to_be_checked()


def filter_by_status(page: Page, ui: UiText, status: str) -> list[str]:
    """The answers the triage page lists with the status filter set."""
    page.locator("#filter-status").select_option(status)
    page.get_by_role("button", name=ui("Filter"), exact=True).click()
    expect(page).to_have_url(re.compile(f"status={status}"))
    return page.locator("td.answer").all_inner_texts()


def test_an_editor_triages_three_comments_and_downloads_them(
    page: Page,
    results: Rounds,
    live_engine: Engine,
    make_account: Callable[[str], str],
    ui_text: UiText,
    check_axe: Callable[[Page], None],
) -> None:
    ui = english(ui_text)
    triage = f"/workspace/rounds/{results.current}/feedback"
    log_in(page, triage, make_account("editor"), ui)
    expect(page.locator("td.answer")).to_have_count(3)
    check_axe(page)
    select_all_and_shift_click(page, ui)
    for answer, status, note, revision in TRIAGE:
        triage_item(page, ui, answer, status, note, revision)
    assert sorted(filter_by_status(page, ui, "accepted")) == sorted(["Too long", THIRD_COMMENT])
    assert filter_by_status(page, ui, "rejected") == ["=1+1"]
    assert filter_by_status(page, ui, "new") == []
    check_axe(page)

    # The next revision's "you said, we did" reports what was done with these comments.
    page.goto(f"/workspace/rounds/{results.following}/you-said-we-did")
    for answer, _status, note, _revision in TRIAGE:
        row = page.get_by_role("row").filter(has_text=answer)
        expect(row).to_contain_text(note)
    check_axe(page)

    # The workbook carries the triage: the Feedback sheet, via the progress page.
    page.goto(f"/workspace/rounds/{results.current}/results")
    page.get_by_role("button", name=ui("Download the Excel summary"), exact=True).click()
    name = f"round-{results.current}-0.10-en.xlsx"
    link = wait_for_the_file(page, ui, name)
    expect(page.get_by_role("status")).to_have_text(
        ui("The Excel summary is ready: %(num)d responses.", num=4)
    )
    check_axe(page)
    book = download_book(page, link, name)
    rows = list(book["Feedback"].iter_rows(values_only=True))
    header = list(rows[0])
    found = {
        row[header.index("answer")]: (
            row[header.index("status")],
            row[header.index("note")],
            row[header.index("addressed in revision")],
        )
        for row in rows[1:]
    }
    assert found == {
        "Too long": ("accepted", TRIAGE[0][2], "0.11"),
        "'=1+1": ("rejected", TRIAGE[1][2], None),  # a formula-like answer stays text
        THIRD_COMMENT: ("accepted", TRIAGE[2][2], "0.11"),
    }

    # The export pages: the list of this round's exports, and a job still running.
    page.get_by_role("link", name=ui("All exports of this round")).click()
    expect(page.get_by_role("cell", name=ui("ready"))).not_to_have_count(0)
    check_axe(page)
    with Session(live_engine, expire_on_commit=False) as session:
        job, _ = exports.start_export(
            session, session.get_one(Round, results.current), "sv", actor=SETUP
        )
        session.commit()
    page.goto(f"/workspace/rounds/{results.current}/export/{job.id}?refresh=0")
    expect(page.get_by_role("status")).to_contain_text("0 of 4 responses written")
    expect(page.get_by_role("progressbar", name=ui("Responses written"))).to_be_visible()
    check_axe(page)
