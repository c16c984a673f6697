"""`surveyapp user add | passwd | list`: accounts with hashed passwords."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import AuditEvent, User

PASSWORD = "correct horse battery"


def test_user_add_reads_the_password_from_stdin_and_stores_only_a_hash(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(
        args=["user", "add", "Aino@Tampere.example", "--role", "coordinator", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User)).one()
    assert user.email == "aino@tampere.example" and user.role == "coordinator"
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")
    events = session.scalars(select(AuditEvent)).all()
    assert all(PASSWORD not in f"{e.target} {e.detail}" for e in events)


def test_user_add_refuses_short_passwords_duplicates_and_unknown_roles(
    runner: FlaskCliRunner,
) -> None:
    short = runner.invoke(
        args=["user", "add", "a@b.example", "--role", "editor", "--password-stdin"], input="x\n"
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    args = ["user", "add", "a@b.example", "--role", "editor", "--password-stdin"]
    assert runner.invoke(args=args, input=PASSWORD + "\n").exit_code == 0
    again = runner.invoke(args=args, input=PASSWORD + "\n")
    assert again.exit_code == 1 and "exists already" in again.output
    role = runner.invoke(args=["user", "add", "c@d.example", "--role", "admin"], input="")
    assert role.exit_code != 0


def test_passwd_changes_the_hash_and_list_shows_accounts(
    runner: FlaskCliRunner, session: Session
) -> None:
    add = ["user", "add", "e@f.example", "--role", "editor", "--password-stdin"]
    runner.invoke(args=add, input=PASSWORD + "\n")
    before = session.execute(select(User.password_hash, User.session_stamp)).one()
    result = runner.invoke(
        args=["user", "passwd", "E@F.example", "--password-stdin"], input="another long one\n"
    )
    assert result.exit_code == 0, result.output
    session.rollback()
    after = session.execute(select(User.password_hash, User.session_stamp)).one()
    assert after.password_hash != before.password_hash
    assert after.session_stamp != before.session_stamp, "the account's sessions end"
    assert "editor       e@f.example" in runner.invoke(args=["user", "list"]).output
    missing = runner.invoke(args=["user", "passwd", "x@y.example", "--password-stdin"], input="z\n")
    assert missing.exit_code == 1 and "no account" in missing.output


def test_an_unknown_role_is_one_line_and_asks_for_no_password(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["user", "add", "c@d.example", "--role", "admin"], input="")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: 'admin' is not a role; the role is one of coordinator, editor"
    ]


def test_list_without_accounts_says_so(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0
    assert result.output.startswith("No accounts yet.")
