"""Survey translations that never go stale.

A survey's YAML is written in its source language, the first of `languages:`. Each other
language's text of a title, question, option… comes from

1. an inline translation in the YAML (`text: {en: …, fi: …}`), current unless the lock
   file beside the survey (`surveys/<id>.translations.lock`) says it translated an older
   source text and it has not changed since; or
2. the gettext catalogue `translations/<id>/<lang>.po`: the entry whose msgctxt is the
   text's path (e.g. `sections/why/questions/why_clarity/text`), current when it has a
   msgstr, is not fuzzy, its msgid is today's source text, and its `#. source-sha256`
   note matches the source (or its msgstr changed since the note was written).

A current catalogue entry wins over an inline translation (translators work in the
catalogues; `translations update` copies an inline translation edited in the YAML into
the catalogue), then a current inline translation.

Anything else is stale or missing: `surveyapp check` reports it, a round refuses to open
with it (unless the language is allowed to be incomplete), and pages show the source text
instead. Catalogues are read and written with Babel's pofile, never parsed by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

from surveyapp.definitions.schema import LangText, Survey
from surveyapp.definitions.text_paths import Text, replace_texts, survey_texts
from surveyapp.errors import Problem
from surveyapp.languages import INTERFACE_LANGUAGES

TRANSLATIONS_DIRNAME = "translations"
LOCK_SUFFIX = ".translations.lock"
SOURCE_NOTE = "source-sha256: "
TEXT_NOTE = "translation-sha256: "
TRANSLATED, STALE, MISSING = "translated", "stale", "missing"
COMPLETE, INCOMPLETE = "complete", "incomplete"
PO_WIDTH = 76
FROZEN_KEY = "frozen"  # the frozen definition's key after the YAML (freeze)


def text_hash(text: str) -> str:
    """The first 16 hex digits of the text's sha256: what a translation translated."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def default_translations_dir(survey_folder: Path) -> Path:
    """`translations/` next to the surveys' folder."""
    return survey_folder.resolve().parent / TRANSLATIONS_DIRNAME


def catalogue_file(translations_dir: Path, survey_id: str, lang: str) -> Path:
    return translations_dir / survey_id / f"{lang}.po"


def lock_file(survey_file: Path) -> Path:
    return survey_file.with_name(survey_file.stem + LOCK_SUFFIX)


# --- the texts of a survey, by path ---------------------------------------------------

# --- reading catalogues and lock files ------------------------------------------------


def message_notes(message: Message) -> dict[str, str]:
    notes: dict[str, str] = {}
    for comment in message.auto_comments:
        for name, prefix in (("source", SOURCE_NOTE), ("text", TEXT_NOTE)):
            if comment.startswith(prefix):
                notes[name] = comment[len(prefix) :].strip()
    return notes


def message_id(message: Message) -> str:
    return message.id if isinstance(message.id, str) else str(message.id[0])


def message_string(message: Message) -> str:
    return message.string if isinstance(message.string, str) else ""


def read_catalogue(path: Path, lang: str) -> Catalog:
    """The catalogue at `path`; PoFileError (or OSError) when it cannot be read."""
    with path.open("rb") as stream:
        return read_po(stream, locale=locale_of(lang), abort_invalid=True)


