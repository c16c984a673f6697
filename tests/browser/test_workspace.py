"""The coordinators' workspace in a real browser: a coordinator's whole day (import, open a
round, links, a response arrives, reminders by email, log out), axe-core and the structure
axe does not check on every workspace page, and the keyboard alone.

The live app sends mail to the session's aiosmtpd server (the `live_mail` fixture) from its
background thread, as in production; its BASE_URL is the live server, so links open as they are.
Rounds are opened from the live app's registry, the shipped surveys/: `manual-usability`.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.jobs import mail_sending
from surveyapp.models import Invitation, Participant
from surveyapp.models import Response as SurveyResponse
from surveyapp.services import mail, rounds

pytestmark = pytest.mark.browser

UiText = Callable[..., str]
SURVEY = "manual-usability"
PASSWORD = "browser-password-123"  # conftest's WORKSPACE_PASSWORD
WIDTH = "() => document.documentElement.scrollWidth"
REMINDER_SUBJECT = {"en": "Reminder:", "fi": "Muistutus:", "sv": "Påminnelse:"}


@pytest.fixture(scope="session")
def ui_plural(live_app: Flask) -> Callable[..., str]:
    """Interface text with a number, as the app's ngettext shows it in `lang`."""

    def text(lang: str, singular: str, plural: str, num: int, **variables: Any) -> str:
        with live_app.test_request_context(), force_locale(lang):
            return str(ngettext(singular, plural, num, **variables))

    return text


def en(ui_text: UiText) -> UiText:
    """The workspace as Playwright's default browser (en-US) sees it."""
    return lambda msgid, **kw: ui_text("en", msgid, **kw)


def on_path(path: str) -> Callable[[str], bool]:
    """A URL test for `wait_for_url`: this path, whatever the query ("/login?next=/x/" is not
    on "/x/")."""
    return lambda url: urlsplit(url).path == path


def log_in(page: Page, email: str, ui: UiText, path: str = "/workspace/") -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label(ui("Email address")).fill(email)
    page.get_by_label(ui("Password")).fill(PASSWORD)
    page.get_by_role("button", name=ui("Log in"), exact=True).click()
    page.wait_for_url(on_path(path))


def figures_row(page: Page, caption: str, heading: str) -> Locator:
    """The invited, started and submitted cells of one row of a monitor table."""
    table = page.get_by_role("table", name=caption)
    row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=heading, exact=True)
    )
    return row.get_by_role("cell")


# --- 1. a coordinator's day ------------------------------------------------------------------


def excel_csv(tag: str, group: str) -> bytes:
    """What Excel saves as "CSV (semicolon)" in Finland: a BOM, Finnish headers, CRLF, an
    empty last row; line 4 has no valid email address."""
    rows = [
        "Sähköposti;Nimi;Organisaatio;Kaupunki;Maa;Ryhmä;Kieli",
        f"anna.{tag}@hel.example;Anna Virtanen;Helsingin kaupunki;Helsinki;FI;{group};suomi",
        f"jussi.{tag}@tampere.example;Jussi Mäkelä;Tampereen kaupunki;Tampere;FI;{group};fi",
        f"not-an-email;Väärä Osoite;Oulun kaupunki;Oulu;FI;{group};fi",
        f"asa.{tag}@vasa.example;Åsa Öberg;Vasa stad;Vasa;FI;{group};sv-FI",
        f"bo.{tag}@malmo.example;Bo Ek;Malmö stad;Malmö;SE;{group};sv",
        ";;;;;;",
    ]
    return "\ufeff".encode() + "\r\n".join(rows).encode("utf-8") + b"\r\n"


def answer_whole_survey(page: Page, ui: UiText) -> None:
    """Choose the first option of every visible choice on each page, then Next, to review."""
    visible_names = """() => [...new Set([...document.querySelectorAll(
        "main input[type=radio], main input[type=checkbox]")]
      .filter(e => e.getClientRects().length).map(e => e.name))]"""
    for _ in range(20):
        if page.url.endswith("/review"):
            return
        for name in page.evaluate(visible_names):
            page.locator(f'main input[name="{name}"]').first.check()
        left = page.url
        page.get_by_role("button", name=ui("Next"), exact=True).click()
        page.wait_for_url(lambda url: url != left)  # noqa: B023  (used at once, in the loop)
    raise AssertionError(f"never reached the review page; at {page.url}")


