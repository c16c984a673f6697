"""`surveyapp export`: a round's Excel summary and, if asked, its tidy CSV."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .analysis.export_csv import write_tidy_csv
from .analysis.export_xlsx import write_summary
from .db import get_session
from .errors import SurveyAppError
from .services import rounds


def default_path(exports_dir: str | Path, round_id: int, revision: str, lang: str) -> Path:
    """EXPORTS_DIR/round-<id>-<revision>-<lang>.xlsx; the revision is made file-name safe."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", revision).strip("._") or "revision"
    return Path(exports_dir) / f"round-{round_id}-{safe}-{lang}.xlsx"


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
        result = write_summary(db, round_, path, lang)
        click.echo(
            f"Wrote {result.path}: {result.submitted} submitted response(s), "
            f"{result.questions} question figure(s), {result.feedback} feedback item(s)."
        )
        if result.cut_cells:
            click.echo(f"{len(result.cut_cells)} text(s) over 32,767 characters were cut.")
        if csv_path:
            count = write_tidy_csv(db, round_, csv_path)
            click.echo(f"Wrote {csv_path}: {count} answer row(s).")
    except (SurveyAppError, OSError) as error:
        raise click.ClickException(
            str(error).splitlines()[0] if str(error) else repr(error)
        ) from error
