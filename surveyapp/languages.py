"""The interface languages: those the interface text is translated into and the built-in
scales are labelled in. Plain Python, so that definitions/ can use it without Flask.

A language is an interface language when its catalogue is in translations/ (English is the
source and needs none): adding one is one command and one file (docs/translations.md).
"""

from __future__ import annotations

from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
SOURCE_LANGUAGE = "en"


def _catalogued() -> tuple[str, ...]:
    found = {p.parent.parent.name for p in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")}
    return (SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE}))


INTERFACE_LANGUAGES = _catalogued()