def test_a_coordinators_day_from_import_to_reminders(
    page: Page,
    new_context: Callable[..., BrowserContext],
    make_account: Callable[[str], str],
    live_mail: Any,
    ui_text: UiText,
    ui_plural: Callable[..., str],
) -> None:
    ui = en(ui_text)
    tag = uuid.uuid4().hex[:8]
    group = f"day-{tag}"
    log_in(page, make_account("coordinator"), ui)
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Rounds"))

    # Import an Excel CSV through the file input: four people, and the bad line reported.
    nav = page.get_by_role("navigation", name=ui("Workspace"))
    nav.get_by_role("link", name=ui("Participants"), exact=True).click()
    page.get_by_role("link", name=ui("Import participants from CSV")).click()
    page.get_by_label(ui("CSV file")).set_input_files(
        {"name": "osallistujat.csv", "mimeType": "text/csv", "buffer": excel_csv(tag, group)}
    )
    page.get_by_role("button", name=ui("Import"), exact=True).click()
    report = page.get_by_role("region", name=ui("Import report"))
    expect(report.locator("dl.facts")).to_contain_text(f"{ui('New')}4")
    expect(report.locator("dl.facts")).to_contain_text(f"{ui('Skipped rows')}1")
    problems = page.get_by_role("table", name=ui("Problems by line of the file"))
    expect(problems.get_by_role("row").nth(1)).to_have_text(
        re.compile(
            r"^\s*4\s*"
            + re.escape(ui("'%(value)s' is not a valid email address.", value="not-an-email"))
        )
    )

    # Open a round of the registry's survey for the imported group.
    page.get_by_role("navigation", name=ui("Workspace")).get_by_role(
        "link", name=ui("Rounds"), exact=True
    ).click()
    page.get_by_role("link", name=ui("Open a new round")).click()
    page.get_by_label(ui("Survey"), exact=True).select_option(SURVEY)
    page.get_by_label(ui("Manual revision")).fill("0.4")
    page.get_by_role("checkbox", name=ui("%(group)s (%(count)d)", group=group, count=4)).check()
    page.get_by_role("button", name=ui("Open the round"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/workspace/rounds/\d+$"))
    round_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("status")).to_have_text(
        f"Round {round_id} is open; 4 participants invited."
    )

    # The personal links, as Excel would open them.
    with page.expect_download() as downloading:
        page.get_by_role("link", name=ui("Download links CSV")).click()
    download = downloading.value
    assert download.suggested_filename == f"round-{round_id}-links.csv"
    text = download.path().read_bytes().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["name", "email", "language", "link"]
    links = {email: (name, language, link) for name, email, language, link in rows}
    assert {e: (n, lang) for e, (n, lang, _link) in links.items()} == {
        f"anna.{tag}@hel.example": ("Anna Virtanen", "fi"),
        f"jussi.{tag}@tampere.example": ("Jussi Mäkelä", "fi"),
        f"asa.{tag}@vasa.example": ("Åsa Öberg", "sv"),
        f"bo.{tag}@malmo.example": ("Bo Ek", "sv"),
    }
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+/s/[\w-]{20,}", v[2]) for v in links.values())

    # Anna answers through her link, in a browser of her own, in Finnish.
    anna = f"anna.{tag}@hel.example"
    respondent = new_context().new_page()
    respondent.goto(links[anna][2])
    respondent.get_by_role("link", name=ui_text("fi", "Start"), exact=True).click()
    answer_whole_survey(respondent, lambda msgid, **kw: ui_text("fi", msgid, **kw))
    respondent.get_by_role("button", name=ui_text("fi", "Submit"), exact=True).click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text(ui_text("fi", "Thank you"))
    respondent.context.close()

    # The round's monitor shows it, by group and by country.
    page.reload()
    expect(figures_row(page, ui("Responses by group"), group)).to_have_text(["4", "1", "1", "25 %"])
    expect(figures_row(page, ui("Responses by country"), "FI").nth(2)).to_have_text("1")
    expect(figures_row(page, ui("Responses by country"), "SE").nth(2)).to_have_text("0")

    # Remind the three who have not submitted; the progress page ends with all sent.
    already = len(live_mail.received)
    page.get_by_role(
        "link", name=ui("Reminder to those who have not submitted: preview and send")
    ).click()
    send = ui_plural("en", "Send to %(num)d person", "Send to %(num)d people", 3)
    page.get_by_role("button", name=send, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/workspace/rounds/{round_id}/mail/batches/\d+$"))
    finished = page.get_by_role("status").filter(has_text=ui("Finished."))
    expect(finished).to_have_text(ui("Finished."), timeout=15_000)  # refreshes every 2 s
    expect(page.locator("dl.review dd").first).to_have_text("3")

    received = live_mail.received[already:]
    assert sorted(r.rcpt_tos for r in received) == sorted((e,) for e in links if e != anna), (
        "one reminder per non-respondent, none for the one who answered"
    )
    for item in received:
        (email,) = item.rcpt_tos
        _name, language, link = links[email]
        body = item.message.get_content()
        assert f"\n{link}\n" in body, f"{email} gets their own link"
        assert links[anna][2] not in body
        assert item.message["Subject"].startswith(REMINDER_SUBJECT[language])

    # Log out: a workspace page now asks for the login.
    page.get_by_role("button", name=re.compile("^" + re.escape(ui("Log out")))).click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"/workspace/rounds/{round_id}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Log in"))


