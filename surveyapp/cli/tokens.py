"""`surveyapp token add|list|revoke`: keys of the read API (/api/v1/)."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from ..db import get_session
from ..services import api_tokens
from ..services.audit import Actor
from .reporting import reports_errors


@click.group("token")
def token_group() -> None:
    """Keys of the read API (/api/v1/); see docs/api.md."""


@token_group.command("add")
# A plain option, not click.Choice: a wrong role is one line from the service, like `user add`.
@click.option("--role", metavar="editor|coordinator", required=True)
@click.option("--name", required=True, help="What the token is for, e.g. 'reporting'.")
@with_appcontext
@reports_errors
def token_add_command(role: str, name: str) -> None:
    """Make a token and print it once: it is stored only as a hash."""
    db = get_session()
    made = api_tokens.create_token(db, name, role, actor=Actor.from_os())
    db.commit()
    click.echo(f"Added API token {made.token.id} ({made.token.name}, {role}).")
    click.echo("The token is shown only now; keep it secret:")
    click.echo(made.secret)


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@token_group.command("list")
@with_appcontext
def token_list_command() -> None:
    """List tokens (never their secrets)."""
    found = api_tokens.list_tokens(get_session())
    if not found:
        click.echo("No API tokens yet. Add one with: surveyapp token add --role editor --name NAME")
        return
    click.echo(f"{'id':>4}  {'role':<12} {'created':<16}  {'last used':<16}  {'state':<8} name")
    for t in found:
        state = "revoked" if t.revoked_at else "active"
        created, used = _when(t.created_at), _when(t.last_used_at)
        click.echo(f"{t.id:>4}  {t.role:<12} {created:<16}  {used:<16}  {state:<8} {t.name}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
@reports_errors
def token_revoke_command(token_id: int) -> None:
    """Revoke token TOKEN_ID for good: calls with it get 401 from now on."""
    db = get_session()
    token = api_tokens.revoke_token(db, token_id, actor=Actor.from_os())
    db.commit()
    click.echo(f"Revoked API token {token.id} ({token.name}).")
