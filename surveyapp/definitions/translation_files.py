"""Writing a survey's translation files: the lock file beside the survey and each
language's gettext catalogue (`surveyapp translations update`). Reading them, and what is
stale: surveyapp.definitions.translations."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import write_po

from surveyapp.definitions.schema import Survey
from surveyapp.definitions.text_paths import Text, survey_texts
from surveyapp.definitions.translations import (
    PO_WIDTH,
    SOURCE_NOTE,
    TEXT_NOTE,
    by_context,
    catalogue_file,
    locale_of,
    lock_file,
    message_id,
    message_notes,
    message_string,
    read_catalogue,
    read_lock,
    text_hash,
)


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
        locale=locale_of(lang),
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
    entries = by_context(old) if old is not None else {}
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
            catalog.obsolete[(message_id(message), path)] = message
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
        or not message_string(old)
        or (locked.get("text") != text_hash(inline) and message_string(old) != inline)
    ):
        # Seeded from the inline translation (the first time, or when it was edited in the
        # YAML since the last update), stale when the lock says so.
        string, translated_hash = inline, text_hash(inline)
        if locked.get("text") == translated_hash and locked.get("source", now_hash) != now_hash:
            of, fuzzy = locked["source"], True
    elif old is not None and message_string(old):
        old_id = message_id(old)
        string = message_string(old)
        notes = message_notes(old)
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