def locale_of(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return None


def by_context(catalog: Catalog) -> dict[str, Message]:
    return {m.context: m for m in catalog if m.id and m.context}


def read_lock(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    """path → {lang: {"source": hash it translated, "text": hash of the translation}}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    texts = data.get("texts", {}) if isinstance(data, dict) else {}
    return {
        key: dict(value.get("translations", {}))
        for key, value in texts.items()
        if isinstance(value, dict)
    }


# --- the state of each translation ----------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A stale or missing translation: where to fix it and why."""

    survey_id: str
    lang: str
    path: str
    state: str  # STALE or MISSING
    file: str
    line: int
    reason: str

    def problem(self) -> Problem:
        return Problem(
            self.file,
            self.line,
            f"survey '{self.survey_id}', {self.path}: the '{self.lang}' translation "
            f"is {self.state}: {self.reason}",
        )


@dataclass
class LanguageStatus:
    lang: str
    translated: int = 0
    stale: int = 0
    missing: int = 0
    current: dict[str, str] = field(default_factory=dict)  # path → the translation shown

    @property
    def complete(self) -> bool:
        return not (self.stale or self.missing)


@dataclass
class SurveyTranslations:
    """What `evaluate` found for one survey."""

    survey_id: str
    source_language: str
    languages: dict[str, LanguageStatus] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # unreadable catalogue or lock
    warnings: list[Problem] = field(default_factory=list)

    @property
    def incomplete(self) -> list[str]:
        return [lang for lang, status in self.languages.items() if not status.complete]

    def states(self) -> dict[str, str]:
        states = {self.source_language: COMPLETE}
        for lang, status in self.languages.items():
            states[lang] = COMPLETE if status.complete else INCOMPLETE
        return states

    def frozen(self) -> dict[str, object]:
        """What a round freezes with its definition: each language's state and its
        current translations (a stale or missing one falls back to the source)."""
        return {
            "languages": self.states(),
            "translations": {lang: dict(s.current) for lang, s in self.languages.items()},
        }


def evaluate(
    survey: Survey, survey_file: Path | None, translations_dir: Path | None
) -> SurveyTranslations:
    """Which translation of each text is current, stale or missing, by language."""
    source = survey.default_language
    result = SurveyTranslations(survey.id, source)
    shown_file = str(survey_file) if survey_file else survey.source
    for lang in survey.languages:
        if lang not in INTERFACE_LANGUAGES:
            result.warnings.append(
                Problem(
                    shown_file,
                    1,
                    f"survey '{survey.id}' is offered in '{lang}', which has no interface "
                    f"translation (the interface is in {', '.join(INTERFACE_LANGUAGES)}): "
                    "its buttons and messages show in English",
                )
            )
    if len(survey.languages) < 2:
        return result
    texts = survey_texts(survey)
    lock: dict[str, dict[str, dict[str, str]]] = {}
    if survey_file is not None:
        path = lock_file(survey_file)
        if path.is_file():
            try:
                lock = read_lock(path)
            except (OSError, ValueError, AttributeError) as error:
                result.problems.append(
                    Problem(str(path), 1, f"the lock file cannot be read: {error}")
                )
        elif any(lang in t.texts for t in texts for lang in survey.languages[1:]):
            result.warnings.append(
                Problem(
                    shown_file,
                    1,
                    f"survey '{survey.id}' has inline translations but no lock file "
                    f"{path.name}, so a changed source text cannot make them stale: "
                    f"run `surveyapp translations update {survey.id}`",
                )
            )
    for lang in survey.languages[1:]:
        status = result.languages[lang] = LanguageStatus(lang)
        catalogue: dict[str, Message] = {}
        po = catalogue_file(translations_dir, survey.id, lang) if translations_dir else None
        if po is not None and po.is_file():
            try:
                catalogue = by_context(read_catalogue(po, lang))
            except (OSError, PoFileError) as error:
                result.problems.append(
                    Problem(str(po), getattr(error, "lineno", 1) or 1, f"cannot be read: {error}")
                )
        for text in texts:
            state, where, line, reason = _state(text, lang, source, lock, catalogue)
            if state == TRANSLATED:
                status.translated += 1
                status.current[text.path] = where
                continue
            if state == STALE:
                status.stale += 1
            else:
                status.missing += 1
            in_catalogue = line > 0 and po is not None
            result.issues.append(
                Issue(
                    survey.id,
                    lang,
                    text.path,
                    state,
                    str(po) if in_catalogue else shown_file,
                    line if in_catalogue else text.line,
                    reason,
                )
            )
    return result


def _state(
    text: Text,
    lang: str,
    source: str,
    lock: Mapping[str, Mapping[str, Mapping[str, str]]],
    catalogue: Mapping[str, Message],
) -> tuple[str, str, int, str]:
    """(state, the translation when current, catalogue line or 0, why not current).

    A current catalogue entry wins, then a current inline translation; when neither is
    current, a stale inline translation is reported (at its line of the YAML), else the
    catalogue entry's problem."""
    found = _catalogue_state(text.texts[source], catalogue.get(text.path))
    if found[0] == TRANSLATED:
        return found
    inline = _inline_state(text, lang, source, lock)
    return inline if inline is not None else found


def _inline_state(
    text: Text, lang: str, source: str, lock: Mapping[str, Mapping[str, Mapping[str, str]]]
) -> tuple[str, str, int, str] | None:
    inline = text.texts.get(lang)
    if inline is None:
        return None
    locked = lock.get(text.path, {}).get(lang)
    if (
        locked
        and locked.get("source") != text_hash(text.texts[source])
        and locked.get("text") == text_hash(inline)
    ):
        return STALE, "", 0, "the source text changed since it was translated (inline; lock file)"
    return TRANSLATED, inline, 0, ""


def _catalogue_state(source_text: str, message: Message | None) -> tuple[str, str, int, str]:
    if message is None:
        return MISSING, "", 0, "no translation inline or in the catalogue"
    line = message.lineno or 1
    translation = message_string(message)
    if not translation:
        return MISSING, "", line, "the catalogue entry has no translation"
    if message.fuzzy:
        return STALE, "", line, "the catalogue entry is marked fuzzy (needs review)"
    if message_id(message) != source_text:
        return (
            STALE,
            "",
            line,
            "the source text changed; run `surveyapp translations update` and review it",
        )
    notes = message_notes(message)
    if notes.get("source", text_hash(source_text)) != text_hash(source_text) and notes.get(
        "text"
    ) == text_hash(translation):
        return (
            STALE,
            "",
            line,
            "the source text changed and the translation did not (was a fuzzy flag dropped?)",
        )
    return TRANSLATED, translation, line, ""


def freeze(yaml_text: str, translations: SurveyTranslations) -> str:
    """The definition text a round stores: the YAML file's text, then a `frozen:` key
    with each language's state and its current translations (JSON, which YAML reads)."""
    block = json.dumps(translations.frozen(), ensure_ascii=False, sort_keys=True)
    return (
        yaml_text.rstrip("\n")
        + "\n# Frozen by `surveyapp round open`: each language's state and its current"
        + " translations.\n"
        + f"{FROZEN_KEY}: {block}\n"
    )


def apply_frozen(survey: Survey, frozen: object) -> Survey:
    """The survey as a round froze it: the source texts with the frozen translations
    (and no others), and each language's state."""
    if not isinstance(frozen, dict):
        return survey
    source = survey.default_language
    languages = frozen.get("languages") or {}
    stored = frozen.get("translations") or {}

    def texts(path: str, text: LangText, line: int) -> LangText:
        result = {source: text[source]}
        for lang in survey.languages[1:]:
            found = stored.get(lang, {}).get(path) if isinstance(stored, dict) else None
            if isinstance(found, str):
                result[lang] = found
        return result

    states = {str(k): str(v) for k, v in languages.items()} if isinstance(languages, dict) else {}
    return replace(replace_texts(survey, texts), language_states=states)


def current_survey(survey: Survey, translations: SurveyTranslations) -> Survey:
    """The survey with only its current translations: a stale or missing one shows the
    source text (a preview of what a round would freeze)."""
    frozen = translations.frozen()
    frozen["languages"] = {}
    return apply_frozen(survey, frozen)
