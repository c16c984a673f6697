"""`surveyapp export`: a round's Excel summary and, if asked, its tidy CSV.

It runs in the foreground (a script waits for it) and writes like the dashboard's background
export: each file beside its final name first, renamed into place only when complete. Each
file written is recorded in the audit log as soon as it is complete.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import begin_write, get_session
from ..errors import SurveyAppError
from ..jobs import downloads
from ..models import Round
from ..services import rounds
from ..services.audit import Actor


def default_path(exports_dir: str | Path, round_id: int, revision: str, lang: str) -> Path:
    """EXPORTS_DIR/round-<id>-<revision>-<lang>.xlsx; the revision is made file-name safe."""
    from ..jobs import exports  # with pandas: see _write

    return Path(exports_dir) / exports.file_name(round_id, revision, lang)


def _write_error(path: Path | str, error: OSError) -> str:
    """One line saying which file could not be written and why; nothing of it is left."""
    from ..jobs import exports

    why = "the disk is full" if error.errno in exports.DISK_FULL else "it could not be written"
    reason = error.strerror or str(error)
    return f"{path}: {why} ({reason}); no file was written."


@click.command("export")
@click.argument("round_id")
@click.option("--lang", default="en", show_default=True, help="Language of texts and labels.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The .xlsx file to write.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also a tidy CSV here.")
@with_appcontext
def export_command(round_id: str, lang: str, output: str | None, csv_path: str | None) -> None:
    """Write ROUND's Excel summary (default under EXPORTS_DIR) and optionally a tidy CSV."""
    db = get_session()
    try:
        round_ = rounds.get_round(db, round_id)
        path = output or default_path(
            current_app.config["EXPORTS_DIR"], round_.id, round_.revision, lang
        )
    except SurveyAppError as error:
        raise click.ClickException(str(error).splitlines()[0]) from error
    _write(round_, path, lang, csv_path)


def _write(round_: Round, path: Path | str, lang: str, csv_path: str | None) -> None:
    # Imported here: pandas would slow the start of every other command.
    from ..analysis.shuffled import ResponseNumbers

    db, actor = get_session(), Actor.from_os()
    target: Path | str = path
    # An anonymous round's files share one drawn numbering, so their rows can be joined.
    numbers = ResponseNumbers.draw(db, round_.id) if round_.is_anonymous else None
    try:
        result = downloads.write_summary_file(db, round_, path, lang, actor=actor, numbers=numbers)
        db.commit()
        click.echo(
            f"Wrote {result.path}: {result.submitted} submitted response(s), "
            f"{result.questions} question figure(s), {result.feedback} feedback item(s)."
        )
        if result.cut_cells:
            click.echo(f"{len(result.cut_cells)} text(s) over 32,767 characters were cut.")
        if csv_path:
            target = csv_path
            # As the first file was: in a transaction that may write its audit event (on
            # SQLite a read transaction could not become one after another writer's commit).
            begin_write(db)
            count = downloads.write_tidy_file(db, round_, csv_path, actor=actor, numbers=numbers)
            db.commit()
            click.echo(f"Wrote {csv_path}: {count} answer row(s).")
    except SurveyAppError as error:
        raise click.ClickException(str(error).splitlines()[0]) from error
    except OSError as error:
        raise click.ClickException(_write_error(target, error)) from error
