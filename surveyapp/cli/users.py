"""`surveyapp user add|passwd|list`: accounts of coordinators and editors."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_session
from ..services import users
from ..services.audit import Actor
from .reporting import reports_errors


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("user")
def user_group() -> None:
    """Accounts of coordinators and editors."""


@user_group.command("add")
@click.argument("email")
# A plain option, not click.Choice: a wrong role is one line from users.add_user, not usage help.
@click.option("--role", metavar="coordinator|editor", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@reports_errors
def user_add_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account for EMAIL."""
    users.check_role(role)  # before asking for a password
    db = get_session()
    password = _read_password(password_stdin)
    user = users.add_user(db, email, role, password, actor=Actor.from_os())
    db.commit()
    click.echo(f"Added {role} {user.email}. Log in at {current_app.config['BASE_URL']}/login")


@user_group.command("passwd")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@reports_errors
def user_passwd_command(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; the account's other sessions end."""
    db = get_session()
    password = _read_password(password_stdin)
    user = users.set_password(db, email, password, actor=Actor.from_os())
    db.commit()
    click.echo(f"Changed the password of {user.email}.")


@user_group.command("list")
@with_appcontext
def user_list_command() -> None:
    """List accounts."""
    found = users.list_users(get_session())
    if not found:
        click.echo("No accounts yet. Add one with: surveyapp user add EMAIL --role coordinator")
    for user in found:
        state = "" if user.is_active else " (disabled)"
        click.echo(f"{user.role:<12} {user.email}{state}")
