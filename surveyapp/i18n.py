"""Which language a page is shown in."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import flask_babel
from babel import Locale, UnknownLocaleError
from flask import current_app, g, request, session
from flask_babel import refresh

from .languages import INTERFACE_LANGUAGES

View = TypeVar("View", bound=Callable[..., Any])


def _(message: str, **variables: Any) -> str:
    """gettext with a type: the interface text in the current language."""
    return str(flask_babel.gettext(message, **variables))


def _l(message: str, **variables: Any) -> Any:
    """Lazy gettext, for text defined at import time (translated when shown)."""
    return flask_babel.lazy_gettext(message, **variables)


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """ngettext with a type."""
    return str(flask_babel.ngettext(singular, plural, num, **variables))


@functools.lru_cache(maxsize=256)  # language codes, a few hundred at most
def autonym(code: str) -> str | None:
    """The language's name in itself, from Babel's CLDR data ("suomi", "Ελληνικά"); None
    for a code Babel does not know."""
    try:
        return Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        return None


class _Autonyms(Mapping[str, str]):
    """Each language's own name, looked up as templates ask (language_names.get(code, code))."""

    def __getitem__(self, code: str) -> str:
        name = autonym(code) if isinstance(code, str) and code else None
        if name is None:
            raise KeyError(code)
        return name

    def __iter__(self) -> Iterator[str]:
        return iter(INTERFACE_LANGUAGES)

    def __len__(self) -> int:
        return len(INTERFACE_LANGUAGES)


LANGUAGE_NAMES: Mapping[str, str] = _Autonyms()


def choose_language(
    offered: Sequence[str],
    explicit: str | None = None,
    preferred: str | None = None,
) -> str:
    """Pick a language from `offered`: explicit choice, then the person's, then the browser's."""
    for candidate in (explicit, preferred):
        if candidate and candidate in offered:
            return candidate
    return _browser_language(offered) or offered[0]


def _browser_language(offered: Sequence[str]) -> str | None:
    """The browser's most wanted language on offer: "fi-FI, en;q=0.5" means fi, not en.

    Werkzeug's best_match prefers any exact tag over a region tag's language, whatever
    the weights, so it would answer en here.
    """
    if not request:
        return None
    codes = {code.lower(): code for code in offered}
    for tag, _quality in request.accept_languages:  # already ordered by quality
        tag = tag.lower()
        for candidate in (tag, tag.split("-", 1)[0]):
            if candidate in codes:
                return codes[candidate]
    return None


def select_locale() -> Locale:
    """flask-babel's locale selector: a page may set g.lang; otherwise the visitor's choice."""
    lang = getattr(g, "lang", None)
    if not lang:
        lang = choose_language(INTERFACE_LANGUAGES, explicit=session.get("lang"))
    return _locale(str(lang))


@functools.cache
def _locale(code: str) -> Locale:
    """A parsed Locale, kept: flask-babel parses the selector's answer again after every
    refresh(), and parsing looks for the locale's data file on disk (benchmarks/load)."""
    return Locale.parse(code)


def document_language(view: View) -> View:
    """Mark a view whose `?lang=` is the language of the file it hands out, not a choice of
    the interface's (remember_choice leaves the session alone)."""
    view.document_language = True  # type: ignore[attr-defined]
    return view


def remember_choice() -> None:
    """A `?lang=xx` on any page is the visitor's explicit choice; keep it in the session
    (not on a view marked `document_language`)."""
    if getattr(current_app.view_functions.get(request.endpoint or ""), "document_language", 0):
        return
    lang = request.args.get("lang")
    if lang and len(lang) <= 10 and lang.replace("-", "").isalnum():
        session["lang"] = lang


def use_language(lang: str) -> None:
    """Show the rest of this request in `lang` (interface text falls back to English)."""
    g.lang = lang if lang in INTERFACE_LANGUAGES else "en"
    g.page_lang = lang
    refresh()
