"""Language codes from what people write: "fi", "fi-FI", "Suomi", "svenska", "eng"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from babel import localedata

# Names and ISO 639-2 codes people write instead of the two-letter code, in English, the
# language itself, Finnish and Swedish (the partnership's working languages).
_NAMES_BY_CODE = {
    "en": "english englanti engelska eng",
    "fi": "finnish suomi finska fin",
    "sv": "swedish svenska ruotsi swe",
    "de": "german deutsch saksa tyska deu ger",
    "fr": "french français ranska franska fra fre",
    "nl": "dutch nederlands hollanti nederländska nld dut",
    "it": "italian italiano italia italienska ita",
    "es": "spanish español espanja spanska spa",
    "pl": "polish polski puola polska pol",
    "pt": "portuguese português portugali portugisiska por",
}
_LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {name: code for code, names in _NAMES_BY_CODE.items() for name in names.split()}
)

# Country codes that are also (other) languages' codes: "SE" in a Swedish file means Swedish,
# not Northern Sami, so it is reported rather than stored as the wrong language.
_COUNTRY_CODE_MIXUPS: Mapping[str, str] = MappingProxyType({"se": "sv", "ee": "et", "si": "sl"})

_LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*")


def _fold(text: str) -> str:
    """Casefold without accents, so "Français" and "francais" match."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LANGUAGE_LOOKUP = {_fold(name): code for name, code in _LANGUAGE_NAMES.items()}


def known_languages() -> Mapping[str, str]:
    """Language names and three-letter codes accepted in a file, mapped to the stored code."""
    return _LANGUAGE_NAMES


def normalise_language(value: str) -> str | None:
    """The language code for a code, tag ("fi-FI") or name ("Suomi"); None when unknown."""
    key = _fold(value)
    if key in _COUNTRY_CODE_MIXUPS:
        return None
    if key in _LANGUAGE_LOOKUP:
        return _LANGUAGE_LOOKUP[key]
    match = _LANGUAGE_TAG.fullmatch(key)
    if match is None:
        return None
    code = _LANGUAGE_LOOKUP.get(match.group(1), match.group(1))
    return code if localedata.exists(code) else None


def country_code_mixup(value: str) -> str | None:
    """The language code meant when a country code that is another language's was written."""
    return _COUNTRY_CODE_MIXUPS.get(_fold(value))
