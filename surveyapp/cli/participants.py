"""`surveyapp participants import|forget`: the participant list."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import get_session
from ..services import participants
from ..services.audit import Actor
from .privacy import forget_command
from .reporting import reports_errors


@click.group("participants")
def participants_group() -> None:
    """Manage the participant list."""


participants_group.add_command(forget_command)


@participants_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--group", help="Put every imported participant in this group.")
@with_appcontext
@reports_errors
def participants_import_command(file: str, group: str | None) -> None:
    """Import or update participants from a CSV file (by email)."""
    db = get_session()
    data = Path(file).read_bytes()
    report = participants.import_participants(
        db, data, group=group, file_name=file, actor=Actor.from_os()
    )
    for problem in report.problems:
        click.echo(f"{file}:{problem.line}: {problem.message}")
    for warning in report.warnings:
        click.echo(f"{file}: {warning}")
    if report.is_fatal or not (report.created or report.updated or report.unchanged):
        db.rollback()
        raise click.ClickException(f"no participant imported from {file}")
    db.commit()
    click.echo(
        f"Imported {file}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} row(s) skipped."
    )
