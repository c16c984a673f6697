"""`surveyapp token add | list | revoke`: read-API tokens, shown once and stored as a hash."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import ApiToken, AuditEvent
from surveyapp.services.api_tokens import hash_secret


def test_token_add_prints_the_token_once_and_stores_only_its_hash(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["token", "add", "--role", "editor", "--name", "reporting"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("sa_") and "reporting" in result.output
    token = session.scalars(select(ApiToken)).one()
    assert (token.name, token.role, token.revoked_at) == ("reporting", "editor", None)
    assert token.token_hash == hash_secret(secret) and "command line" in token.created_by
    listed = runner.invoke(args=["token", "list"])
    assert listed.exit_code == 0 and "reporting" in listed.output and "active" in listed.output
    assert secret not in listed.output and token.token_hash not in listed.output
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token_added"))
    assert [e.detail for e in events] == ["editor"]


def test_token_add_refuses_an_unknown_role_and_an_empty_name(runner: FlaskCliRunner) -> None:
    role = runner.invoke(args=["token", "add", "--role", "admin", "--name", "x"])
    assert role.exit_code == 1 and "is not a role" in role.output
    name = runner.invoke(args=["token", "add", "--role", "editor", "--name", "  "])
    assert name.exit_code == 1 and "needs a name" in name.output
    assert "No API tokens yet" in runner.invoke(args=["token", "list"]).output


def test_token_revoke_ends_a_token_and_says_so_in_the_list(
    runner: FlaskCliRunner, session: Session
) -> None:
    runner.invoke(args=["token", "add", "--role", "coordinator", "--name", "sync"])
    token_id = session.scalars(select(ApiToken.id)).one()
    result = runner.invoke(args=["token", "revoke", str(token_id)])
    assert result.exit_code == 0 and f"Revoked API token {token_id} (sync)" in result.output
    session.rollback()
    assert session.get(ApiToken, token_id).revoked_at is not None  # type: ignore[union-attr]
    assert "revoked" in runner.invoke(args=["token", "list"]).output
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api_%")))
    assert list(actions) == ["api_token_added", "api_token_revoked"]
    missing = runner.invoke(args=["token", "revoke", "999999"])
    assert missing.exit_code == 1 and "no API token 999999" in missing.output
