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

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from surveyapp.definitions.schema import LangText, Option, Question, Scale, Section, Survey
from surveyapp.errors import Problem
from surveyapp.languages import INTERFACE_LANGUAGES

TRANSLATIONS_DIRNAME = "translations"
LOCK_SUFFIX = ".translations.lock"
SOURCE_NOTE = "source-sha256: "
TEXT_NOTE = "translation-sha256: "
TRANSLATED, STALE, MISSING = "translated", "stale", "missing"
COMPLETE, INCOMPLETE = "complete", "incomplete"
PO_WIDTH = 76


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

TextFn = Callable[[str, LangText, int], LangText]


def replace_texts(survey: Survey, fn: TextFn) -> Survey:
    """The survey with each translatable text replaced by `fn(path, text, line)`; walks
    the texts in file order (`survey_texts` uses it to list them)."""

    def options(prefix: str, items: tuple[Option, ...], line: int) -> tuple[Option, ...]:
        return tuple(
            replace(o, label=fn(f"{prefix}/{o.value}/label", o.label, line)) for o in items
        )

    def maybe(path: str, text: LangText | None, line: int) -> LangText | None:
        return None if text is None else fn(path, text, line)

    title = fn("title", survey.title, 1)
    description = maybe("description", survey.description, 1)
    scales = {
        name: Scale(name, options(f"scales/{name}/points", scale.points, 1))
        for name, scale in survey.scales.items()
    }
    sections: list[Section] = []
    for section in survey.sections:
        where = f"sections/{section.id}"
        s_title = fn(f"{where}/title", section.title, section.line)
        s_description = maybe(f"{where}/description", section.description, section.line)
        questions: list[Question] = []
        for q in section.questions:
            qp, line = f"{where}/questions/{q.id}", q.line
            questions.append(
                replace(
                    q,
                    text=fn(f"{qp}/text", q.text, line),
                    help=maybe(f"{qp}/help", q.help, line),
                    options=options(f"{qp}/options", q.options, line),
                    rows=options(f"{qp}/rows", q.rows, line),
                    min_label=maybe(f"{qp}/min_label", q.min_label, line),
                    max_label=maybe(f"{qp}/max_label", q.max_label, line),
                    scale=scales.get(q.scale.id, q.scale) if q.scale is not None else None,
                )
            )
        sections.append(
            replace(section, title=s_title, description=s_description, questions=tuple(questions))
        )
    about = replace(
        survey.about,
        organiser=maybe("about/organiser", survey.about.organiser, 1),
        privacy=maybe("about/privacy", survey.about.privacy, 1),
    )
    return replace(
        survey,
        title=title,
        description=description,
        scales=scales,
        sections=tuple(sections),
        about=about,
    )


@dataclass(frozen=True)
class Text:
    path: str
    texts: LangText
    line: int  # the line of the survey, section or question it belongs to


def survey_texts(survey: Survey) -> list[Text]:
    """Every translatable text of the survey, in file order."""
    found: list[Text] = []

    def collect(path: str, text: LangText, line: int) -> LangText:
        found.append(Text(path, text, line))
        return text

    replace_texts(survey, collect)
    return found


# --- reading catalogues and lock files ------------------------------------------------


def _notes(message: Message) -> dict[str, str]:
    notes: dict[str, str] = {}
    for comment in message.auto_comments:
        for name, prefix in (("source", SOURCE_NOTE), ("text", TEXT_NOTE)):
            if comment.startswith(prefix):
                notes[name] = comment[len(prefix) :].strip()
    return notes


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else str(message.id[0])


def _string(message: Message) -> str:
    return message.string if isinstance(message.string, str) else ""


def read_catalogue(path: Path, lang: str) -> Catalog:
    """The catalogue at `path`; PoFileError (or OSError) when it cannot be read."""
    with path.open("rb") as stream:
        return read_po(stream, locale=_locale(lang), abort_invalid=True)


def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return None


def _by_context(catalog: Catalog) -> dict[str, Message]:
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
                catalogue = _by_context(read_catalogue(po, lang))
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
    translation = _string(message)
    if not translation:
        return MISSING, "", line, "the catalogue entry has no translation"
    if message.fuzzy:
        return STALE, "", line, "the catalogue entry is marked fuzzy (needs review)"
    if _msgid(message) != source_text:
        return (
            STALE,
            "",
            line,
            "the source text changed; run `surveyapp translations update` and review it",
        )
    notes = _notes(message)
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


# --- writing catalogues and the lock file ---------------------------------------------


