"""The command line records what it does as the operating-system user, and `surveyapp audit`
reads the log."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from analysis_dataset import build
from flask.testing import FlaskCliRunner
from privacy_world import closed_days_ago
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.db import utcnow
from surveyapp.models import AuditEvent, Invitation, Participant, Round
from surveyapp.services import audit

Events = Callable[..., list[AuditEvent]]
PASSWORD = "correct horse battery"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RETENTION_DAYS": 30}


@pytest.fixture(autouse=True)
def alice(monkeypatch: pytest.MonkeyPatch) -> str:
    """Who runs the commands: alice, logged in on this host."""
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.delenv("SUDO_USER", raising=False)
    return f"alice@{socket.gethostname()} (command line)"


def invoke(runner: FlaskCliRunner, *args: str, input: str | None = None) -> str:
    result = runner.invoke(args=list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def by_alice(found: list[AuditEvent], alice: str) -> list[AuditEvent]:
    """The events, each checked to name alice at the command line and no account."""
    for event in found:
        assert (event.actor_email, event.actor_id, event.address) == (alice, None, ""), event
    return found


# --- every command that changes or hands out data records it ---------------------------------


def test_round_commands_are_recorded(
    runner: FlaskCliRunner, alice: str, audit_events: Events, make_participant: Any
) -> None:
    make_participant(group="city-pilot")
    opening = ("manual-usability", "--revision", "0.4", "--group", "city-pilot", "--anonymous")
    output = invoke(runner, "round", "open", *opening)
    round_id = output.strip().splitlines()[-1]
    invoke(runner, "round", "close", round_id)
    invoke(runner, "round", "reopen", round_id)
    found = by_alice(audit_events(), alice)
    assert {e.target for e in found} == {f"round {round_id}"}
    assert [(e.action, e.detail) for e in found] == [
        ("round_opened", "manual-usability revision 0.4; 1 invited; anonymous"),
        ("round_closed", "manual-usability revision 0.4"),
        ("round_reopened", "manual-usability revision 0.4"),
    ]


def test_an_import_is_recorded_with_its_file(
    runner: FlaskCliRunner, alice: str, audit_events: Events, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name\naino@tampere.example,Aino\nbad,Bad\n", encoding="utf-8")
    invoke(runner, "participants", "import", str(path))
    (event,) = by_alice(audit_events("participants_imported"), alice)
    assert event.detail == f"{path}: 1 new, 0 updated, 0 unchanged, 1 skipped"


def test_links_are_recorded_as_downloads_without_a_token(
    runner: FlaskCliRunner,
    session: Session,
    alice: str,
    audit_events: Events,
    invitation: Invitation,
    tmp_path: Path,
) -> None:
    round_id = str(invitation.round_id)
    assert invitation.token in invoke(runner, "links", round_id)
    invoke(runner, "links", round_id, "-o", str(tmp_path / "links.csv"))
    found = by_alice(audit_events("links_downloaded"), alice)
    assert [(e.target, e.detail) for e in found] == [(f"round {round_id}", "1 personal links")] * 2
    assert invitation.token not in " ".join(f"{e.target} {e.detail}" for e in audit_events())


def test_each_exported_file_is_recorded(
    runner: FlaskCliRunner, session: Session, alice: str, audit_events: Events, tmp_path: Path
) -> None:
    data = build(session, tmp_path)
    xlsx, tidy = tmp_path / "summary.xlsx", tmp_path / "tidy.csv"
    invoke(runner, "export", str(data.current.id), "-o", str(xlsx), "--csv", str(tidy))
    found = by_alice(audit_events("export_written"), alice)
    assert [e.detail for e in found] == [
        f"xlsx in en to {xlsx}: 3 submitted responses",
        f"tidy CSV to {tidy}: 25 answer rows",
    ]


def test_a_failed_export_records_nothing(
    runner: FlaskCliRunner, session: Session, audit_events: Events, tmp_path: Path
) -> None:
    data = build(session, tmp_path)
    result = runner.invoke(args=["export", str(data.current.id), "--lang", "de"])
    assert result.exit_code == 1
    assert audit_events("export_written") == []


def test_accounts_are_recorded_without_the_password(
    runner: FlaskCliRunner, alice: str, audit_events: Events
) -> None:
    add = ("user", "add", "Aino@Tampere.example", "--role", "editor", "--password-stdin")
    invoke(runner, *add, input=PASSWORD + "\n")
    passwd = ("user", "passwd", "aino@tampere.example", "--password-stdin")
    invoke(runner, *passwd, input=PASSWORD + " 2\n")
    found = by_alice(audit_events(), alice)
    assert [(e.action, e.target) for e in found] == [
        ("user_added", "aino@tampere.example (editor)"),
        ("password_changed", "aino@tampere.example"),
    ]
    assert all("horse" not in f"{e.target} {e.detail}" for e in found)


def test_forgetting_and_retention_are_recorded(
    runner: FlaskCliRunner,
    session: Session,
    alice: str,
    audit_events: Events,
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
) -> None:
    person_id = make_participant(email="aino@tampere.example").id
    invoke(runner, "participants", "forget", "aino@tampere.example", "--yes")
    old = make_round()
    closed_days_ago(session, old, 31)
    invoke(runner, "retention", "apply")
    found = by_alice(audit_events(), alice)
    assert [(e.action, e.target) for e in found] == [
        ("participant_forgotten", f"participant {person_id}"),
        ("retention_purged", f"round {old.id}"),
    ]


def test_a_dry_run_of_retention_records_nothing(
    runner: FlaskCliRunner, session: Session, audit_events: Events, make_round: Any
) -> None:
    closed_days_ago(session, make_round(), 31)
    invoke(runner, "retention", "apply", "--dry-run")
    assert audit_events() == []


def test_the_demo_is_recorded(runner: FlaskCliRunner, alice: str, audit_events: Events) -> None:
    invoke(runner, "demo")
    actions = [e.action for e in by_alice(audit_events(), alice)]
    reviews = [a for a in actions if a.startswith("review_")]  # the demo peer review's
    assert [a for a in actions if a not in reviews] == [
        "round_opened",
        "round_opened",
        "demo_added",
        "user_added",
        "user_added",
    ]
    assert {"review_created", "review_published", "review_rerun_started"} <= set(reviews)
    assert "review_assessment_saved" in reviews  # what the demo wrote, not a reviewer


# --- surveyapp audit ---------------------------------------------------------------------------


@pytest.fixture
def logged(session: Session) -> list[AuditEvent]:
    """Three events: a week ago, a day ago and an hour ago."""
    now = utcnow()
    actors = [
        SETUP,
        audit.Actor("coordinator@partnership.example", None, "192.0.2.7"),
        audit.Actor("alice@host (command line)"),
    ]
    ago = [dt.timedelta(days=7), dt.timedelta(days=1), dt.timedelta(hours=1)]
    for n, (by, before) in enumerate(zip(actors, ago, strict=True)):
        event = audit.record(session, "round_closed", actor=by, target=f"round {n}", detail="x")
        event.at = now - before
    session.commit()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_audit_prints_columns_oldest_first(
    runner: FlaskCliRunner, logged: list[AuditEvent]
) -> None:
    lines = invoke(runner, "audit").splitlines()
    assert lines[0].split() == ["when", "(UTC)", "who", "address", "action", "what"]
    assert [line.split("round_closed")[1].strip() for line in lines[1:]] == [
        "round 0: x",
        "round 1: x",
        "round 2: x",
    ]
    newest = lines[3]
    assert newest.startswith(f"{logged[2].at:%Y-%m-%d %H:%M:%S}  alice@host (command line)")
    assert "192.0.2.7" in lines[2] and lines[3].split()[5] == "-", "no address: a dash"
    starts = {line.index("round_closed") for line in lines[1:]}
    assert len(starts) == 1 and lines[0].index("action") in starts, "columns line up"


def test_audit_since_a_duration_or_a_moment_and_a_limit(
    runner: FlaskCliRunner, logged: list[AuditEvent]
) -> None:
    def targets(*args: str) -> list[str]:
        lines = invoke(runner, "audit", *args).splitlines()[1:]
        return [line.split("round_closed")[1].strip() for line in lines]

    assert targets("--since", "2d") == ["round 1: x", "round 2: x"]
    assert targets("--since", "90m") == ["round 2: x"]
    moment = (utcnow() - dt.timedelta(days=3)).astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert targets("--since", moment.isoformat()) == ["round 1: x", "round 2: x"]
    assert targets("--limit", "1") == ["round 2: x"]
    assert targets("--limit", "0") == ["round 0: x", "round 1: x", "round 2: x"]


def test_audit_json_is_one_object_per_line(
    runner: FlaskCliRunner, logged: list[AuditEvent]
) -> None:
    rows = [json.loads(line) for line in invoke(runner, "audit", "--json").splitlines()]
    assert [row["id"] for row in rows] == [e.id for e in logged]
    assert rows[1] == {
        "id": logged[1].id,
        "at": rows[1]["at"],
        "actor": "coordinator@partnership.example",
        "actor_id": None,
        "address": "192.0.2.7",
        "action": "round_closed",
        "target": "round 1",
        "detail": "x",
    }
    at = dt.datetime.fromisoformat(rows[1]["at"])
    assert at.utcoffset() == dt.timedelta(0)
    assert abs(at - (utcnow() - dt.timedelta(days=1))) < dt.timedelta(minutes=5)


def test_audit_of_an_empty_log_says_so(runner: FlaskCliRunner) -> None:
    assert invoke(runner, "audit") == "No audit events.\n"
    assert invoke(runner, "audit", "--since", "2026-05-01") == (
        "No audit events since 2026-05-01 00:00 UTC.\n"
    )
    assert invoke(runner, "audit", "--json") == ""


def test_audit_refuses_a_since_it_cannot_read(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["audit", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "'last tuesday' is neither a date and time" in result.output
