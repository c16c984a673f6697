"""`surveyapp check` and `surveyapp schema`: survey definition files, without the app."""

from __future__ import annotations

import click
from flask import current_app, has_app_context

from ..config import surveys_dir
from ..definitions import check_paths, schema_text
from .reporting import reports_errors


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@reports_errors
def check_command(paths: tuple[str, ...]) -> None:
    """Validate survey definitions (files or folders; default: SURVEYS_DIR)."""
    # No app is built for it (`surveyapp check` starts in a fraction of a second, needs no
    # database or SECRET_KEY), so an editor's pre-commit hook or CI job stays quick.
    default = current_app.config["SURVEYS_DIR"] if has_app_context() else surveys_dir()
    targets = list(paths) or [default]
    report = check_paths(targets)
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        files = len({p.path for p in report.problems})
        # The count closes the report on stdout; the one-line reason goes to stderr.
        count = f"{len(report.problems)} problem(s) in {files} file(s)"
        click.echo(f"{count}; {report.files} file(s) checked.")
        raise click.ClickException(f"the survey definitions have {count}")
    questions = sum(len(s.questions) for s in report.surveys)
    click.echo(f"OK: {len(report.surveys)} survey(s), {questions} question(s), no problems.")


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the survey format (for editors' YAML tooling)."""
    click.echo(schema_text())
