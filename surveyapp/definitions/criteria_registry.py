"""The criteria sets of a folder (CRITERIA_DIR, criteria/ next to the surveys): checking
them for `surveyapp check` and serving them, loaded once, to the app."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from surveyapp.definitions.criteria import CriteriaSet
from surveyapp.definitions.criteria_file import read_criteria_file
from surveyapp.definitions.manual import Manual
from surveyapp.errors import DefinitionError, NotFound, Problem

CRITERIA_DIRNAME = "criteria"
SUFFIXES = (".yaml", ".yml")


def default_criteria_dir(survey_folder: str | Path) -> Path:
    """Where the criteria sets are when CRITERIA_DIR is not set: `criteria/` next to
    the surveys' folder."""
    return Path(survey_folder).resolve().parent / CRITERIA_DIRNAME


class UnknownCriteriaSet(NotFound):
    """No criteria set has the id asked for."""

    def __init__(self, set_id: str, folder: Path, known: Iterable[str]) -> None:
        names = ", ".join(sorted(known)) or "none"
        super().__init__(f"no criteria set '{set_id}' in {folder} (the sets there: {names})")
        self.set_id = set_id


@dataclass
class CriteriaCheck:
    """What checking criteria files found."""

    sets: list[CriteriaSet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    # The file each set was read from, by id.
    paths: dict[str, Path] = field(default_factory=dict)


def criteria_files(folder: Path) -> list[Path]:
    """The criteria files directly in `folder` (sorted; hidden files left out)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def _files_in(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(criteria_files(path))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, "no such criteria file or folder"))
    return list(dict.fromkeys(files))


def check_criteria_paths(
    paths: Iterable[str | Path], manual: Manual | None = None
) -> CriteriaCheck:
    """Check criteria files and folders (their own *.yaml and *.yml files, not subfolders).

    Never raises for a bad file: every problem is in the result. Chapters and topics are
    checked against `manual` when it has revisions."""
    result = CriteriaCheck()
    for path in _files_in(paths, result.problems):
        result.files += 1
        criteria, problems = read_criteria_file(path, manual)
        result.problems.extend(problems)
        if criteria is None:
            continue
        if criteria.id in result.paths:  # x.yaml and x.yml
            other = result.paths[criteria.id]
            result.problems.append(
                Problem(str(path), 1, f"criteria set id '{criteria.id}' is also used by {other}")
            )
            continue
        result.paths[criteria.id] = path
        result.sets.append(criteria)
    return result


class CriteriaRegistry:
    """The criteria sets of one folder, read on first use and kept until `reload()`.

    A folder that does not exist holds no sets. Any problem in any file raises
    DefinitionError (from `all` and `get`), so a broken set is never half-served."""

    def __init__(self, folder: str | Path, manual: Manual | None = None) -> None:
        self.folder = Path(folder)
        self.manual = manual
        self._lock = threading.Lock()
        self._sets: dict[str, CriteriaSet] | None = None

    def _loaded(self) -> dict[str, CriteriaSet]:
        with self._lock:
            if self._sets is None:
                if not self.folder.is_dir():
                    self._sets = {}
                    return self._sets
                result = check_criteria_paths([self.folder], self.manual)
                if result.problems:
                    raise DefinitionError(result.problems)
                self._sets = {s.id: s for s in sorted(result.sets, key=lambda s: s.id)}
            return self._sets

    def reload(self) -> None:
        """Forget what was read; the next use reads the folder again."""
        with self._lock:
            self._sets = None

    def all(self) -> tuple[CriteriaSet, ...]:
        """Every set, by id."""
        return tuple(self._loaded().values())

    def get(self, set_id: str) -> CriteriaSet:
        """The set with this id; UnknownCriteriaSet if there is none."""
        sets = self._loaded()
        if set_id not in sets:
            raise UnknownCriteriaSet(set_id, self.folder, sets)
        return sets[set_id]

    def __contains__(self, set_id: object) -> bool:
        return set_id in self._loaded()
