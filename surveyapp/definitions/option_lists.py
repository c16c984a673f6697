"""Option lists a survey file can name instead of writing them out (`options_from`), and the
locale-aware alphabetical order of options (`sort: alphabetical`).

Country names come from Babel's CLDR data in every survey language, so a list of countries
is never translated by hand. The order is by the label in the respondent's language,
case-insensitive, accents after their base letter, and Å, Ä, Ö after Z in Finnish and
Swedish (Ü as Y): Babel has no collation, and PyICU is not a dependency.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from babel import Locale, UnknownLocaleError

from surveyapp.definitions.schema import Option, localize

# The 27 member states of the European Union (Greece is GR in ISO 3166, EL in EU use).
EU27 = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)  # fmt: skip
OPTION_LISTS = ("countries",)
SORTS = ("alphabetical",)
# Letters that come after z in a language's alphabet, in that order.
_AFTER_Z = {"fi": "åäö", "sv": "åäö", "da": "æøå", "nb": "æøå", "et": "šžõäöü"}
# Letters sorted as another letter in a language (Finnish and Swedish: ü as y).
_AS = {"fi": {"ü": "y", "w": "v"}, "sv": {"ü": "y"}}


def country_options(languages: Sequence[str]) -> tuple[Option, ...]:
    """The EU-27 countries as options: value the lower-case ISO code, label per language."""
    locales = {lang: _locale(lang) for lang in languages}
    return tuple(
        Option(
            code.lower(),
            {
                lang: (loc.territories.get(code, code) if loc else code)
                for lang, loc in locales.items()
            },
        )
        for code in EU27
    )


def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def sort_key(text: str, lang: str) -> tuple[tuple[int, str], ...]:
    """A key that orders `text` alphabetically for readers of `lang`."""
    base = lang.split("-")[0].lower()
    after_z = _AFTER_Z.get(base, "")
    same = _AS.get(base, {})
    key: list[tuple[int, str]] = []
    for char in text.casefold():
        char = same.get(char, char)
        if char in after_z:
            key.append((1, str(after_z.index(char))))
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        key.append((0, plain or char))
    return tuple(key)


def sorted_options(options: Sequence[Option], lang: str) -> tuple[Option, ...]:
    """`options` in alphabetical order of their labels in `lang`."""
    return tuple(sorted(options, key=lambda o: sort_key(localize(o.label, lang), lang)))