# --- 2. axe and structure on every workspace page --------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """A round with responses and two finished mail batches, and a logged-in browser state."""

    state: dict[str, Any]
    round_id: int
    group: str
    tag: str
    participant_id: int
    sent_batch: int
    failed_batch: int


def test_the_import_says_it_is_working_once_the_file_is_sent(
    page: Page, make_account: Callable[[str], str], ui_text: UiText
) -> None:
    ui = en(ui_text)
    log_in(page, make_account("coordinator"), ui, "/workspace/participants/import")
    text = ui("Importing the file… Large files take a few seconds: keep this page open.")
    status = page.get_by_role("status").filter(has_text=text)
    expect(status).to_have_count(0)  # hidden until the file is sent
    # Hold the request back (a listener added after ours), to see the page while it waits.
    page.evaluate(
        "document.querySelector('form[data-busy-status]')"
        ".addEventListener('submit', e => e.preventDefault())"
    )
    page.get_by_label(ui("CSV file")).set_input_files(
        {"name": "big.csv", "mimeType": "text/csv", "buffer": b"email\nx@example.org\n"}
    )
    page.get_by_role("button", name=ui("Import"), exact=True).click()
    expect(status).to_be_visible()
    expect(status.get_by_role("progressbar", name=text)).to_be_visible()


def _people(tag: str, group: str) -> list[Participant]:
    """Three participants; the first organisation name is as long as Finnish ones get."""
    rows = [
        ("a", "Anna Virtanen", "Kaupunkiympäristön toimialan hankintapalveluyksikkö", "FI", "fi"),
        ("bjorn", "Björn Åkerlund", "Vasa stad", "FI", "sv"),
        ("refused", "Charlotte De Smet", "Stad Gent", "BE", "en"),
    ]
    return [
        Participant(email=f"{local}.{tag}@city.example", name=name, organisation=org,
                    country=country, group=group, language=language)
        for local, name, org, country, language in rows
    ]  # fmt: skip


