"""The interface catalogues: one per official EU language, each complete, compiling, with the
plural forms Babel's CLDR data gives the language, and in step with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from surveyapp.languages import INTERFACE_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "surveyapp" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = INTERFACE_LANGUAGES  # English is the source: its catalogue may stay empty
TRANSLATED = INTERFACE_LANGUAGES[1:]
# The 24 official languages of the EU, one string so the list stays on two lines.
EU_LANGUAGES = tuple(
    "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()  # noqa: SIM905
)

# The options of `make extract-messages` (Makefile); keep the two in step.
EXTRACT_OPTIONS = [
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "-k",
    "NP_:1c,2",
    "--project",
    "surveyapp",
    "--ignore-dirs",
    ".* __pycache__ node_modules",
]
HOW_TO_FIX = (
    "run `make extract-messages`, then translate every new or changed entry in each "
    "surveyapp/translations/<lang>/LC_MESSAGES/messages.po (no entry may stay empty or fuzzy; "
    "docs/translations.md)"
)

# A printf-style conversion as Python's % operator reads it: %(name)s, %d, %%, ...
CONVERSION = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]"
)

Key = tuple[str | tuple[str, ...], str | None]


def _read(path: Path, locale: str | None = None) -> Catalog:
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: {HOW_TO_FIX}"
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _catalogue(lang: str) -> Catalog:
    return _read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", locale=lang)


def _keys(catalog: Catalog) -> set[Key]:
    return {(m.id, m.context) for m in catalog if m.id}


def _show(keys: set[Key], title: str = "") -> str:
    """The msgids of `keys`, one a line, under `title` (nothing at all when empty)."""
    if not keys:
        return ""
    head = f"\n{title}" if title else ""
    return head + "".join(f"\n  {msgid!r}" for msgid, _ in sorted(keys, key=repr))


def placeholders(text: str) -> list[str]:
    """Every % conversion in `text`, sorted; a % that starts no valid conversion counts too.

    Jinja's new-style gettext applies % to every translated string, even without
    variables, so a stray % in a translation breaks a template.
    """
    found = [m.group(0) for m in CONVERSION.finditer(text)]
    stray = CONVERSION.sub("", text).count("%")
    return sorted(found + ["<stray %>"] * stray)


def _forms(message: Message) -> list[tuple[str, str]]:
    """(English source, translation) pairs: msgstr[0] answers msgid, the rest msgid_plural."""
    if isinstance(message.id, tuple):
        singular, plural = message.id[0], message.id[1]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(singular if i == 0 else plural, s or "") for i, s in enumerate(strings)]
    return [(message.id, message.string if isinstance(message.string, str) else "")]


def test_the_template_only_refers_to_the_application() -> None:
    outside = {
        filename
        for m in _read(POT)
        for filename, _ in m.locations
        if not filename.startswith("surveyapp/")
    }
    assert not outside, f"messages.pot was extracted from outside surveyapp/: {sorted(outside)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalogue_has_exactly_the_template_messages(lang: str) -> None:
    expected, actual = _keys(_read(POT)), _keys(_catalogue(lang))
    missing, extra = expected - actual, actual - expected
    assert not missing and not extra, (
        f"{lang}/LC_MESSAGES/messages.po is not updated from messages.pot: {HOW_TO_FIX}."
        + _show(missing, "Missing:")
        + _show(extra, "No longer in the code:")
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_entry_is_fuzzy(lang: str) -> None:
    catalog = _catalogue(lang)
    assert not catalog.fuzzy, f"the header of {lang}/messages.po is fuzzy; pybabel skips it"
    fuzzy = {(m.id, m.context) for m in catalog if m.id and m.fuzzy}
    assert not fuzzy, f"fuzzy entries in {lang}/messages.po (check, then drop #, fuzzy):" + _show(
        fuzzy
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang: str) -> None:
    catalog = _catalogue(lang)
    pot_keys = _keys(_read(POT))
    untranslated = set()
    for m in catalog:
        if (m.id, m.context) not in pot_keys:
            continue
        forms = [translation for _, translation in _forms(m)]
        expected = catalog.num_plurals if isinstance(m.id, tuple) else 1
        if len(forms) != expected or not all(f.strip() for f in forms):
            untranslated.add((m.id, m.context))
    assert not untranslated, f"untranslated in {lang}/messages.po: {HOW_TO_FIX}" + _show(
        untranslated
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    catalog = _catalogue(lang)
    wrong = []
    for m in catalog:
        if not m.id:
            continue
        for source, translation in _forms(m):
            if translation and placeholders(translation) != placeholders(source):
                wrong.append(
                    f"\n  {source!r} → {translation!r}: expected {placeholders(source)}, "
                    f"found {placeholders(translation)}"
                )
    problems = [f"\n  {m.id!r}: {'; '.join(map(str, errs))}" for m, errs in catalog.check()]
    assert not wrong and not problems, (
        f"{lang}/messages.po: placeholders must be exactly those of the English text"
        + "".join(wrong)
        + "".join(problems)
    )


def test_every_official_eu_language_has_a_catalogue() -> None:
    missing = sorted(set(EU_LANGUAGES) - set(LANGUAGES))
    assert not missing, f"no interface catalogue for {missing}: `make add-language CODE=xx`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_are_those_of_the_cldr(lang: str) -> None:
    catalog = _catalogue(lang)
    expected = get_plural(lang)
    assert (catalog.num_plurals, catalog.plural_expr) == (
        expected.num_plurals,
        expected.plural_expr,
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_catalogue_compiles(lang: str, tmp_path: Path) -> None:
    catalog = _catalogue(lang)
    with (tmp_path / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    assert (tmp_path / "messages.mo").stat().st_size > 10_000


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_header_says_who_must_still_review_it(lang: str) -> None:
    """Translations written by the team say so until a native speaker has read them."""
    header = (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").read_text("utf-8")[:600]
    assert re.search(
        r"^# Review status: (awaiting review by a native speaker|reviewed by .+)", header, re.M
    ), (
        f"{lang}/messages.po: its header comment needs a 'Review status:' line "
        "(docs/translations.md)"
    )


def test_the_template_is_not_stale(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    pybabel = [sys.executable, "-m", "babel.messages.frontend", "-q"]
    result = subprocess.run(
        [*pybabel, "extract", *EXTRACT_OPTIONS, "-o", str(fresh), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stdout}{result.stderr}"
    committed, current = _keys(_read(POT)), _keys(_read(fresh))
    new, gone = current - committed, committed - current
    assert not new and not gone, (
        f"surveyapp/translations/messages.pot is out of date with the code: {HOW_TO_FIX}."
        + _show(new, "New in the code:")
        + _show(gone, "No longer in the code:")
    )
