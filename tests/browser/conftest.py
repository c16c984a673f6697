"""Browser fixtures: Debian's Chromium, and the app served on 127.0.0.1 for the whole session.

The browser suite always runs on its own SQLite file, even when TEST_DATABASE_URL selects
PostgreSQL for the rest of the suite: the live server answers from other threads, so it
cannot share the per-test database (and table wiping) of the root conftest's `app` fixture.
Each test gets its own round, participant and personal link from `make_link`, so tests never
see each other's answers. Rounds are opened from tests/data/surveys (frozen into the round, as
in production); the app's SURVEYS_DIR is the shipped surveys/, so the preview shows real ones.

axe-core needs JavaScript: never call `check_axe` on a `java_script_enabled=False` context
(axe.run would never resolve, and `page.evaluate` has no timeout).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Page
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from builders import SETUP
from surveyapp import create_app, migrate
from surveyapp.db import make_engine
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Answer, Invitation, Participant, Response, Round
from surveyapp.services import response_writes, rounds

ROOT = Path(__file__).resolve().parents[2]
TEST_SURVEYS = ROOT / "tests" / "data" / "surveys"
SHIPPED_SURVEYS = ROOT / "surveys"
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Without it Chromium keeps looking up Google hosts; the EXCLUDEs keep 127.0.0.1 working.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]


def pytest_configure(config: pytest.Config) -> None:
    """A failing browser test leaves a screenshot in test-results/ unless told otherwise."""
    if config.getoption("--screenshot", default=None) == "off":
        config.option.screenshot = "only-on-failure"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """The system Chromium (never a downloaded one); `--headed` etc. from the plugin still work."""
    args = {**browser_type_launch_args}
    args["executable_path"] = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(args["executable_path"]).exists():
        pytest.fail(
            f"no Chromium at {args['executable_path']}: `apt-get install chromium` "
            "(never `playwright install`) or set CHROMIUM_PATH"
        )
    args["args"] = [*args.get("args", []), *CHROMIUM_ARGS]
    if args.get("headless") is False:
        args["args"].remove("--headless")
    return args


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on its own migrated SQLite file; the preview shows the shipped surveys."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("browser-db") / "browser.db")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SURVEYS_DIR": str(SHIPPED_SURVEYS),
            "EXPORTS_DIR": str(tmp_path_factory.mktemp("browser-exports")),
            "SECRET_KEY": "browser-test-secret",
            "WTF_CSRF_ENABLED": True,
        }
    )
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """Serve `live_app` on a free port of 127.0.0.1 in a daemon thread; yields its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright's base URL: `page.goto("/s/…")` goes to the live server."""
    return live_server


@pytest.fixture(scope="session")
def live_engine(live_app: Flask) -> Engine:
    engine: Engine = live_app.extensions["engine"]
    return engine


@pytest.fixture
def live_db(live_engine: Engine) -> Iterator[Session]:
    """A session on the live database for arranging and checking data.

    Reads begin deferred, so a test holding a snapshot never blocks the server's writes;
    call `rollback()` before reading what the browser has just saved.
    """
    with Session(
        live_engine.execution_options(sqlite_immediate=False), expire_on_commit=False
    ) as session:
        yield session


@dataclass(frozen=True)
class PersonalLink:
    """A fresh invitation: its token, the start page's path, and the ids to check data by."""

    token: str
    round_id: int
    invitation_id: int

    @property
    def start(self) -> str:
        return f"/s/{self.token}"

    def page(self, section_id: str) -> str:
        return f"/s/{self.token}/p/{section_id}"

    @property
    def review(self) -> str:
        return f"/s/{self.token}/review"


@pytest.fixture(scope="session")
def test_registry() -> SurveyRegistry:
    return SurveyRegistry(TEST_SURVEYS)


@pytest.fixture
def make_link(live_engine: Engine, test_registry: SurveyRegistry) -> Callable[..., PersonalLink]:
    """Open a round of a test survey, invite one new participant, and return the personal link.

    `language` is the participant's preferred language (None: the browser decides);
    `answers` are stored as if already sent (`submitted=True` also submits them); `closed`
    closes the round; other keyword arguments go to `open_round` (e.g. `opens_at`).
    """

    def make(
        survey_id: str = "respond-test",
        *,
        language: str | None = "fi",
        answers: dict[str, Any] | None = None,
        submitted: bool = False,
        closed: bool = False,
        **options: Any,
    ) -> PersonalLink:
        with Session(live_engine) as session:
            round_ = rounds.open_round(
                session, test_registry, survey_id, "0.3", **options, actor=SETUP
            )
            person = Participant(
                email=f"{uuid.uuid4().hex[:12]}@city.example",
                name="Browser Tester",
                group="validation-group",
                country="FI",
                language=language,
            )
            session.add(person)
            session.flush()
            rounds.invite_participants(session, round_, [person.id], actor=SETUP)
            invitation = round_.invitations[0]
            if answers is not None:
                _store_answers(session, round_, invitation, answers, submitted=submitted)
            if closed:
                rounds.close_round(session, round_, actor=SETUP)
            session.commit()
            return PersonalLink(invitation.token, round_.id, invitation.id)

    return make


