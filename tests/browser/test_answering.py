"""A respondent answers a survey in a real browser: with and without JavaScript, by keyboard
alone, on a 320 px phone, and in the language they choose."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

pytestmark = pytest.mark.browser

UiText = Callable[..., str]

# Survey text of tests/data/surveys/respond-test.yaml and the built-in scales, in Finnish.
FI: dict[str, Any] = {
    "title": "Testikysely",
    "role": re.compile(r"^Roolisi"),
    "officer": "Hankinta-asiantuntija",
    "years": "Vuotta hankinnoissa",
    "clarity": re.compile(r"^Luku on selkeä\."),
    "disagree": "Jokseenkin eri mieltä",
    "agree": "Jokseenkin samaa mieltä",
    "missing": "Mikä on epäselvää?",
    "canvas": "Strategiakangas",
    "kraljic": "Kraljicin matriisi",
    "very_useful": "Hyvin hyödyllinen",
    "slightly_useful": "Vähän hyödyllinen",
    "read": "Mitä lukuja luit?",
    "why": "Miksi",
    "usefulness": "Kuinka hyödyllinen käsikirja on kaikkiaan?",
}


def send(page: Page, button: Locator) -> int:
    """Click a submit button; the HTTP status of the POST it sends."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        button.click()
    page.wait_for_load_state()
    return posted.value.status


