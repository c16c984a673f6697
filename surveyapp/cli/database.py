"""`surveyapp init`: create the database or upgrade it to the latest schema."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .reporting import reports_errors


@click.command("init")
@with_appcontext
@reports_errors
def init_command() -> None:
    """Create the database or upgrade it to the latest schema."""
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = current_app.extensions["engine"]
    from .. import migrate  # Alembic: only this command needs it

    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {where} is up to date (revision {after}).")
    else:
        click.echo(f"Database {where} upgraded from {before or 'empty'} to revision {after}.")