def _store_answers(
    session: Session,
    round_: Round,
    invitation: Invitation,
    answers: dict[str, Any],
    *,
    submitted: bool,
) -> None:
    response = Response(round_id=round_.id, invitation_id=invitation.id)
    session.add(response)
    session.flush()
    survey = rounds.round_survey(round_)
    last = next(
        s.id for s in reversed(survey.sections) if any(q.id in answers for q in s.questions)
    )
    response_writes.write_answers(session, response, answers, section_id=last)
    if submitted:
        response_writes.submit_response(session, response, survey)


@pytest.fixture
def make_open_link(live_engine: Engine, test_registry: SurveyRegistry) -> Callable[[], str]:
    """Open a round of the test survey with an open link; returns the link's path."""

    def make() -> str:
        with Session(live_engine) as session:
            round_ = rounds.open_round(
                session, test_registry, "respond-test", "0.3", open_link=True, actor=SETUP
            )
            session.commit()
            return f"/o/{round_.open_link_token}"

    return make


Stored = tuple[list[Response], dict[str, Any]]


@pytest.fixture
def stored(live_db: Session) -> Callable[[PersonalLink], Stored]:
    """What the server stored for a link: its round's responses, and the first one's answers."""

    def read(link: PersonalLink) -> Stored:
        live_db.rollback()  # end the read snapshot: see what the server has just written
        found = list(live_db.scalars(select(Response).where(Response.round_id == link.round_id)))
        if not found:
            return found, {}
        rows = live_db.execute(
            select(Answer.question_id, Answer.value).where(Answer.response_id == found[0].id)
        )
        return found, {qid: value for qid, value in rows}

    return read


@pytest.fixture(scope="session")
def ui_text(live_app: Flask) -> Callable[..., str]:
    """Interface text as the app would show it in `lang` (English until a catalogue exists).

    Tests name buttons with it, so they pass before and after the fi/sv catalogues land.
    """

    def text(lang: str, msgid: str, **variables: Any) -> str:
        with live_app.test_request_context(), force_locale(lang):
            return str(gettext(msgid, **variables))

    return text


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: run `npm ci` (package.json pins axe-core)")
    return AXE_PATH.read_text(encoding="utf-8")


AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    """Run axe-core on the page (JavaScript must be on: axe.run never ends without it)."""
    if not page.evaluate("() => 'axe' in window"):
        page.evaluate(source)
    result: dict[str, Any] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return list(result["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Rule, impact, target and HTML of every failing node, one per line."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(
                f"{v['id']} ({v['impact']}): {v['help']} — target {node['target']}\n"
                f"    {node['html']}\n    {node.get('failureSummary', '')}"
            )
    return "\n".join(lines)


@pytest.fixture
def check_axe(axe_source: str) -> Callable[[Page], None]:
    """Assert the page has no WCAG 2.1 A/AA violations axe can find."""

    def check(page: Page) -> None:
        violations = axe_violations(page, axe_source)
        assert not violations, f"axe on {page.url}:\n" + describe_violations(violations)

    return check


# --- Mail and workspace accounts (appended for test_workspace.py) ----------------------------

WORKSPACE_PASSWORD = "browser-password-123"


@pytest.fixture(scope="session", autouse=True)
def live_mail(live_app: Flask, live_server: str) -> Iterator[Any]:
    """One real SMTP server (aiosmtpd, tests/mailserver.py) for the whole browser session.

    The live app sends through it (SMTP_HOST, SMTP_PORT, MAIL_FROM), in its background thread
    as in production (MAIL_SEND_INLINE stays unset: the progress page refreshes until done).
    BASE_URL becomes the live server's, so personal links in the links CSV and in messages
    open in the browser as they are. The app reads all of these per request.
    """
    from mailserver import running_server

    keys = ("SMTP_HOST", "SMTP_PORT", "MAIL_FROM", "BASE_URL")
    before = {key: live_app.config.get(key) for key in keys}
    with running_server() as server:
        live_app.config.update(server.config(), BASE_URL=live_server)
        yield server
        live_app.config.update(before)


@pytest.fixture(scope="session")
def make_account(live_engine: Engine) -> Callable[[str], str]:
    """`make_account("coordinator")`: a new workspace account; returns its email address.

    Every account has the password WORKSPACE_PASSWORD.
    """
    from surveyapp.services import users

    def make(role: str = "coordinator") -> str:
        email = f"{role}-{uuid.uuid4().hex[:10]}@partnership.example"
        with Session(live_engine) as session:
            users.add_user(session, email, role, WORKSPACE_PASSWORD, actor=SETUP)
            session.commit()
        return email

    return make