def ends_with(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + r"(\?.*)?(#.*)?$")


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def group(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("group", name=name)


def cell(page: Page, row: str, column: str) -> Locator:
    """A matrix radio button, named by its row and its column."""
    return page.get_by_role("radio", name=f"{row} {column}", exact=True)


# --- the whole journey ---------------------------------------------------------------------


def test_whole_survey_in_finnish_with_errors_condition_resume_and_edit(
    new_context: Callable[..., BrowserContext],
    make_link: Callable[..., Any],
    ui_text: UiText,
    stored: Callable[..., Any],
) -> None:
    link = make_link(language="fi")

    def ui(msgid: str, **kw: Any) -> str:
        return ui_text("fi", msgid, **kw)

    context = new_context()
    page = context.new_page()
    page.goto(link.start)
    assert html_lang(page) == "fi"
    expect(page.get_by_role("heading", level=1)).to_have_text(FI["title"])
    page.get_by_role("link", name=ui("Start"), exact=True).click()
    expect(page).to_have_url(ends_with(link.page("about")))

    # Page 1: the required role is skipped, the number of years typed.
    page.get_by_role("textbox", name=FI["years"]).fill("12")
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 422
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(ui("There is a problem"))
    problem = ui("Please choose an answer.")
    expect(summary.get_by_role("link")).to_have_text(
        [ui("%(question)s: %(problem)s", question="Roolisi", problem=problem)]
    )
    expect(summary.get_by_role("link")).to_have_attribute("href", "#q-role")
    role = group(page, FI["role"])
    expect(role.locator(".error-message")).to_contain_text(problem)
    expect(role).to_have_accessible_description(re.compile(re.escape(problem)))
    expect(page).to_have_title(re.compile("^" + re.escape(ui("Error:"))))
    expect(page.get_by_role("textbox", name=FI["years"])).to_have_value("12")

    role.get_by_role("radio", name=FI["officer"]).check()
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 302
    expect(page).to_have_url(ends_with(link.page("why")))
    expect(page.locator("#error-summary")).to_have_count(0)

    # Page 2: the follow-up question appears as the respondent disagrees.
    missing = page.get_by_role("textbox", name=FI["missing"])
    expect(missing).to_be_hidden()
    clarity = group(page, FI["clarity"])
    clarity.get_by_role("radio", name=FI["disagree"], exact=True).check()
    expect(missing).to_be_visible()
    missing.fill("Esimerkit puuttuvat")
    clarity.get_by_role("radio", name=FI["agree"], exact=True).check()
    expect(missing).to_be_hidden()
    clarity.get_by_role("radio", name=FI["disagree"], exact=True).check()
    expect(missing).to_have_value("Esimerkit puuttuvat")
    cell(page, FI["canvas"], FI["very_useful"]).check()
    cell(page, FI["kraljic"], FI["slightly_useful"]).check()
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 302
    expect(page).to_have_url(ends_with(link.page("overall")))

    # The browser closes; the same link in a fresh browser continues with the answers kept.
    context.close()
    page = new_context().new_page()
    page.goto(link.start)
    page.get_by_role("link", name=ui("Continue"), exact=True).click()
    expect(page).to_have_url(ends_with(link.page("overall")))  # where the respondent stopped
    page.get_by_role("button", name=ui("Back"), exact=True).click()
    expect(page).to_have_url(ends_with(link.page("why")))
    expect(page.get_by_role("radio", name=FI["disagree"], exact=True)).to_be_checked()
    expect(page.get_by_role("textbox", name=FI["missing"])).to_have_value("Esimerkit puuttuvat")
    expect(cell(page, FI["canvas"], FI["very_useful"])).to_be_checked()
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    expect(page).to_have_url(ends_with(link.page("overall")))

    # Page 3, review, submit. The 0-10 scale's end labels are read out with the question.
    expect(group(page, FI["usefulness"])).to_have_accessible_description(
        re.compile(r"0 = Ei lainkaan\s+10 = Erittäin")
    )
    group(page, FI["read"]).get_by_role("checkbox", name=FI["why"]).check()
    group(page, FI["usefulness"]).get_by_role("radio", name="8", exact=True).check()
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    expect(page).to_have_url(ends_with(link.review))
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Check your answers"))
    answers = page.get_by_role("main")
    for shown in (FI["officer"], "12", FI["disagree"], "Esimerkit puuttuvat", "8"):
        expect(answers).to_contain_text(shown)
    assert send(page, page.get_by_role("button", name=ui("Submit"), exact=True)) == 302
    expect(page).to_have_url(ends_with(f"/s/{link.token}/thanks"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Thank you"))

    # After submitting: change one answer through the review page and submit again.
    page.get_by_role("link", name=ui("Review or change your answers")).click()
    # "Change" plus the question, hidden but read out: which answer each link changes.
    change = re.compile(rf"^{re.escape(ui('Change'))}\s*:\s*{re.escape(FI['usefulness'])}$")
    page.get_by_role("link", name=change).click()
    expect(page).to_have_url(re.compile(re.escape(link.page("overall")) + r"\?return=review"))
    group(page, FI["usefulness"]).get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name=ui("Save and review"), exact=True).click()
    expect(page).to_have_url(ends_with(link.review))
    assert send(page, page.get_by_role("button", name=ui("Submit changes"), exact=True)) == 302
    expect(page).to_have_url(ends_with(f"/s/{link.token}/thanks"))

    found, values = stored(link)
    assert len(found) == 1, "one respondent, one response"
    assert found[0].status == "submitted"
    assert found[0].submission_count == 2
    assert values == {
        "role": "officer",
        "years": 12,
        "why_clarity": 2,
        "why_missing": "Esimerkit puuttuvat",
        "why_tools": {"canvas": 4, "matrix": 2},
        "chapters_read": ["why"],
        "overall_usefulness": 3,
    }


def test_whole_survey_without_javascript(
    new_context: Callable[..., BrowserContext],
    make_link: Callable[..., Any],
    ui_text: UiText,
    stored: Callable[..., Any],
) -> None:
    """No participant language: the browser's Finnish decides; the server shows new questions."""
    link = make_link(language=None)

    def ui(msgid: str, **kw: Any) -> str:
        return ui_text("fi", msgid, **kw)

    page = new_context(java_script_enabled=False, locale="fi-FI").new_page()
    page.goto(link.start)
    assert html_lang(page) == "fi"
    page.get_by_role("link", name=ui("Start"), exact=True).click()

    role = group(page, FI["role"])
    role.get_by_role("radio", name=ui("Other"), exact=True).check()
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 422
    expect(page.locator("#error-summary")).to_be_visible()
    expect(role.locator(".error-message")).to_be_visible()  # the "Other" text is missing
    expect(page.locator("#error-summary a")).to_have_attribute("href", "#q-role")
    expect(role.get_by_role("radio", name=ui("Other"), exact=True)).to_be_checked()
    page.get_by_role("textbox", name=ui("Other, please specify")).fill("Lakimies")
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 302

    # The follow-up is hidden until the server has seen the answer that shows it.
    missing = page.get_by_role("textbox", name=FI["missing"])
    expect(missing).to_be_hidden()
    group(page, FI["clarity"]).get_by_role("radio", name=FI["disagree"], exact=True).check()
    expect(missing).to_be_hidden()  # no script runs
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 200
    expect(page).to_have_url(ends_with(link.page("why")))
    notice = ui("Based on your answers, more questions were added to this page.")
    expect(page.get_by_role("alert")).to_have_text(notice)
    expect(missing).to_be_visible()
    expect(page.get_by_role("radio", name=FI["disagree"], exact=True)).to_be_checked()
    missing.fill("Liian lyhyt")
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 302
    expect(page).to_have_url(ends_with(link.page("overall")))

    group(page, FI["read"]).get_by_role("checkbox", name=FI["why"]).check()
    assert send(page, page.get_by_role("button", name=ui("Next"), exact=True)) == 422
    expect(group(page, FI["read"]).get_by_role("checkbox", name=FI["why"])).to_be_checked()
    group(page, FI["usefulness"]).get_by_role("radio", name="10", exact=True).check()
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    expect(page).to_have_url(ends_with(link.review))
    assert send(page, page.get_by_role("button", name=ui("Submit"), exact=True)) == 302
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Thank you"))

    found, values = stored(link)
    assert [(r.status, r.submission_count) for r in found] == [("submitted", 1)]
    assert values == {
        "role": "other",
        "role.other": "Lakimies",
        "why_clarity": 2,
        "why_missing": "Liian lyhyt",
        "chapters_read": ["why"],
        "overall_usefulness": 10,
    }


# --- keyboard ------------------------------------------------------------------------------

FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "",
          value: e.value || "", checked: !!e.checked, text: (e.textContent || "").trim(),
          outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
          shadow: s.boxShadow !== "none"};
}"""


def focused(page: Page) -> dict[str, Any]:
    info: dict[str, Any] = page.evaluate(FOCUSED)
    return info


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], limit: int = 40) -> dict[str, Any]:
    """Press Tab until the focused element is `wanted`; it must show that it has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            assert now["outline"] or now["shadow"], f"no visible focus on {now}"
            return now
    raise AssertionError(f"Tab never reached the element; focus is on {focused(page)}")


