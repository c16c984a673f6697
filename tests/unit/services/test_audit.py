"""The audit log: who an actor is, and that every service or job that changes data records it."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import surveyapp
import surveyapp.jobs
import surveyapp.services
from builders import SETUP
from surveyapp.db import utcnow
from surveyapp.models import AuditEvent, User
from surveyapp.services import audit
from surveyapp.services.audit import Actor

# Public service (and job) functions whose names say they change something, yet record no event.
NOT_AUDITED = {
    "jobs.exports.run_export": "builds the file of a job whose start was recorded (export)",
    "jobs.exports.remove_leftovers": "deletes work files a killed export left behind",
    "jobs.exports.build_for_app": "run_export in the app's context",
    "jobs.runner.run_in_background": "starts a job, which records what it does",
    "feedback.sync_feedback": "bookkeeping: a triage item for each new free-text answer",
    "feedback.add_response_items": "a respondent's submit adds the items: no actor to record",
    "mail.batches.queue_batch": "queues a batch for the send run, which is recorded",
    "users.authenticate": "the login is recorded by the login page, with its address",
    # Not changes at all, whatever their names say:
    "invitations.open_link": "the URL of a round's open link",
    "monitor.open_link_figures": "counts of the open-link responses",
    "mail.texts.build_message": "an email message in memory; the send run is recorded",
}
# Respondents' own answers: the audit log is of the workspace's and command line's actions.
RESPONDENT_MODULES = {"response_writes"}  # a respondent is no actor to record
CHANGING = (
    "add_",
    "apply_",
    "build_",
    "close_",
    "create_",
    "deactivate_",
    "delete_",
    "ensure_",
    "erase_",
    "forget_",
    "import_",
    "invite_",
    "open_",
    "purge_",
    "queue_",
    "remove_",
    "reopen_",
    "reset_",
    "run_",
    "send_",
    "set_",
    "start_",
    "submit_",
    "sync_",
    "update_",
    "write_",
)


def _service_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function defined in surveyapp.services (by its name under services) and
    in surveyapp.jobs (by its name under surveyapp: jobs.exports.start_export)."""
    for package in (surveyapp.services, surveyapp.jobs):
        for found in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(found.name)
            short = found.name.removeprefix("surveyapp.services.").removeprefix("surveyapp.")
            for name, obj in vars(module).items():
                if inspect.isfunction(obj) and obj.__module__ == found.name and name[0] != "_":
                    yield f"{short}.{name}", obj


def test_every_service_that_changes_data_takes_an_actor() -> None:
    unaudited = []
    for qualified, function in _service_functions():
        module = qualified.rsplit(".", 1)[0]
        name = function.__name__
        if module in RESPONDENT_MODULES or qualified in NOT_AUDITED:
            continue
        if name.startswith(CHANGING) and "actor" not in inspect.signature(function).parameters:
            unaudited.append(qualified)
    assert unaudited == []


def test_the_actor_is_always_named_never_defaulted() -> None:
    takers = 0
    for qualified, function in _service_functions():
        actor = inspect.signature(function).parameters.get("actor")
        if actor is None or qualified == "audit.record":
            continue
        takers += 1
        assert actor.kind is inspect.Parameter.KEYWORD_ONLY, qualified
        assert actor.default is inspect.Parameter.empty, f"{qualified} lets a caller forget it"
        assert actor.annotation == "Actor", qualified
    assert takers >= 20


def test_no_view_or_command_records_events_itself() -> None:
    """Views and commands leave recording to the services and jobs (the login page keeps its
    own)."""
    package = Path(surveyapp.__file__).parent
    callers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if not {"services", "jobs"} & set(path.relative_to(package).parts)
        and "audit.record(" in path.read_text(encoding="utf-8")
    }
    assert callers == {"auth/views.py"}


# --- actors ----------------------------------------------------------------------------------


def test_the_command_line_actor_is_the_login_name_at_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.delenv("SUDO_USER", raising=False)
    host = socket.gethostname()
    assert Actor.from_os() == Actor(name=f"alice@{host} (command line)")
    monkeypatch.setenv("LOGNAME", "surveyapp")
    monkeypatch.setenv("SUDO_USER", "alice")
    assert Actor.from_os().name == f"surveyapp@{host} (command line, sudo by alice)"


def test_a_workspace_actor_is_the_account_and_its_address(session: Session) -> None:
    user = User(email="coordinator@partnership.example", role="coordinator", password_hash="x")
    session.add(user)
    session.flush()
    assert Actor.from_user(user, "192.0.2.4") == Actor(user.email, user.id, "192.0.2.4")
    assert Actor.from_user(None, "192.0.2.4") == Actor("", None, "192.0.2.4")


def test_an_event_keeps_the_actor_and_no_link_token(session: Session) -> None:
    token = "Zq3" * 10
    by = Actor(name="x" * 300, user_id=None, address="2001:db8::1" + "0" * 80)
    detail = f"sent http://127.0.0.1:5000/s/{token} and /o/{token} and /r/{token}/chapter/how"
    target = f"http://127.0.0.1:5000/r/{token}"
    event = audit.record(session, "links_downloaded", actor=by, target=target, detail=detail)
    session.commit()
    assert token not in event.detail + event.target
    assert (
        event.detail
        == "sent http://127.0.0.1:5000/s/[token] and /o/[token] and /r/[token]/chapter/how"
    )
    assert event.target == "http://127.0.0.1:5000/r/[token]"
    assert (len(event.actor_email), len(event.address)) == (254, 64)


# --- reading the log -----------------------------------------------------------------------------


@pytest.fixture
def logged(session: Session) -> list[AuditEvent]:
    """Four events an hour apart, the newest 30 minutes ago."""
    now = utcnow()
    for n in range(4):
        event = audit.record(session, f"action_{n}", actor=SETUP, target=f"round {n}")
        event.at = now - dt.timedelta(minutes=30 + 60 * (3 - n))
    session.commit()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_events_come_oldest_first_and_a_limit_keeps_the_newest(
    session: Session, logged: list[AuditEvent]
) -> None:
    assert [e.action for e in audit.events(session)] == [e.action for e in logged]
    assert [e.action for e in audit.events(session, limit=2)] == ["action_2", "action_3"]
    assert [e.action for e in audit.recent_events(session, 2)] == ["action_3", "action_2"]


def test_events_since_a_moment_in_any_zone(session: Session, logged: list[AuditEvent]) -> None:
    two_hours_ago = utcnow() - dt.timedelta(hours=2)
    assert [e.action for e in audit.events(session, since=two_hours_ago)] == [
        "action_2",
        "action_3",
    ]
    helsinki = dt.timezone(dt.timedelta(hours=3))
    same_moment = two_hours_ago.astimezone(helsinki)
    assert len(audit.events(session, since=same_moment)) == 2
    assert audit.events(session, since=utcnow()) == []
