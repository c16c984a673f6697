"""What the Excel summary's Feedback sheet and its import agree on: the triage columns, the
status names in every interface language, and the stamp of an item's state at export.

The stamp is a digest of the item's status, note and revision, not a time: it tells whether
the item changed after the export without putting a clock time into the workbook (in an
anonymous round the time items were brought in could hint at when comments were written).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from babel.support import NullTranslations, Translations

from ..languages import INTERFACE_LANGUAGES
from ..models import FEEDBACK_STATUSES

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# Header keys of the columns the import reads (the export writes these English keys).
COMMENT_ID, STATUS, NOTE, REVISION = "comment id", "status", "note", "addressed in revision"
STAMP = "exported state (do not edit)"


def N_(message: str) -> str:
    """Marks a text for extraction (pybabel's default keywords); translated by `names`."""
    return message


STATUS_LABELS = {
    "new": N_("new"),
    "accepted": N_("accepted"),
    "partly_accepted": N_("partly accepted"),
    "rejected": N_("rejected"),
    "duplicate": N_("duplicate"),
    "done": N_("done"),
}
# The headers as the interface writes them (the triage form's labels), in any language.
HEADER_LABELS = {
    COMMENT_ID: N_("Comment id"),
    STATUS: N_("Status"),
    NOTE: N_("Note"),
    REVISION: N_("Addressed in revision"),
}


@functools.cache
def _catalogue(lang: str) -> NullTranslations:
    """The compiled catalogue of `lang` (English, the msgids, for any other language)."""
    if lang not in INTERFACE_LANGUAGES or lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang])


def translate(message: str, lang: str) -> str:
    """`message` in `lang` without a request: the workbook has its own language."""
    return _catalogue(lang).gettext(message)


def status_names(lang: str) -> dict[str, str]:
    """Status key → its name in `lang`, in the order of FEEDBACK_STATUSES."""
    return {key: translate(STATUS_LABELS[key], lang) for key in FEEDBACK_STATUSES}


def status_key(name: str, lang: str = "en") -> str | None:
    """The status a cell names: a key or a name in any interface language, `lang`'s first
    (case and surrounding space do not matter); None for anything else."""
    wanted = _fold(name)
    for key in FEEDBACK_STATUSES:
        if _fold(key) == wanted or _fold(key.replace("_", " ")) == wanted:
            return key
    for language in (lang, *INTERFACE_LANGUAGES):
        for key, label in status_names(language).items():
            if _fold(label) == wanted:
                return key
    return None


def header_key(cell: object) -> str | None:
    """Which triage column a header cell names: an English key, or the interface's label in
    any interface language; None for other columns."""
    if not isinstance(cell, str):
        return None
    wanted = _fold(cell.replace("_", " "))
    for key, label in HEADER_LABELS.items():
        names = {_fold(key)} | {_fold(translate(label, lang)) for lang in INTERFACE_LANGUAGES}
        if wanted in names:
            return key
    return STAMP if wanted == _fold(STAMP) else None


def stamp(status: str, note: str | None, revision: str | None) -> str:
    """A short digest of an item's triage state (equal states, equal stamps)."""
    state = [status, (note or "").strip(), (revision or "").strip()]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()