def press(page: Page, key: str) -> dict[str, Any]:
    page.keyboard.press(key)
    now = focused(page)
    assert now["outline"] or now["shadow"], f"no visible focus on {now} after {key}"
    return now


def test_whole_survey_by_keyboard_alone(
    page: Page, make_link: Callable[..., Any], ui_text: UiText, stored: Callable[..., Any]
) -> None:
    link = make_link(language="fi")

    def ui(msgid: str, **kw: Any) -> str:
        return ui_text("fi", msgid, **kw)

    page.goto(link.start)
    skip = press(page, "Tab")
    assert skip["tag"] == "a" and skip["text"] == ui("Skip to content")
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0, "the skip link shows on focus"
    tab_to(page, lambda e: e["tag"] == "a" and e["text"] == ui("Start"))
    page.keyboard.press("Enter")
    page.wait_for_url(ends_with(link.page("about")))

    # Skip link → main; the role radios are one tab stop; arrows move and choose within it.
    press(page, "Tab")
    page.keyboard.press("Enter")
    first = press(page, "Tab")
    assert (first["name"], first["value"], first["checked"]) == ("role", "officer", False)
    assert press(page, "Tab")["name"] == "role.other", "the radio group is a single tab stop"
    assert press(page, "Shift+Tab")["name"] == "role"
    press(page, "Space")
    assert focused(page)["checked"]
    moved = press(page, "ArrowDown")
    assert (moved["name"], moved["value"], moved["checked"]) == ("role", "manager", True)
    assert (press(page, "ArrowUp")["value"]) == "officer"
    expect(page.get_by_role("radio", name=FI["officer"])).to_be_checked()
    press(page, "Tab")  # the "Other" text
    assert press(page, "Tab")["name"] == "years"
    page.keyboard.type("7")
    assert press(page, "Shift+Tab")["name"] == "role.other"
    back_in = press(page, "Shift+Tab")
    assert (back_in["name"], back_in["value"]) == ("role", "officer"), "focus returns to the choice"
    nxt = tab_to(page, lambda e: e["tag"] == "button")
    assert nxt["text"] == ui("Next")
    page.keyboard.press("Enter")
    page.wait_for_url(ends_with(link.page("why")))

    # Likert by arrows reveals the follow-up, which is the very next tab stop.
    tab_to(page, lambda e: e["name"] == "why_clarity")
    press(page, "Space")
    assert press(page, "ArrowDown")["value"] == "2"
    assert press(page, "Tab")["name"] == "why_missing"
    page.keyboard.type("Liian lyhyt")
    assert press(page, "Tab")["name"] == "why_tools.canvas"
    press(page, "Space")
    for _ in range(3):
        press(page, "ArrowDown")
    assert focused(page)["value"] == "4"
    clear = press(page, "Tab")  # the optional matrix's row can be cleared
    assert (clear["tag"], clear["name"], clear["value"]) == ("button", "_clear", "why_tools.canvas")
    assert press(page, "Tab")["name"] == "why_tools.matrix"
    press(page, "Space")
    assert press(page, "Tab")["value"] == "why_tools.matrix"  # its Clear
    back = press(page, "Tab")
    assert (back["tag"], back["text"]) == ("button", ui("Back")), "Back comes first"
    nxt = press(page, "Tab")
    assert (nxt["tag"], nxt["text"]) == ("button", ui("Next")), "Next comes last"
    page.keyboard.press("Enter")
    page.wait_for_url(ends_with(link.page("overall")))

    # Checkboxes are a tab stop each; the 0-10 rating moves with the right arrow.
    assert tab_to(page, lambda e: e["type"] == "checkbox")["value"] == "why"
    press(page, "Space")
    tab_to(page, lambda e: e["name"] == "overall_usefulness")
    press(page, "Space")
    for _ in range(9):
        press(page, "ArrowRight")
    assert focused(page)["value"] == "9"
    tab_to(page, lambda e: e["tag"] == "button" and e["text"] == ui("Next"))
    page.keyboard.press("Enter")
    page.wait_for_url(ends_with(link.review))

    submit = tab_to(page, lambda e: e["tag"] == "button")
    assert submit["text"] == ui("Submit")
    page.keyboard.press("Enter")
    page.wait_for_url(ends_with(f"/s/{link.token}/thanks"))

    found, values = stored(link)
    assert [r.status for r in found] == ["submitted"]
    assert values == {
        "role": "officer",
        "years": 7,
        "why_clarity": 2,
        "why_missing": "Liian lyhyt",
        "why_tools": {"canvas": 4, "matrix": 1},
        "chapters_read": ["why"],
        "overall_usefulness": 9,
    }


