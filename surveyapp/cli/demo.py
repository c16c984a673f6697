"""`surveyapp demo`: sample participants, rounds, answers and accounts to try the app with."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_session
from ..services import demo, invitations, rounds
from ..services.audit import Actor
from .reporting import reports_errors


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when rounds already exist.")
@with_appcontext
@reports_errors
def demo_command(if_empty: bool) -> None:
    """Sample participants, rounds of manual revisions 0.3 and 0.4, and answers."""
    db = get_session()
    base = current_app.config["BASE_URL"]
    if if_empty and rounds.list_rounds(db):
        click.echo("Rounds exist already; demo data not added (see: surveyapp round list).")
        try_links = demo.links_to_try(db)
    else:
        result = demo.build_demo(db, current_app.extensions["surveys"], actor=Actor.from_os())
        db.commit()
        click.echo(
            f"Demo: {result.participants} participants, rounds {result.round_ids}, "
            f"{result.submitted} submitted and {result.drafts} half-done responses."
        )
        try_links = result.try_links
    accounts = demo.reset_demo_accounts(db, actor=Actor.from_os())
    db.commit()
    if try_links:
        click.echo("Links to answer the newest round:")
    for label, token in try_links:
        click.echo(f"  {label}: {invitations.personal_link(base, token)}")
    click.echo(f"Log in to the workspace at {base}/login (new passwords on every run):")
    for email, role, password in accounts:
        click.echo(f"  {role}: {email}  password: {password}")
