"""The finished respondent side in a real browser: the matrix grid passes axe at 1280 and
320 px and is answered by keyboard alone, Clear works without JavaScript, and the new pages
(about block, printable copy, accessibility statement) pass axe.

Screenshots with RESPONDENT_SCREENSHOTS=1: /tmp/start-fi-1280.png, /tmp/matrix-1280.png,
/tmp/matrix-320.png."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from test_answering import FI, ends_with, press, tab_to

pytestmark = pytest.mark.browser

UiText = Callable[..., str]
SHOTS = os.environ.get("RESPONDENT_SCREENSHOTS") == "1"
WIDTH = "() => document.documentElement.scrollWidth"
ACCESSIBLE_NAME = """id => {
  const e = document.getElementById(id);
  return e.getAttribute("aria-labelledby").split(" ")
    .map(i => document.getElementById(i).textContent.trim()).join(" ");
}"""


def shot(page: Page, path: str) -> None:
    if SHOTS:
        page.screenshot(path=path, full_page=True)


@pytest.mark.parametrize("width", [1280, 320])
def test_the_matrix_grid_passes_axe_wide_and_narrow(
    new_context: Callable[..., BrowserContext],
    make_link: Callable[..., Any],
    check_axe: Callable[[Page], None],
    width: int,
) -> None:
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    link = make_link(language="fi", answers={"role": "officer", "why_tools": {"canvas": 4}})
    page.goto(link.page("why"))
    grid = page.locator("table.matrix-grid")
    expect(grid).to_be_visible()
    radio = page.get_by_role("radio", name=f"{FI['canvas']} {FI['very_useful']}", exact=True)
    expect(radio).to_be_checked()
    point = page.locator("#q-why_tools-canvas-4 + label.matrix-point")
    box = point.bounding_box()
    assert box is not None
    if width == 320:
        assert box["width"] > 1, "on a phone each button shows its point's label"
        assert page.evaluate(WIDTH) <= 320, "the grid fits a 320 px phone"
        headers = page.locator("table.matrix-grid thead").bounding_box()
        assert headers is not None and headers["height"] <= 1, "no header row on a phone"
    else:
        assert box["width"] <= 1, "in the grid, the column header labels the buttons"
        assert grid.bounding_box()["width"] > 600  # type: ignore[index]
    shot(page, f"/tmp/matrix-{width}.png")
    check_axe(page)


def check_wide_and_narrow(page: Page, check_axe: Callable[[Page], None]) -> None:
    """axe at 1280 and at 320 px, and nothing wider than a 320 px screen."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        check_axe(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_start_page_with_the_about_block_passes_axe(
    page: Page, make_link: Callable[..., Any], check_axe: Callable[[Page], None], ui_text: UiText
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    link = make_link(language="fi")
    page.goto(link.start)
    about = page.get_by_role("region", name=ui_text("fi", "About this survey"))
    expect(about).to_contain_text("Testikumppanuus")
    expect(page.locator("footer")).to_contain_text("Testikumppanuus")
    footer_link = page.locator("footer").get_by_role(
        "link", name=ui_text("fi", "Accessibility statement")
    )
    expect(footer_link).to_have_attribute("href", "/accessibility?lang=fi")
    shot(page, "/tmp/start-fi-1280.png")
    check_wide_and_narrow(page, check_axe)


def test_the_matrix_by_keyboard_alone(
    page: Page, make_link: Callable[..., Any], stored: Callable[..., Any], ui_text: UiText
) -> None:
    link = make_link(language="fi", answers={"role": "officer"})
    page.goto(link.page("why"))
    tab_to(page, lambda e: e["name"] == "why_clarity")
    press(page, "Space")
    press(page, "ArrowDown")  # 2: reveals the follow-up text box
    assert press(page, "Tab")["name"] == "why_missing"
    page.keyboard.type("Lyhyt")
    canvas = press(page, "Tab")
    assert canvas["name"] == "why_tools.canvas"
    press(page, "Space")
    press(page, "ArrowRight")
    press(page, "ArrowRight")
    now = page.evaluate("() => document.activeElement.id")
    name = page.evaluate(ACCESSIBLE_NAME, now)
    assert name == f"{FI['canvas']} Kohtalaisen hyödyllinen", "named by row and column"
    assert press(page, "Tab")["value"] == "why_tools.canvas"  # its Clear button
    assert press(page, "Tab")["name"] == "why_tools.matrix"
    press(page, "Space")
    tab_to(page, lambda e: e["tag"] == "button" and e["text"] == ui_text("fi", "Next"))
    page.keyboard.press("Enter")
    page.wait_for_url(ends_with(link.page("overall")))
    _found, values = stored(link)
    assert values["why_tools"] == {"canvas": 3, "matrix": 1}

    # Back to the page: Clear a row by keyboard; the page comes back at that row.
    page.goto(link.page("why"))
    tab_to(page, lambda e: e["tag"] == "button" and e["value"] == "why_tools.canvas")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 303
    page.wait_for_load_state()
    _found, values = stored(link)
    assert values["why_tools"] == {"matrix": 1}
    expect(page.locator("#q-why_tools-canvas-3")).not_to_be_checked()


def test_clear_without_javascript(
    new_context: Callable[..., BrowserContext],
    make_link: Callable[..., Any],
    stored: Callable[..., Any],
    ui_text: UiText,
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    link = make_link(
        language="en", answers={"role": "officer", "why_clarity": 4, "why_tools": {"canvas": 2}}
    )
    page.goto(link.page("why"))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=re.compile(r"^Clear\W+Strategy canvas$")).click()
    assert posted.value.status == 303
    page.wait_for_load_state()
    assert page.url.endswith(link.page("why") + "#q-why_tools-canvas")
    expect(page.get_by_role("radio", name="Strategy canvas Slightly useful")).not_to_be_checked()
    _found, values = stored(link)
    assert "why_tools" not in values and values["why_clarity"] == 4


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_the_accessibility_statement_passes_axe(
    page: Page, check_axe: Callable[[Page], None], ui_text: UiText, lang: str
) -> None:
    page.goto(f"/accessibility?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ui_text(lang, "Accessibility statement")
    )
    assert page.locator("html").get_attribute("lang") == lang
    check_wide_and_narrow(page, check_axe)


def test_review_thanks_and_printable_copy_pass_axe(
    page: Page, make_link: Callable[..., Any], check_axe: Callable[[Page], None], ui_text: UiText
) -> None:
    answers = {
        "role": "officer",
        "why_clarity": 4,
        "why_tools": {"canvas": 4, "matrix": 2},
        "overall_usefulness": 8,
    }
    link = make_link(language="fi", answers=answers, submitted=True)
    page.goto(link.review)
    expect(page.locator("ul.matrix-answers li")).to_have_count(2)
    check_wide_and_narrow(page, check_axe)
    page.goto(f"/s/{link.token}/thanks")
    expect(page.get_by_role("region", name=ui_text("fi", "About this survey"))).to_be_visible()
    check_wide_and_narrow(page, check_axe)
    page.get_by_role("link", name=ui_text("fi", "A printable copy of your answers")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("fi", "Your answers"))
    expect(page.locator("main")).to_contain_text(f"{FI['canvas']}: {FI['very_useful']}")
    check_wide_and_narrow(page, check_axe)
    page.emulate_media(media="print")
    expect(page.locator("footer")).to_be_hidden()


def test_favicon_is_served(page: Page) -> None:
    response = page.request.get("/favicon.ico")
    assert response.status == 200