@pytest.fixture(scope="module")
def workspace(
    browser: Browser,
    live_app: Flask,
    live_engine: Engine,
    live_server: str,
    live_mail: Any,
    make_account: Callable[[str], str],
    ui_text: UiText,
) -> Iterator[Workspace]:
    tag = uuid.uuid4().hex[:8]
    group = f"axe-{tag}"
    email = make_account("coordinator")
    registry = live_app.extensions["surveys"]
    settings = mail_sending.MailSettings.from_config(live_app.config)
    sessions = live_app.extensions["sessionmaker"]
    with Session(live_engine) as session:
        people = _people(tag, group)
        session.add_all(people)
        session.flush()
        round_ = rounds.open_round(
            session, registry, SURVEY, "0.5", open_link=True, groups=[group], actor=SETUP
        )
        first = session.scalars(
            select(Invitation).where(Invitation.round_id == round_.id).order_by(Invitation.id)
        ).first()
        assert first is not None
        session.add(SurveyResponse(round_id=round_.id, invitation_id=first.id, status="submitted"))
        failed = mail.create_batch(session, round_, "invitation", actor=SETUP)
        mail.queue_batch(session, failed)
        session.commit()
        round_id, failed_id, edit_id = round_.id, failed.id, people[1].id
        refused = people[2].email

    live_mail.refused.add(refused)
    try:
        with live_app.app_context():
            assert mail_sending.send_batch(sessions, failed_id, settings, actor=SETUP) == {
                "sent": 2,
                "failed": 1,
            }
    finally:
        live_mail.refused.discard(refused)

    with Session(live_engine) as session:  # one more invited: a second batch reaches everyone
        late = Participant(email=f"dara.{tag}@city.example", name="Dara Murphy", group=group)
        session.add(late)
        session.flush()
        round_ = rounds.get_round(session, round_id)
        rounds.invite_participants(session, round_, [late.id], actor=SETUP)
        sent = mail.create_batch(session, round_, "invitation", actor=SETUP)
        mail.queue_batch(session, sent)
        session.commit()
        sent_id = sent.id
    with live_app.app_context():
        assert mail_sending.send_batch(sessions, sent_id, settings, actor=SETUP) == {
            "sent": 2,
            "failed": 0,
        }

    context = browser.new_context(base_url=live_server)
    log_in(context.new_page(), email, en(ui_text))
    state = context.storage_state()
    context.close()
    yield Workspace(state, round_id, group, tag, edit_id, sent_id, failed_id)


Arrive = Callable[[Page, Workspace, UiText], None]


def go(path: str) -> Arrive:
    """Go to `path`, filled in from the workspace's fields: "/workspace/rounds/{round_id}"."""

    def arrive(page: Page, ws: Workspace, _ui: UiText) -> None:
        page.goto(path.format_map(vars(ws)))

    return arrive


def login_with_error(page: Page, ws: Workspace, ui: UiText) -> None:
    page.goto("/login")
    page.get_by_label(ui("Email address")).fill(f"nobody.{ws.tag}@partnership.example")
    page.get_by_label(ui("Password")).fill("not the password")
    page.get_by_role("button", name=ui("Log in"), exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        ui("The email address or password is not right.")
    )
    expect(page.locator("#error-summary")).to_be_focused()


def new_round_with_errors(page: Page, ws: Workspace, ui: UiText) -> None:
    page.goto("/workspace/rounds/new")
    page.get_by_label(ui("Closing time (UTC, optional)")).fill("2020-01-01T09:00")
    page.get_by_label(ui("Opening time (UTC, optional)")).fill("2020-02-01T09:00")
    page.get_by_role("button", name=ui("Open the round"), exact=True).click()
    expect(page.locator("#error-summary li")).to_have_count(2)
    expect(page.locator("#error-summary")).to_be_focused()


def edit_with_error(page: Page, ws: Workspace, ui: UiText) -> None:
    page.goto(f"/workspace/participants/{ws.participant_id}/edit")
    page.get_by_label(ui("Email address")).fill("bjorn at vasa")
    page.get_by_role("button", name=ui("Save"), exact=True).click()
    expect(page.get_by_label(ui("Email address"))).to_have_attribute("aria-invalid", "true")


def import_report(page: Page, ws: Workspace, ui: UiText) -> None:
    page.goto("/workspace/participants/import")
    data = (
        "email,name,country,group,language\n"
        f"eino.{ws.tag}@lahti.example,Eino Leino,FI,{ws.group}-import,fi\n"
        f",No Address,FI,{ws.group}-import,fi\n"
        f"greta.{ws.tag}@malmo.example,Greta Lind,SE,{ws.group}-import,Klingon\n"
    ).encode()
    page.get_by_label(ui("CSV file")).set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name=ui("Import"), exact=True).click()
    expect(page.get_by_role("table", name=ui("Problems by line of the file"))).to_be_visible()


