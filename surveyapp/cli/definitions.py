"""`surveyapp check` and `surveyapp schema`: survey definition files, the manual
(manual.yaml beside them) and the criteria sets (criteria/), without the app."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app, has_app_context

from ..config import criteria_dir, surveys_dir, translations_dir
from ..definitions import (
    CheckReport,
    Manual,
    check_paths,
    criteria_schema_text,
    manual_of_dir,
    manual_schema_text,
    schema_text,
)
from ..definitions.criteria_registry import (
    CRITERIA_DIRNAME,
    check_criteria_paths,
    default_criteria_dir,
)
from ..definitions.yamlnodes import MAX_BYTES
from ..errors import DefinitionError
from .reporting import reports_errors

# A top-level key only a criteria set has (survey files have sections).
_CRITERIA_KEY = re.compile(r"^(criteria|manual_revision)\s*:", re.MULTILINE)


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@reports_errors
def check_command(paths: tuple[str, ...]) -> None:
    """Validate survey definitions, the manual.yaml beside them, the surveys' translations
    and the peer reviews' criteria sets (files or folders; default: SURVEYS_DIR and
    CRITERIA_DIR)."""
    # No app is built for it (`surveyapp check` starts in a fraction of a second, needs no
    # database or SECRET_KEY), so an editor's pre-commit hook or CI job stays quick.
    default = current_app.config["SURVEYS_DIR"] if has_app_context() else surveys_dir()
    catalogues = (
        current_app.config.get("TRANSLATIONS_DIR") if has_app_context() else translations_dir()
    )
    criteria_folder = _criteria_folder(default)
    survey_targets, criteria_targets = _split_targets(paths, criteria_folder)
    if not paths:
        survey_targets = [default]
        # A survey-only folder (no criteria/ beside it) is checked as before.
        criteria_targets = [str(criteria_folder)] if criteria_folder.is_dir() else []
    report = check_paths(survey_targets, catalogues) if survey_targets else CheckReport()
    criteria = check_criteria_paths(criteria_targets, _manual_for_criteria(report, default))
    problems = report.problems + report.translation_problems + criteria.problems
    for problem in problems:
        click.echo(str(problem))
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if problems:
        files = len({p.path for p in problems})
        # The count closes the report on stdout; the one-line reason goes to stderr.
        count = f"{len(problems)} problem(s) in {files} file(s)"
        click.echo(f"{count}; {report.files + criteria.files} file(s) checked.")
        what = "survey and criteria definitions" if criteria.problems else "survey definitions"
        raise click.ClickException(f"the {what} have {count}")
    parts = []
    if survey_targets:
        questions = sum(len(s.questions) for s in report.surveys)
        manuals = sum(1 for m in report.manuals.values() if m.revisions)
        parts.append(
            f"{len(report.surveys)} survey(s), {questions} question(s), {manuals} manual(s)"
        )
    if criteria_targets:
        items = sum(len(c.criteria) for c in criteria.sets)
        parts.append(f"{len(criteria.sets)} criteria set(s) with {items} criteria")
    click.echo(f"OK: {', '.join(parts)}, no problems.")


def _criteria_folder(survey_folder: str) -> Path:
    configured = current_app.config.get("CRITERIA_DIR") if has_app_context() else criteria_dir()
    return Path(configured) if configured else default_criteria_dir(survey_folder)


def _split_targets(paths: tuple[str, ...], criteria_folder: Path) -> tuple[list[str], list[str]]:
    """(survey paths, criteria paths): a criteria folder is CRITERIA_DIR, one in it, or one
    named criteria/ (or in one); a criteria file is one whose text has a top-level
    `criteria:` or `manual_revision:` key, wherever it is."""
    surveys: list[str] = []
    criteria: list[str] = []
    for raw in paths:
        path = Path(raw)
        is_criteria = (
            _is_criteria_folder(path.resolve(), criteria_folder.resolve())
            if path.is_dir()
            else path.is_file() and _looks_like_criteria(path)
        )
        (criteria if is_criteria else surveys).append(raw)
    return surveys, criteria


def _is_criteria_folder(folder: Path, criteria_folder: Path) -> bool:
    return criteria_folder in (folder, folder.parent) or CRITERIA_DIRNAME in (
        folder.name,
        folder.parent.name,
    )


def _looks_like_criteria(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return False  # the survey check reports what cannot be read
    return _CRITERIA_KEY.search(head) is not None


def _manual_for_criteria(report: CheckReport, survey_folder: str) -> Manual | None:
    """The manual the criteria's chapters are checked against: the one of SURVEYS_DIR
    (already read when the surveys were checked). None when it is missing or broken: its
    problems are the surveys' check's to report."""
    folder = Path(survey_folder).resolve()
    manual = report.manuals.get(folder)
    if manual is None:
        try:
            manual = manual_of_dir(folder)
        except DefinitionError:
            return None
    return manual if manual.revisions else None


@click.command("schema")
@click.option("--manual", "of_manual", is_flag=True, help="The schema of manual.yaml instead.")
@click.option(
    "--criteria", "of_criteria", is_flag=True, help="The schema of a criteria set instead."
)
@reports_errors
def schema_command(of_manual: bool, of_criteria: bool) -> None:
    """Print the JSON Schema of the survey format (for editors' YAML tooling); a section's
    chapter is one of the manual's in SURVEYS_DIR when it has a manual.yaml."""
    if of_manual:
        click.echo(manual_schema_text())
        return
    if of_criteria:
        click.echo(criteria_schema_text())
        return
    folder = current_app.config["SURVEYS_DIR"] if has_app_context() else surveys_dir()
    try:
        manual = manual_of_dir(Path(folder))
    except DefinitionError:
        manual = None  # `surveyapp check` reports the manual's problems; the schema still helps
    click.echo(schema_text(manual))
