"""Cross-site scripting in a real browser: pages that carry every
payload of security_kit.XSS_PAYLOADS, in survey text, answers, participants' fields and an
import report, open in Chromium with no dialog, no Content-Security-Policy violation and no
element or attribute that could run a script. test_xss.py checks the same pages' HTML.

The app runs on its own SQLite file and survey folder (the payload survey only); the browser
is Debian's Chromium, as in tests/browser (whose launch arguments are reused).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser.conftest import browser_type_launch_args  # noqa: F401  # the system Chromium
from flask import Flask
from playwright.sync_api import Page
from security_kit import PAYLOAD_SURVEY_ID, XSS_PAYLOADS, answer, invite, write_payload_survey
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from werkzeug.serving import BaseWSGIServer, make_server

from builders import SETUP
from surveyapp import create_app, migrate
from surveyapp.db import make_engine
from surveyapp.models import User
from surveyapp.services import rounds

pytestmark = pytest.mark.browser
PASSWORD = "security-browser-password"
# Before any page script: record CSP violations and neuter nothing (dialogs are watched).
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + (e.sample || e.blockedURI)));
"""
INJECTED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const value = a.value.trim().toLowerCase();
      if (a.name.startsWith('on')) bad.push(el.outerHTML.slice(0, 120));
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name)
          && value.startsWith('javascript:')) bad.push(el.outerHTML.slice(0, 120));
    }
  }
  for (const s of document.scripts) {
    const local = s.src && new URL(s.src).pathname.indexOf('/static/') === 0;
    if (!local) bad.push(s.outerHTML.slice(0, 120));
  }
  return bad;
}"""


@dataclass(frozen=True)
class Site:
    url: str
    token: str
    round_id: int
    participant_id: int
    email: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on 127.0.0.1 with the payload survey, a round of it, a participant whose fields
    are payloads and who has answered with payloads, and an editor/coordinator account."""
    folder = tmp_path_factory.mktemp("security-browser")
    registry = write_payload_survey(folder / "surveys", XSS_PAYLOADS)
    url = f"sqlite:///{folder / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app: Flask = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SURVEYS_DIR": str(folder / "surveys"),
            "EXPORTS_DIR": str(folder / "exports"),
            "SECRET_KEY": "security-browser-secret",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with Session(app.extensions["engine"]) as session:
        round_ = rounds.open_round(session, registry, PAYLOAD_SURVEY_ID, "0.3", actor=SETUP)
        fields = dict(zip(("name", "organisation", "city", "group"), XSS_PAYLOADS, strict=False))
        invitation = invite(session, round_, **fields)
        values = {"pick": "other", "pick.other": XSS_PAYLOADS[1], "score": 4}
        answer(session, round_, {**values, "comment": XSS_PAYLOADS[2]}, invitation, submit=False)
        for n, payload in enumerate(XSS_PAYLOADS):
            other = invite(session, round_, name=f"Respondent {n}")
            answer(session, round_, {"pick": "plain", "score": n, "comment": payload}, other)
        email = "coordinator@security.example"
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        session.add(User(email=email, role="coordinator", password_hash=hashed))
        session.commit()
        ids = (invitation.token, round_.id, invitation.participant_id)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="security-server", daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.server_port}", *ids, email)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["engine"].dispose()


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page, and every dialog (alert, confirm, prompt) a script opened on it."""
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    page.add_init_script(WATCH)
    yield page, dialogs


def check(page: Page, dialogs: list[str], where: str, shown: bool = True) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)  # an onload or onerror handler would have fired by now
    assert dialogs == [], f"{where}: a script ran and opened {dialogs}"
    assert page.evaluate("() => window.__violations") == [], f"{where}: the CSP blocked a script"
    assert page.evaluate(INJECTED) == [], f"{where}: injected markup"
    if shown:  # else the payloads are in form fields' values
        text = page.evaluate("() => document.body.innerText")
        assert any(p in text for p in XSS_PAYLOADS), f"{where}: no payload shown as text"


def test_survey_text_and_answers_on_respondent_pages(
    site: Site, watched: tuple[Page, list[str]]
) -> None:
    page, dialogs = watched
    for n in (1, 2):
        page.goto(f"{site.url}/preview/{PAYLOAD_SURVEY_ID}?page={n}")
        check(page, dialogs, f"preview page {n}")
    base = f"{site.url}/s/{site.token}"
    page.goto(base)
    check(page, dialogs, "start page")
    page.goto(f"{base}/p/second")
    check(page, dialogs, "second page")
    page.locator("textarea[name=comment]").fill(XSS_PAYLOADS[0])
    page.locator("input[name=count]").fill("not a number")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]:not([aria-hidden=true])").click()
    check(page, dialogs, "second page, sent back with an error")
    page.goto(f"{base}/review")
    check(page, dialogs, "review page")


def test_participants_answers_and_an_import_report_in_the_workspace(
    site: Site, watched: tuple[Page, list[str]], tmp_path: Path
) -> None:
    page, dialogs = watched
    page.goto(f"{site.url}/login")
    page.locator("input[name=email]").fill(site.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) button[type=submit]").click()
    for path in (
        "/workspace/participants",
        f"/workspace/participants/{site.participant_id}/edit",
        f"/workspace/rounds/{site.round_id}",
        f"/workspace/rounds/{site.round_id}/non-respondents",
        f"/workspace/rounds/{site.round_id}/results",
        f"/workspace/rounds/{site.round_id}/feedback",
    ):
        page.goto(site.url + path)
        check(page, dialogs, path, shown="/edit" not in path)
    rows = ["email,name,language"]
    rows += ['"' + p.replace('"', '""') + '",Someone,en' for p in XSS_PAYLOADS]
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("\n".join(rows), encoding="utf-8")
    page.goto(f"{site.url}/workspace/participants/import")
    page.locator("input[name=file]").set_input_files(str(csv_file))
    with page.expect_navigation():
        page.locator("form[enctype] button[type=submit]").click()
    check(page, dialogs, "import report")
