"""`surveyapp participants forget` and `surveyapp retention apply`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from privacy_world import (
    AINO,
    BRUNO,
    World,
    build_world,
    closed_days_ago,
    count,
    database_rows,
    linked_responses,
    traces,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import AuditEvent, Invitation, Participant, Round


@pytest.fixture
def retention_days() -> int | None:
    return 30


@pytest.fixture
def app_config(app_config: dict[str, Any], retention_days: int | None) -> dict[str, Any]:
    return {**app_config, "RETENTION_DAYS": retention_days}


@pytest.fixture
def world(
    session: Session,
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[..., Invitation],
) -> World:
    return build_world(session, make_round, make_participant, make_invitation)


def events(session: Session, action: str) -> list[AuditEvent]:
    session.rollback()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- forget ------------------------------------------------------------------------------------


def test_forget_says_what_it_deleted_and_leaves_no_trace(
    runner: FlaskCliRunner, session: Session, world: World
) -> None:
    aino_id = world.aino.id
    assert traces(session, AINO), "she is there to begin with"
    result = runner.invoke(
        args=["participants", "forget", "Aino.Virtanen@TAMPERE.example", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Forgot participant #{aino_id}:",
        "  3 invitation(s) and their personal links deleted",
        "  2 response(s) deleted, with their answers and 1 feedback item(s)",
        "  1 response(s) of anonymous rounds kept, linked to no one",
        "  1 mail record(s) deleted",
        "  1 audit log entry(ies) cleaned of the address",
        "Recorded in the audit log as participant_forgotten (counts only).",
    ]
    assert traces(session, AINO) == []
    assert len(events(session, "participant_forgotten")) == 1
    assert traces(session, BRUNO), "only she is forgotten"


def test_forget_asks_first_and_a_no_changes_nothing(
    runner: FlaskCliRunner, session: Session, world: World
) -> None:
    rows = database_rows(session)
    result = runner.invoke(args=["participants", "forget", AINO["email"]], input="n\n")
    assert result.exit_code == 1
    assert f"Participant #{world.aino.id}: Aino Virtanen, {AINO['email']}" in result.output
    assert "Deletes 3 invitation(s), 2 response(s) and 1 mail record(s)" in result.output
    assert "Forget this person? This cannot be undone [y/N]" in result.output
    assert database_rows(session) == rows


def test_forget_goes_on_after_a_yes(runner: FlaskCliRunner, session: Session, world: World) -> None:
    result = runner.invoke(args=["participants", "forget", AINO["email"]], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Forgot participant" in result.output
    assert traces(session, AINO) == []


def test_forget_of_an_unknown_email_fails_and_changes_nothing(
    runner: FlaskCliRunner, session: Session, world: World
) -> None:
    rows = database_rows(session)
    result = runner.invoke(args=["participants", "forget", "nobody@nowhere.example", "--yes"])
    assert result.exit_code == 1
    assert "Error: no participant has the email address nobody@nowhere.example" in result.output
    assert database_rows(session) == rows


# --- retention ---------------------------------------------------------------------------------


@pytest.mark.parametrize("retention_days", [None])
def test_retention_without_a_setting_keeps_everything(
    runner: FlaskCliRunner, session: Session, world: World
) -> None:
    closed_days_ago(session, world.named, 3000)
    rows = database_rows(session)
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    assert "RETENTION_DAYS is not set: personal data is kept." in result.output
    assert database_rows(session) == rows


def test_a_dry_run_says_what_would_go_and_changes_nothing(
    runner: FlaskCliRunner, session: Session, world: World
) -> None:
    closed_days_ago(session, world.named, 31)
    closed_days_ago(session, world.anonymous, 29)
    rows = database_rows(session)
    result = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Would purge round {world.named.id} (respond-test 0.3), closed ")
    assert lines[0].endswith(
        ": 2 invitation(s) and their links, 2 mail record(s) and 0 unsubmitted response(s) "
        "deleted; 2 submitted response(s) kept without a link to anyone."
    )
    assert "1 round(s) closed before" in lines[1] and "would be purged (dry run" in lines[1]
    assert database_rows(session) == rows


def test_apply_purges_due_rounds_once_and_records_each(
    runner: FlaskCliRunner, session: Session, world: World
) -> None:
    closed_days_ago(session, world.named, 31)
    closed_days_ago(session, world.later, 45)
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    assert f"Purged round {world.named.id} (respond-test 0.3)" in result.output
    assert f"Purged round {world.later.id} (respond-test 0.5)" in result.output
    assert "2 round(s) closed before" in result.output
    assert linked_responses(session, world.named) == []
    assert len(linked_responses(session, world.anonymous)) == 2, "still within retention"
    assert count(session, select(Invitation).where(Invitation.round_id == world.later.id)) == 0
    targets = sorted(e.target for e in events(session, "retention_purged"))
    assert targets == sorted([f"round {world.named.id}", f"round {world.later.id}"])
    listed = runner.invoke(args=["round", "list"]).output.splitlines()
    named_line = next(line for line in listed if line.split()[0] == str(world.named.id))
    assert "personal data deleted" in named_line and "2 submitted kept" in named_line
    again = runner.invoke(args=["retention", "apply"])
    assert again.exit_code == 0
    assert "No round closed before" in again.output and "(RETENTION_DAYS=30)" in again.output
    assert len(events(session, "retention_purged")) == 2
