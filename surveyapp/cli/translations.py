"""`surveyapp translations update|status`: the survey texts' gettext catalogues
(translations/<survey>/<lang>.po) and the lock file of inline translations."""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.pofile import PoFileError
from flask import current_app, has_app_context

from ..config import surveys_dir, translations_dir
from ..definitions import check_paths, load_file
from ..definitions.loader import CheckReport
from ..definitions.translation_files import update
from ..definitions.translations import default_translations_dir
from ..errors import DefinitionError
from .reporting import reports_errors


def _folders() -> tuple[Path, Path]:
    """SURVEYS_DIR and the catalogues' folder (TRANSLATIONS_DIR, or beside SURVEYS_DIR)."""
    if has_app_context():
        surveys, catalogues = (
            current_app.config["SURVEYS_DIR"],
            current_app.config.get("TRANSLATIONS_DIR"),
        )
    else:
        surveys, catalogues = surveys_dir(), translations_dir()
    return Path(surveys), Path(catalogues) if catalogues else default_translations_dir(
        Path(surveys)
    )


def _report(surveys: Path, catalogues: Path) -> CheckReport:
    report = check_paths([surveys], catalogues)
    if report.problems:
        raise DefinitionError(report.problems)
    return report


@click.group("translations")
def translations_group() -> None:
    """Survey translations: update the catalogues and lock files, show their status."""


@translations_group.command("update")
@click.argument("survey_ids", nargs=-1)
@reports_errors
def translations_update_command(survey_ids: tuple[str, ...]) -> None:
    """Write translations/SURVEY/LANG.po for each non-source language of each SURVEY
    (default: every survey) and the lock file surveys/SURVEY.translations.lock.

    New texts are added; an entry whose source text changed keeps its translation, marked
    fuzzy with the previous msgid; texts no longer in the survey are kept as obsolete."""
    surveys, catalogues = _folders()
    report = _report(surveys, catalogues)
    wanted = list(survey_ids) or sorted(report.paths)
    unknown = [s for s in wanted if s not in report.paths]
    if unknown:
        raise click.ClickException(f"no survey {', '.join(repr(s) for s in unknown)} in {surveys}")
    manual = report.manuals.get(surveys.resolve())
    for survey_id in wanted:
        path = report.paths[survey_id]
        survey = load_file(path, manual if manual and manual.revisions else None)
        try:
            written = update(survey, path, catalogues)
        except PoFileError as error:
            raise click.ClickException(
                f"a catalogue of {survey_id} cannot be read: {error}"
            ) from error
        for file in written:
            click.echo(f"Wrote {file}")
        if not written:
            click.echo(f"{survey_id}: up to date.")
    click.echo("Next: `surveyapp translations status`; translators edit the .po files.")


@translations_group.command("status")
@reports_errors
def translations_status_command() -> None:
    """Per survey and language: how many texts are translated, stale and missing."""
    surveys, catalogues = _folders()
    report = _report(surveys, catalogues)
    click.echo(f"{'survey':<22} {'language':<9} {'translated':>10} {'stale':>6} {'missing':>8}")
    for survey_id in sorted(report.translations):
        found = report.translations[survey_id]
        click.echo(f"{survey_id:<22} {found.source_language:<9} {'(source language)':>26}")
        for lang, status in found.languages.items():
            click.echo(
                f"{survey_id:<22} {lang:<9} {status.translated:>10} "
                f"{status.stale:>6} {status.missing:>8}"
            )