def mail_batch(which: str) -> Arrive:
    def arrive(page: Page, ws: Workspace, ui: UiText) -> None:
        batch = ws.sent_batch if which == "sent" else ws.failed_batch
        page.goto(f"/workspace/rounds/{ws.round_id}/mail/batches/{batch}")
        expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
        wanted = "Finished." if which == "sent" else "Finished, but not everyone was reached."
        expect(page.get_by_role("status")).to_have_text(ui(wanted))

    return arrive


# name → (how to get there, the HTTP status, whether logged in)
PAGES: dict[str, tuple[Arrive, int, bool]] = {
    "login": (go("/login"), 200, False),
    "login-error": (login_with_error, 401, False),
    "rounds": (go("/workspace/"), 200, True),
    "new-round": (go("/workspace/rounds/new"), 200, True),
    "new-round-errors": (new_round_with_errors, 422, True),
    "round": (go("/workspace/rounds/{round_id}"), 200, True),
    "non-respondents": (go("/workspace/rounds/{round_id}/non-respondents"), 200, True),
    "participants-search": (go("/workspace/participants?q={tag}"), 200, True),
    "participant-edit": (go("/workspace/participants/{participant_id}/edit"), 200, True),
    "participant-edit-error": (edit_with_error, 422, True),
    "participant-delete": (go("/workspace/participants/{participant_id}/delete"), 200, True),
    "import": (go("/workspace/participants/import"), 200, True),
    "import-report": (import_report, 200, True),
    "audit-log": (go("/workspace/audit"), 200, True),
    "mail-invitation": (go("/workspace/rounds/{round_id}/mail/invitation"), 200, True),
    "mail-reminder": (go("/workspace/rounds/{round_id}/mail/reminder"), 200, True),
    "mail-batch-finished": (mail_batch("sent"), 200, True),
    "mail-batch-finished-with-failure": (mail_batch("failed"), 200, True),
    "mail-history": (go("/workspace/rounds/{round_id}/mail/"), 200, True),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_workspace_page_is_accessible_and_fits_320px(
    name: str,
    new_context: Callable[..., BrowserContext],
    workspace: Workspace,
    ui_text: UiText,
    check_axe: Callable[[Page], None],
) -> None:
    arrive, status, logged_in = PAGES[name]
    context = new_context(storage_state=workspace.state) if logged_in else new_context()
    page = context.new_page()
    documents: list[int] = []

    def record(response: Response) -> None:
        if response.request.resource_type == "document":
            documents.append(response.status)

    page.on("response", record)
    arrive(page, workspace, en(ui_text))
    assert documents[-1] == status, f"the page came with HTTP {documents}"
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    assert page.title().strip(), "the page has a title"
    assert page.locator("html").get_attribute("lang") == "en"
    check_axe(page)
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate(WIDTH)
    assert width <= 320, f"{page.url} is {width}px wide on a 320px screen"
    check_axe(page)  # the narrow layout (tables as blocks) too


# In a language with long words (German) and one in another script (Greek): the pages a
# coordinator uses most, and the language switcher, which lists every interface language.
LANGUAGE_PAGES = {
    "login": "/login",
    "rounds": "/workspace/",
    "round": "/workspace/rounds/{round_id}",
    "participants-search": "/workspace/participants?q={tag}",
    "audit-log": "/workspace/audit",
    "mail-reminder": "/workspace/rounds/{round_id}/mail/reminder",
}


@pytest.mark.parametrize("lang", ["de", "el"])
@pytest.mark.parametrize("name", list(LANGUAGE_PAGES))
def test_workspace_page_in_a_long_or_non_latin_language_fits_320px(
    name: str,
    lang: str,
    new_context: Callable[..., BrowserContext],
    workspace: Workspace,
    check_axe: Callable[[Page], None],
) -> None:
    logged_in = name != "login"
    context = new_context(storage_state=workspace.state) if logged_in else new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    url = LANGUAGE_PAGES[name].format_map(vars(workspace))
    response = page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    width = page.evaluate(WIDTH)
    assert width <= 320, f"{page.url} is {width}px wide on a 320px screen in {lang}"
    check_axe(page)
    switcher = page.locator(".lang-switcher summary")
    if switcher.count():
        switcher.first.focus()
        page.keyboard.press("Enter")  # the keyboard opens the list of languages
        expect(page.locator(".lang-switcher details")).to_have_attribute("open", "")
        assert page.evaluate(WIDTH) <= 320, f"the open language list is too wide in {lang}"
        check_axe(page)


# --- 3. the keyboard alone -------------------------------------------------------------------

FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].textContent.trim() : "";
  return {tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "",
          value: e.value || "", checked: !!e.checked, text: (e.textContent || "").trim(),
          label, outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
          shadow: s.boxShadow !== "none"};
}"""


def focused(page: Page) -> dict[str, Any]:
    info: dict[str, Any] = page.evaluate(FOCUSED)
    return info


def press(page: Page, key: str) -> dict[str, Any]:
    """Press a key; whatever has focus afterwards must show it."""
    page.keyboard.press(key)
    now = focused(page)
    assert now["tag"] != "body", f"focus was lost after {key}"
    assert now["outline"] or now["shadow"], f"no visible focus on {now} after {key}"
    return now


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], limit: int = 40) -> dict[str, Any]:
    """Press Tab until `wanted` has focus, checking that every stop on the way shows focus."""
    for _ in range(limit):
        now = press(page, "Tab")
        if wanted(now):
            return now
    raise AssertionError(f"Tab never reached the element; focus is on {focused(page)}")


def test_log_in_and_open_a_round_by_keyboard_alone(
    page: Page,
    make_account: Callable[[str], str],
    live_engine: Engine,
    ui_text: UiText,
) -> None:
    ui = en(ui_text)
    tag = uuid.uuid4().hex[:8]
    group = f"keys-{tag}"
    with Session(live_engine) as session:
        session.add_all(
            Participant(email=f"p{n}.{tag}@city.example", name=f"P {n}", group=group)
            for n in range(2)
        )
        session.commit()
    email = make_account("coordinator")

    page.goto("/workspace/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    skip = press(page, "Tab")
    assert (skip["tag"], skip["text"]) == ("a", ui("Skip to content"))
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0, "the skip link shows on focus"
    assert tab_to(page, lambda e: e["tag"] == "input")["name"] == "email"
    page.keyboard.type(email)
    assert press(page, "Tab")["name"] == "password"
    page.keyboard.type(PASSWORD)
    assert press(page, "Shift+Tab")["name"] == "email"
    assert press(page, "Tab")["name"] == "password"
    button = press(page, "Tab")
    assert (button["tag"], button["text"]) == ("button", ui("Log in"))
    page.keyboard.press("Enter")
    page.wait_for_url(on_path("/workspace/"))

    tab_to(page, lambda e: e["tag"] == "a" and e["text"] == ui("Open a new round"))
    page.keyboard.press("Enter")
    page.wait_for_url(on_path("/workspace/rounds/new"))

    survey = tab_to(page, lambda e: e["tag"] == "select")
    for _ in range(10):
        if survey["value"] == SURVEY:
            break
        survey = press(page, "ArrowDown")
    assert survey["value"] == SURVEY, "the survey is chosen with the arrow keys"
    assert press(page, "Tab")["name"] == "revision"
    page.keyboard.type("0.6")
    choice = tab_to(page, lambda e: e["type"] == "checkbox" and e["value"] == group)
    assert choice["label"] == ui("%(group)s (%(count)d)", group=group, count=2)
    assert press(page, "Space")["checked"]
    submit = tab_to(page, lambda e: e["tag"] == "button")
    assert submit["text"] == ui("Open the round")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/workspace/rounds/\d+$"))
    round_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("status")).to_have_text(
        ui("Round %(id)d is open; %(count)d participants invited.", id=round_id, count=2)
    )
    with Session(live_engine) as session:
        opened = rounds.get_round(session, round_id)
        assert (opened.survey_id, opened.revision) == (SURVEY, "0.6")
        assert not opened.is_anonymous and opened.open_link_token is None
