"""Loading survey definition files: one text, one file, a folder, or many paths."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from surveyapp.definitions.manual import MANUAL_FILE, Manual
from surveyapp.definitions.manual_file import read_manual_file
from surveyapp.definitions.reporting import Report
from surveyapp.definitions.schema import Survey
from surveyapp.definitions.translations import (
    SurveyTranslations,
    current_survey,
    default_translations_dir,
    evaluate,
)
from surveyapp.definitions.validate import build_survey
from surveyapp.definitions.yamlnodes import MAX_BYTES, decode, parse
from surveyapp.errors import DefinitionError, Problem

SUFFIXES = (".yaml", ".yml")
_ID_LINE = re.compile(r"^id\s*:", re.MULTILINE)


@dataclass
class CheckReport:
    """What checking some paths found; `problems` lists every problem of every file."""

    surveys: list[Survey] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    # The YAML text of each loaded survey by id: what a round freezes when it opens.
    texts: dict[str, str] = field(default_factory=dict)
    # The manual of each folder checked (manual.yaml beside the surveys), when it loads.
    manuals: dict[Path, Manual] = field(default_factory=dict)
    # Stale and missing translations (and unreadable catalogues): `surveyapp check` fails
    # on them, but a survey with them still loads (its pages show the source text).
    translation_problems: list[Problem] = field(default_factory=list)
    # What `check` prints without failing: e.g. a survey language without an interface.
    warnings: list[Problem] = field(default_factory=list)
    translations: dict[str, SurveyTranslations] = field(default_factory=dict)
    # The file each survey was read from, by id.
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.translation_problems


def _read(
    text: str, source: str, file_name: str | None, manual: Manual | None
) -> tuple[Survey | None, list[Problem]]:
    report = Report(source)
    survey = build_survey(parse(text, report), report, file_name, manual)
    return survey, report.sorted()


def load_text(text: str, source: str = "<string>", manual: Manual | None = None) -> Survey:
    """Parse and check a survey definition; DefinitionError carries every problem.

    Chapters and topics are checked against `manual` when given; a round's frozen text is
    loaded without, so a later manual never breaks a round already open."""
    survey, problems = _read(text, source, None, manual)
    if survey is None:
        raise DefinitionError(problems or [Problem(source, 1, "the survey cannot be read")])
    return survey


def _read_file(
    path: Path, manual: Manual | None = None
) -> tuple[str | None, Survey | None, list[Problem]]:
    report = Report(str(path))
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # never read more than we would accept
    except OSError as exc:
        report.add(1, f"the file cannot be read: {exc.strerror or exc}")
        return None, None, report.sorted()
    text = decode(data, report)
    if text is None:
        return None, None, report.sorted()
    survey, problems = _read(text, str(path), path.name, manual)
    return text, survey, problems


def load_file(path: str | Path, manual: Manual | None = None) -> Survey:
    """Load one definition file; its survey id must equal the file name's stem."""
    _, survey, problems = _read_file(Path(path), manual)
    if survey is None:
        raise DefinitionError(problems or [Problem(str(path), 1, "the survey cannot be read")])
    return survey


def _is_hidden(path: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(top).parts)


def _files_in(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    """The definition files named by `paths`: files as given, folders walked (sorted)."""
    files: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in SUFFIXES and p.is_file() and not _is_hidden(p, path)
            )
            if not found:
                problems.append(
                    Problem(str(path), 1, "no survey files (*.yaml, *.yml) in this folder")
                )
        elif path.is_file():
            found = [path]
        elif path.exists():  # a pipe or a device: reading it could wait forever
            problems.append(
                Problem(str(path), 1, "not a regular file; give a survey file or a folder")
            )
            found = []
        else:
            problems.append(Problem(str(path), 1, "no such file or folder"))
            found = []
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files


def _manual_beside(path: Path, result: CheckReport) -> Manual | None:
    """The manual of the survey file's folder, read (and its problems reported) once;
    None when the folder has none or it is broken, and then chapters go unchecked."""
    folder = path.parent.resolve()
    if folder not in result.manuals and (folder / MANUAL_FILE).is_file():
        manual, problems = read_manual_file(folder / MANUAL_FILE)
        result.files += 1
        result.problems.extend(problems)
        result.manuals[folder] = manual or Manual()
    found = result.manuals.get(folder)
    return found if found is not None and found.revisions else None


def _check_files(
    files: list[Path], result: CheckReport, translations_dir: Path | None = None
) -> CheckReport:
    first_file: dict[str, Path] = {}
    for path in files:
        manual = _manual_beside(path, result)
        if path.name == MANUAL_FILE:
            continue  # read above, as the manual of its folder
        result.files += 1
        text, survey, problems = _read_file(path, manual)
        result.problems.extend(problems)
        if survey is None or text is None:
            continue
        if survey.id in first_file:
            match = _ID_LINE.search(text)
            line = text.count("\n", 0, match.start()) + 1 if match else 1
            result.problems.append(
                Problem(
                    str(path),
                    line,
                    f"survey id '{survey.id}' is also used by {first_file[survey.id]}",
                )
            )
            continue
        first_file[survey.id] = path
        folder = translations_dir or default_translations_dir(path.parent)
        translations = evaluate(survey, path, folder)
        result.translations[survey.id] = translations
        result.translation_problems.extend(i.problem() for i in translations.issues)
        result.translation_problems.extend(translations.problems)
        result.warnings.extend(translations.warnings)
        # Only current translations are shown: a stale one falls back to the source text.
        result.surveys.append(current_survey(survey, translations))
        result.texts[survey.id] = text
        result.paths[survey.id] = path
    return result


def check_paths(
    paths: Iterable[str | Path], translations_dir: str | Path | None = None
) -> CheckReport:
    """Check definition files and folders (walked for *.yaml and *.yml, sorted).

    Never raises for a bad file: every problem, including a missing path and the
    same survey id in two files, is in the report. The catalogues are read from
    `translations_dir`, by default `translations/` next to each file's folder.
    """
    result = CheckReport()
    files = _files_in(paths, result.problems)
    return _check_files(files, result, Path(translations_dir) if translations_dir else None)


def read_dir(path: str | Path, translations_dir: str | Path | None = None) -> CheckReport:
    """Check the definition files directly in the folder `path` (not its subfolders)."""
    directory = Path(path)
    result = CheckReport()
    if not directory.is_dir():
        result.problems.append(Problem(str(directory), 1, "no such folder"))
        return result
    files = sorted(
        p
        for p in directory.iterdir()
        if p.suffix in SUFFIXES and p.is_file() and not p.name.startswith(".")
    )
    return _check_files(files, result, Path(translations_dir) if translations_dir else None)


def load_dir(path: str | Path) -> dict[str, Survey]:
    """Every survey in the folder `path`, by id; DefinitionError if any file has a problem.

    Only the folder's own files are read (`surveys/<id>.yaml`); an empty folder
    gives an empty dict.
    """
    result = read_dir(path)
    if result.problems:
        raise DefinitionError(result.problems)
    return {survey.id: survey for survey in result.surveys}
