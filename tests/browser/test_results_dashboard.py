"""The results dashboard in a real browser: an editor filters it and downloads the workbook;
axe-core (WCAG 2.1 A/AA) and a 320 px screen without sideways scrolling."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import analysis_dataset
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from surveyapp.analysis.export_xlsx import SHEETS

pytestmark = pytest.mark.browser

PASSWORD = "browser-password-123"  # conftest's WORKSPACE_PASSWORD
WIDTH = "() => document.documentElement.scrollWidth"


def test_an_editor_filters_the_dashboard_and_downloads_the_workbook(
    page: Page,
    live_engine: Engine,
    tmp_path: Path,
    make_account: Callable[[str], str],
    ui_text: Callable[..., str],
    check_axe: Callable[[Page], None],
) -> None:
    def ui(msgid: str, **variables: Any) -> str:
        return ui_text("en", msgid, **variables)

    with Session(live_engine, expire_on_commit=False) as session:
        round_id = analysis_dataset.build(session, tmp_path).current.id
    path = f"/workspace/rounds/{round_id}/results"

    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label(ui("Email address")).fill(make_account("editor"))
    page.get_by_label(ui("Password")).fill(PASSWORD)
    page.get_by_role("button", name=ui("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(path)}$"))
    shown = page.locator("#responses-shown")
    expect(shown).to_have_text("3")
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

    with page.expect_download() as downloading:
        page.get_by_role("link", name=ui("Download the Excel summary")).click()
    download = downloading.value
    assert download.suggested_filename == f"round-{round_id}-0.10-en.xlsx"
    book = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    assert book.sheetnames == list(SHEETS)
