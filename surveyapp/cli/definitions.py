"""`surveyapp check` and `surveyapp schema`: survey definition files and the manual
(manual.yaml beside them), without the app."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, has_app_context

from ..config import surveys_dir, translations_dir
from ..definitions import check_paths, manual_of_dir, manual_schema_text, schema_text
from ..errors import DefinitionError
from .reporting import reports_errors


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@reports_errors
def check_command(paths: tuple[str, ...]) -> None:
    """Validate survey definitions, the manual.yaml beside them and the surveys'
    translations (files or folders; default: SURVEYS_DIR)."""
    # No app is built for it (`surveyapp check` starts in a fraction of a second, needs no
    # database or SECRET_KEY), so an editor's pre-commit hook or CI job stays quick.
    default = current_app.config["SURVEYS_DIR"] if has_app_context() else surveys_dir()
    catalogues = (
        current_app.config.get("TRANSLATIONS_DIR") if has_app_context() else translations_dir()
    )
    targets = list(paths) or [default]
    report = check_paths(targets, catalogues)
    problems = report.problems + report.translation_problems
    for problem in problems:
        click.echo(str(problem))
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if problems:
        files = len({p.path for p in problems})
        # The count closes the report on stdout; the one-line reason goes to stderr.
        count = f"{len(problems)} problem(s) in {files} file(s)"
        click.echo(f"{count}; {report.files} file(s) checked.")
        raise click.ClickException(f"the survey definitions have {count}")
    questions = sum(len(s.questions) for s in report.surveys)
    manuals = sum(1 for m in report.manuals.values() if m.revisions)
    click.echo(
        f"OK: {len(report.surveys)} survey(s), {questions} question(s), "
        f"{manuals} manual(s), no problems."
    )


@click.command("schema")
@click.option("--manual", "of_manual", is_flag=True, help="The schema of manual.yaml instead.")
@reports_errors
def schema_command(of_manual: bool) -> None:
    """Print the JSON Schema of the survey format (for editors' YAML tooling); a section's
    chapter is one of the manual's in SURVEYS_DIR when it has a manual.yaml."""
    if of_manual:
        click.echo(manual_schema_text())
        return
    folder = current_app.config["SURVEYS_DIR"] if has_app_context() else surveys_dir()
    try:
        manual = manual_of_dir(Path(folder))
    except DefinitionError:
        manual = None  # `surveyapp check` reports the manual's problems; the schema still helps
    click.echo(schema_text(manual))
