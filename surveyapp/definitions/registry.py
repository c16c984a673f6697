"""Parsed survey definitions, loaded once: the shipped surveys and round snapshots."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from surveyapp.caching import ByteBoundedCache
from surveyapp.definitions.loader import load_text, read_dir
from surveyapp.definitions.manual import Manual
from surveyapp.definitions.schema import Survey
from surveyapp.definitions.translations import SurveyTranslations
from surveyapp.errors import DefinitionError, UnknownSurvey

# A parsed definition takes about 4 times its YAML text (the shipped surveys, tracemalloc):
# 32 MB hold some 150 definitions of the size of manual-usability.
SNAPSHOT_CACHE_BYTES = 32 * 1024 * 1024
SNAPSHOT_BYTES_PER_CHARACTER = 5


class SurveyRegistry:
    """The surveys of one folder and its manual, read on first use and kept until `reload()`.

    Any problem in any file raises DefinitionError (from `get`, `all`, `text`),
    so a broken definition is never half-served.
    """

    def __init__(self, directory: str | Path, translations_dir: str | Path | None = None) -> None:
        self.directory = Path(directory)
        # The catalogues: by default `translations/` next to the surveys' folder.
        self.translations_dir = Path(translations_dir) if translations_dir else None
        self._lock = threading.Lock()
        self._surveys: dict[str, Survey] | None = None
        self._texts: dict[str, str] = {}
        self._translations: dict[str, SurveyTranslations] = {}
        self._manual = Manual()

    def _loaded(self) -> dict[str, Survey]:
        with self._lock:
            if self._surveys is None:
                result = read_dir(self.directory, self.translations_dir)
                if result.problems:
                    raise DefinitionError(result.problems)
                self._texts = dict(result.texts)
                self._translations = dict(result.translations)
                self._manual = result.manuals.get(self.directory.resolve(), Manual())
                self._surveys = {survey.id: survey for survey in result.surveys}
            return self._surveys

    def reload(self) -> None:
        """Forget what was read; the next use reads the folder again."""
        with self._lock:
            self._surveys = None
            self._texts = {}
            self._translations = {}
            self._manual = Manual()

    def get(self, survey_id: str) -> Survey:
        """The survey with this id; UnknownSurvey if there is none."""
        try:
            return self._loaded()[survey_id]
        except KeyError:
            raise UnknownSurvey(f"no survey '{survey_id}' in {self.directory}") from None

    def text(self, survey_id: str) -> str:
        """The YAML text of a survey, as a round freezes it when it opens."""
        self.get(survey_id)
        return self._texts[survey_id]

    def translations(self, survey_id: str) -> SurveyTranslations:
        """Each language's current, stale and missing translations of a survey."""
        self.get(survey_id)
        return self._translations[survey_id]

    def all(self) -> list[Survey]:
        """Every survey, sorted by id."""
        return sorted(self._loaded().values(), key=lambda survey: survey.id)

    @property
    def manual(self) -> Manual:
        """The folder's manual.yaml; an empty Manual (titles are the ids) when it has none,
        or when a file of the folder has problems (those pages that need it report them)."""
        try:
            self._loaded()
        except DefinitionError:
            return Manual()
        return self._manual

    def __contains__(self, survey_id: object) -> bool:
        return survey_id in self._loaded()


def definition_hash(text: str) -> str:
    """The sha256 (hex) of a definition's text: the key of a frozen snapshot."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_snapshots: ByteBoundedCache[str, Survey] = ByteBoundedCache(SNAPSHOT_CACHE_BYTES)


def load_snapshot(text: str) -> Survey:
    """The Survey of a round's frozen YAML text, parsed once per process (LRU by sha256,
    bounded in bytes).

    Raises DefinitionError when the text has problems; failures are not cached.
    """
    key = definition_hash(text)
    survey = cached_snapshot(key)
    if survey is not None:
        return survey
    survey = load_text(text, source=f"<snapshot {key[:12]}>")
    _snapshots.put(key, survey, SNAPSHOT_BYTES_PER_CHARACTER * len(text))
    return survey


def cached_snapshot(key: str) -> Survey | None:
    """The snapshot already parsed for this sha256, if any: pages skip reading the text."""
    return _snapshots.get(key)


def clear_snapshot_cache() -> None:
    """Forget every parsed snapshot (for tests)."""
    _snapshots.clear()
