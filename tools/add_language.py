"""Start the interface catalogue of a new language: `make add-language CODE=is`.

Writes surveyapp/translations/CODE/LC_MESSAGES/messages.po from messages.pot, with the plural
forms Babel's CLDR data gives the language and a header that marks the translation as
awaiting review by a native speaker. Translating that one file is then all there is to do:
the interface languages are the catalogues found in translations/ (surveyapp/languages.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "surveyapp" / "translations"
AWAITING_REVIEW = "Review status: awaiting review by a native speaker (docs/translations.md)."


def header_comment(locale: Locale, status: str = AWAITING_REVIEW) -> str:
    """The comment above a catalogue's header: which language, and who must still read it."""
    return (
        f"# {locale.english_name} ({locale.get_display_name(locale)}) interface texts "
        "for surveyapp.\n"
        f"# {status}\n"
        "# This file is distributed under the same license as the surveyapp project."
    )


def new_catalogue(code: str, translations: Path = TRANSLATIONS) -> Path:
    """Write the empty catalogue of `code` under `translations`; refuses an unknown code or
    an existing catalogue."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise SystemExit(
            f"{code!r} is not a language Babel knows (use a code like is, uk)"
        ) from None
    # One catalogue per language: the interface does not tell regions apart.
    if str(locale) != code or locale.territory or locale.script:
        raise SystemExit(f"use the plain language code {locale.language!r}, not {code!r}")
    target = translations / code / "LC_MESSAGES" / "messages.po"
    if target.exists():
        raise SystemExit(f"{target} already exists")
    with (translations / "messages.pot").open("rb") as f:
        template = read_po(f)
    catalog = Catalog(
        locale=locale,
        project="surveyapp",
        header_comment=header_comment(locale),
        language_team=f"{locale.english_name} (surveyapp translators)",
        last_translator="surveyapp translators",
        fuzzy=False,
    )
    catalog.update(template)
    target.parent.mkdir(parents=True)
    with target.open("wb") as f:
        write_po(f, catalog, width=76)
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: make add-language CODE=xx", file=sys.stderr)
        return 2
    target = new_catalogue(argv[0])
    print(f"wrote {target}; translate every entry (Poedit, Weblate or a text editor), then")
    print("run `make translations` and `make test`: the catalogue tests name what is missing.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