def test_error_summary_links_move_focus_to_the_question(
    page: Page, make_link: Callable[..., Any], ui_text: UiText
) -> None:
    link = make_link(language="fi")
    page.goto(link.page("why"))
    page.get_by_role("button", name=ui_text("fi", "Next"), exact=True).click()
    expect(page.locator("#error-summary")).to_be_focused()
    press(page, "Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#q-why_clarity$"))
    assert press(page, "Tab")["name"] == "why_clarity", "the next Tab lands in the question"


# --- 320 px --------------------------------------------------------------------------------

WIDTH = "() => document.documentElement.scrollWidth"


def test_every_respondent_page_fits_a_320px_phone(
    new_context: Callable[..., BrowserContext],
    make_link: Callable[..., Any],
    make_open_link: Callable[[], str],
    ui_text: UiText,
    live_app: Any,
) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    too_wide: list[str] = []

    def fits(label: str) -> None:
        width = page.evaluate(WIDTH)
        if width > 320:
            too_wide.append(f"{label} ({page.url}): {width}px")

    def ui(msgid: str) -> str:
        return ui_text("fi", msgid)

    link = make_link(language="fi")
    page.goto(link.start)
    fits("start")
    page.get_by_role("link", name=ui("Start"), exact=True).click()
    fits("about")
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    fits("about with errors")
    page.get_by_role("radio", name=ui("Other"), exact=True).check()
    page.get_by_role("textbox", name=ui("Other, please specify")).fill("x" * 200)
    page.get_by_role("textbox", name=FI["years"]).fill("9" * 60)
    fits("about with long answers")
    page.get_by_role("textbox", name=FI["years"]).fill("3")
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    page.get_by_role("radio", name=FI["disagree"], exact=True).check()
    fits("why with the follow-up")
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    fits("overall")
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    fits("overall with errors")
    page.get_by_role("radio", name="10", exact=True).check()
    page.get_by_role("button", name=ui("Next"), exact=True).click()
    expect(page).to_have_url(ends_with(link.review))
    fits("review")
    page.get_by_role("button", name=ui("Submit"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Thank you"))
    fits("thanks")

    page.goto(make_link(answers={"role": "manager"}).review)
    page.get_by_role("button", name=ui("Submit"), exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    fits("review with missing answers")
    page.goto(make_open_link())
    fits("open link")
    page.goto("/s/" + "x" * 32)
    fits("404")
    page.goto(make_link(closed=True).start)
    fits("410")
    page.goto(make_link(opens_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).start)
    fits("403")
    page.goto("/")
    fits("preview home")
    for survey in live_app.extensions["surveys"].all():
        for n in range(1, len(survey.sections) + 1):
            page.goto(f"/preview/{survey.id}?page={n}")
            fits(f"preview {survey.id} page {n}")
    assert not too_wide, "wider than 320 px:\n" + "\n".join(too_wide)


# WCAG 1.4.12: text spacing a reader may set in their own style sheet (line height 1.5,
# letter spacing .12em, word spacing .16em, paragraph spacing 2em) loses nothing.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: .12em !important;
    word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }
"""


def test_text_spacing_keeps_every_page_within_320px(
    new_context: Callable[..., BrowserContext], make_link: Callable[..., Any], ui_text: UiText
) -> None:
    # bypass_csp: our Content-Security-Policy rightly refuses the injected style sheet.
    page = new_context(viewport={"width": 320, "height": 640}, bypass_csp=True).new_page()
    answers = {
        "role": "other",
        "role.other": "Hankintajohtaja",
        "why_clarity": 1,
        "why_missing": "Esimerkit",
        "overall_usefulness": 9,
    }
    link = make_link(answers=answers)
    pages = [link.start, link.page("about"), link.page("why"), link.page("overall"), link.review]
    too_wide = []
    for path in pages:
        page.goto(path)
        page.add_style_tag(content=TEXT_SPACING)
        if (width := page.evaluate(WIDTH)) > 320:
            too_wide.append(f"{path}: {width}px")
    page.goto(link.page("about"))
    page.add_style_tag(content=TEXT_SPACING)
    page.get_by_role("textbox", name=FI["years"]).fill("many")
    page.get_by_role("button", name=ui_text("fi", "Next"), exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.add_style_tag(content=TEXT_SPACING)
    if (width := page.evaluate(WIDTH)) > 320:
        too_wide.append(f"page with errors: {width}px")
    assert not too_wide, "wider than 320 px with text spacing:\n" + "\n".join(too_wide)


# --- language ------------------------------------------------------------------------------


def test_language_switcher_changes_the_whole_page_and_is_remembered(
    page: Page, make_link: Callable[..., Any], ui_text: UiText
) -> None:
    link = make_link(language="fi")
    page.goto(link.start)
    switcher = page.get_by_role("navigation", name=ui_text("fi", "Language"))
    expect(switcher.locator("[aria-current]")).to_have_text("suomi")
    expect(switcher.get_by_role("link")).to_have_text(["English", "svenska"])

    switcher.get_by_role("link", name="svenska").click()
    assert html_lang(page) == "sv"
    expect(page.get_by_role("heading", level=1)).to_have_text("Testenkät")
    expect(page.locator(".lead")).to_have_text("En enkät för tester.")
    expect(page).to_have_title(re.compile("^Testenkät"))
    expect(page.get_by_role("navigation", name=ui_text("sv", "Language"))).to_be_visible()
    page.get_by_role("link", name=ui_text("sv", "Start"), exact=True).click()

    # The choice is remembered on the next pages, for survey and interface text alike.
    expect(page).to_have_url(ends_with(link.page("about")))
    assert html_lang(page) == "sv"
    expect(page.get_by_role("heading", level=1)).to_have_text("Om dig")
    expect(page.get_by_role("textbox", name="År inom upphandling")).to_be_visible()
    expect(page.get_by_role("radio", name="Upphandlare")).to_be_visible()
    next_sv = page.get_by_role("button", name=ui_text("sv", "Next"), exact=True)
    expect(next_sv).to_be_visible()
    expect(page.locator(".progress")).to_have_text(
        ui_text("sv", "Page %(page)s of %(total)s", page=1, total=3)
    )
    # The catalogues really translate the interface (e.g. "Seuraava", "Nästa"), and no
    # button is left in the language the respondent switched away from.
    assert len({ui_text(code, "Next") for code in ("en", "fi", "sv")}) == 3
    expect(page.get_by_role("button", name=ui_text("fi", "Next"), exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Next", exact=True)).to_have_count(0)

    page.get_by_role("navigation").get_by_role("link", name="English").click()
    assert html_lang(page) == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("^Your role"))).to_contain_text("(required)")
