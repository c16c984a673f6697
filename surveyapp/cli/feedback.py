"""`surveyapp feedback import FILE --round ID [--apply] [--as EMAIL]`: triage from a round's
edited Excel summary. Without --apply it only prints what would change, by sheet row."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import begin_write, get_session
from ..errors import InvalidRequest
from ..services import rounds, users
from ..services.audit import Actor
from ..services.feedback_import import Change, ImportPreview, apply_import, preview_import
from ..services.feedback_workbook import UnreadableWorkbook, read_workbook
from .reporting import reports_errors

PROBLEMS = {
    "no_id": "no comment id (the comment is not in triage yet)",
    "unknown_id": "comment id {value} is not a comment of this round",
    "repeated_id": "comment id {value} is on an earlier row too",
    "invalid_status": "{value!r} is not a status",
    "note_too_long": "the note is too long ({value} characters)",
    "revision_too_long": "the revision is too long",
}
READ_ERRORS = {
    "not_xlsx": "the file could not be read as an Excel workbook (.xlsx)",
    "no_sheet": "the workbook has no sheet with a comment id and a status column",
}


@click.group("feedback")
def feedback_group() -> None:
    """Feedback triage."""


@feedback_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_id", required=True, help="The round the workbook is of.")
@click.option("--apply", "apply_", is_flag=True, help="Save the changes (default: only show).")
@click.option("--as", "email", help="Record the changes as this workspace account's.")
@with_appcontext
@reports_errors
def feedback_import_command(file: Path, round_id: str, apply_: bool, email: str | None) -> None:
    """Show what FILE's Feedback sheet would change in the round's triage; save with --apply."""
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    try:
        read = read_workbook(file.read_bytes())
    except UnreadableWorkbook as error:
        raise click.ClickException(f"{file}: {READ_ERRORS[error.reason]}") from error
    if not apply_:
        _print(preview_import(db, round_, read))
        click.echo("Nothing was saved (add --apply to save the changes).")
        return
    actor = _actor(email)
    begin_write(db)
    result = apply_import(db, round_, read, actor=actor)
    db.commit()
    _print(result)
    skipped = len(result.conflicts)
    click.echo(f"Saved: {len(result.changes)} item(s) changed, {skipped} conflict(s) skipped.")


def _actor(email: str | None) -> Actor:
    """The operating-system user, and with --as the workspace account too."""
    by = Actor.from_os()
    if email is None:
        return by
    user = users.find_user(get_session(), email)
    if user is None:
        raise InvalidRequest(f"there is no account {email}")
    return Actor(name=f"{user.email} via {by.name}", user_id=user.id)


def _print(preview: ImportPreview) -> None:
    click.echo(
        f"{len(preview.changes)} change(s), {len(preview.conflicts)} conflict(s), "
        f"{len(preview.problems)} row(s) with problems, {preview.unchanged} unchanged row(s)."
    )
    for change in preview.changes:
        click.echo(f"row {change.row}: comment {change.item_id}: {_difference(change)}")
    for change in preview.conflicts:
        what = _difference(change)
        click.echo(f"row {change.row}: comment {change.item_id}: CONFLICT, skipped ({what})")
    for problem in preview.problems:
        click.echo(f"row {problem.row}: {PROBLEMS[problem.kind].format(value=problem.value)}")


def _difference(change: Change) -> str:
    """What a row changes, field by field: 'status new → accepted; note '' → 'Later''."""
    fields = zip(("status", "note", "revision"), change.old, change.new, strict=True)
    return "; ".join(f"{name} {old!r} → {new!r}" for name, old, new in fields if old != new)