def update(
    survey: Survey, survey_file: Path, translations_dir: Path, now: dt.datetime | None = None
) -> list[Path]:
    """Write the lock file and each non-source language's catalogue; returns the files
    that changed. A catalogue that cannot be read raises PoFileError (nothing is lost)."""
    if len(survey.languages) < 2:
        return []
    texts = survey_texts(survey)
    changed: list[Path] = []
    lock_path = lock_file(survey_file)
    old_lock = read_lock(lock_path) if lock_path.is_file() else {}
    if _write_if_changed(lock_path, _lock_text(survey, texts, old_lock).encode("utf-8")):
        changed.append(lock_path)
    for lang in survey.languages[1:]:
        path = catalogue_file(translations_dir, survey.id, lang)
        old = read_catalogue(path, lang) if path.is_file() else None
        data = _catalogue_bytes(survey, texts, lang, old_lock, old, now)
        if old is not None and data == path.read_bytes():
            continue
        if old is not None:
            # Same entries as before but for the revision date: nothing to write.
            same = _catalogue_bytes(survey, texts, lang, old_lock, old, now, keep_date=True)
            if same == path.read_bytes():
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        changed.append(path)
    return changed


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def _lock_text(
    survey: Survey, texts: Iterable[Text], old: Mapping[str, Mapping[str, Mapping[str, str]]]
) -> str:
    source = survey.default_language
    entries: dict[str, object] = {}
    for text in texts:
        current = text_hash(text.texts[source])
        translations: dict[str, dict[str, str]] = {}
        for lang in survey.languages[1:]:
            inline = text.texts.get(lang)
            if inline is None:
                continue
            was = old.get(text.path, {}).get(lang, {})
            translated = text_hash(inline)
            # An unchanged translation still translates what it translated; a new or
            # edited one translates today's source.
            of = was.get("source", current) if was.get("text") == translated else current
            translations[lang] = {"source": of, "text": translated}
        entries[text.path] = {"source": current, "translations": translations}
    data = {
        "about": "Written by `surveyapp translations update`; see docs/translations.md.",
        "survey": survey.id,
        "source_language": source,
        "texts": entries,
    }
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _catalogue_bytes(
    survey: Survey,
    texts: list[Text],
    lang: str,
    lock: Mapping[str, Mapping[str, Mapping[str, str]]],
    old: Catalog | None,
    now: dt.datetime | None,
    keep_date: bool = False,
) -> bytes:
    source = survey.default_language
    now = now or dt.datetime.now(dt.UTC)
    catalog = Catalog(
        locale=_locale(lang),
        project="surveyapp",
        version=f"survey {survey.id}",
        creation_date=old.creation_date if old is not None else now,
        revision_date=old.revision_date if (old is not None and keep_date) else now,
        fuzzy=False,
        header_comment=(
            f"# The '{lang}' translation of the survey {survey.id} (surveys/{survey.id}.yaml).\n"
            f"# Updated by `surveyapp translations update {survey.id}`; see docs/translations.md."
        ),
    )
    if old is not None:
        catalog.last_translator = old.last_translator
        catalog.language_team = old.language_team
    if catalog.locale is None:
        catalog.mime_headers = [*catalog.mime_headers, ("Language", lang)]
    entries = _by_context(old) if old is not None else {}
    obsolete = {m.context: m for m in old.obsolete.values() if m.context} if old else {}
    paths = set()
    for text in texts:
        paths.add(text.path)
        message = _entry(
            text, lang, source, lock, entries.get(text.path) or obsolete.get(text.path)
        )
        catalog.add(
            message.id,
            message.string,
            auto_comments=message.auto_comments,
            flags=message.flags,
            previous_id=message.previous_id,
            context=message.context,
        )
    for path, message in {**obsolete, **entries}.items():
        if path not in paths:
            catalog.obsolete[(_msgid(message), path)] = message
    out = io.BytesIO()
    write_po(out, catalog, width=PO_WIDTH, include_previous=True, sort_output=False)
    return out.getvalue()


def _entry(
    text: Text,
    lang: str,
    source: str,
    lock: Mapping[str, Mapping[str, Mapping[str, str]]],
    old: Message | None,
) -> Message:
    source_text = text.texts[source]
    now_hash = text_hash(source_text)
    string, fuzzy, previous = "", False, ""
    of, translated_hash = now_hash, ""
    inline = text.texts.get(lang)
    locked = lock.get(text.path, {}).get(lang, {})
    if inline is not None and (
        old is None
        or not _string(old)
        or (locked.get("text") != text_hash(inline) and _string(old) != inline)
    ):
        # Seeded from the inline translation (the first time, or when it was edited in the
        # YAML since the last update), stale when the lock says so.
        string, translated_hash = inline, text_hash(inline)
        if locked.get("text") == translated_hash and locked.get("source", now_hash) != now_hash:
            of, fuzzy = locked["source"], True
    elif old is not None and _string(old):
        old_id = _msgid(old)
        string = _string(old)
        notes = _notes(old)
        of = notes.get("source", text_hash(old_id))
        translated_hash = notes.get("text", text_hash(string))
        fuzzy = old.fuzzy
        previous = old.previous_id[0] if old.previous_id else ""
        if old_id != source_text:
            fuzzy, previous = True, old_id
        elif not fuzzy:
            if of != now_hash and translated_hash == text_hash(string):
                fuzzy = True  # a dropped fuzzy flag: still stale, flag it again
            else:
                of, translated_hash = now_hash, text_hash(string)
    comments = [] if not string else [SOURCE_NOTE + of, TEXT_NOTE + translated_hash]
    return Message(
        source_text,
        string,
        auto_comments=comments,
        flags=("fuzzy",) if fuzzy else (),
        previous_id=previous if fuzzy and previous else (),
        context=text.path,
    )


# --- a round's frozen translations ----------------------------------------------------

FROZEN_KEY = "frozen"


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
