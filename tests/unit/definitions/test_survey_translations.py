"""Survey translations that never go stale: catalogues, the lock file and `check`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import polib
import pytest

from surveyapp.definitions import check_paths, load_file
from surveyapp.definitions.text_paths import survey_texts
from surveyapp.definitions.translation_files import update
from surveyapp.definitions.translations import STALE, lock_file

CLARITY = "sections/why/questions/why_clarity/text"

# Only the source language in the YAML: the Finnish texts are in the catalogue.
CATALOGUED = """\
id: demo
title: Demo
languages: [en, fi]
sections:
  - id: why
    title: Why
    questions:
      - id: why_clarity
        type: single
        text: How clear is the chapter?
        options:
          - {value: 1, label: Clear}
          - {value: 2, label: Unclear}
      - id: why_gone
        type: text
        text: A question that will be removed
"""
FINNISH = {
    "Demo": "Demo",
    "Why": "Miksi",
    "How clear is the chapter?": "Kuinka selkeä luku on?",
    "Clear": "Selkeä",
    "Unclear": "Epäselvä",
    "A question that will be removed": "Kysymys, joka poistetaan",
}

# Finnish written inline, as small surveys do.
INLINE = """\
id: demo
title: {en: Demo, fi: Demo}
languages: [en, fi]
sections:
  - id: why
    title: {en: Why, fi: Miksi}
    questions:
      - id: why_clarity
        type: text
        text: {en: How clear is the chapter?, fi: Kuinka selkeä luku on?}
"""


def _world(tmp_path: Path, text: str) -> tuple[Path, Path]:
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    survey_file = surveys / "demo.yaml"
    survey_file.write_text(text, encoding="utf-8")
    return survey_file, tmp_path / "translations"


def _update(survey_file: Path, catalogues: Path) -> list[Path]:
    return update(load_file(survey_file), survey_file, catalogues)


def _problems(survey_file: Path, catalogues: Path) -> list[str]:
    report = check_paths([survey_file.parent], catalogues)
    assert report.problems == []
    return [str(p) for p in report.translation_problems]


def _translate_all(po_file: Path) -> None:
    """A translator fills every entry in a translation tool (polib, as Poedit would)."""
    po = polib.pofile(str(po_file))
    for entry in po:
        entry.msgstr = FINNISH.get(entry.msgid, entry.msgid + " (fi)")
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save()


def _change_source(survey_file: Path, old: str, new: str) -> None:
    text = survey_file.read_text(encoding="utf-8")
    assert old in text
    survey_file.write_text(text.replace(old, new), encoding="utf-8")


def test_update_writes_a_catalogue_translation_tools_open(tmp_path: Path) -> None:
    survey_file, catalogues = _world(tmp_path, CATALOGUED)
    written = _update(survey_file, catalogues)
    po_file = catalogues / "demo" / "fi.po"
    assert po_file in written and lock_file(survey_file) in written
    po = polib.pofile(str(po_file))
    assert po.metadata["Language"] == "fi"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "charset=utf-8" in po.metadata["Content-Type"]
    contexts = [e.msgctxt for e in po]
    assert contexts == [t.path for t in survey_texts(load_file(survey_file))]
    assert CLARITY in contexts and "sections/why/questions/why_clarity/options/2/label" in contexts
    assert all(e.msgstr == "" for e in po)
    # Nothing translated yet: every text is missing, named with its catalogue line.
    problems = _problems(survey_file, catalogues)
    assert len(problems) == len(contexts)
    line = next(e.linenum for e in po if e.msgctxt == CLARITY)
    assert any(p.startswith(f"{po_file}:") and CLARITY in p and "missing" in p for p in problems)
    assert any(f"{po_file}:{line}:" in p or f"{po_file}:{line + 1}:" in p for p in problems)


def test_a_catalogue_edited_by_polib_is_read_back(tmp_path: Path) -> None:
    survey_file, catalogues = _world(tmp_path, CATALOGUED)
    _update(survey_file, catalogues)
    _translate_all(catalogues / "demo" / "fi.po")
    assert _problems(survey_file, catalogues) == []
    report = check_paths([survey_file.parent], catalogues)
    (survey,) = report.surveys
    assert survey.question("why_clarity").text == {
        "en": "How clear is the chapter?",
        "fi": "Kuinka selkeä luku on?",
    }
    assert report.translations["demo"].languages["fi"].translated == 6
    # An update keeps what the translator did (it records the hashes of the new
    # translations); the next one has nothing to write.
    _update(survey_file, catalogues)
    assert _problems(survey_file, catalogues) == []
    assert _update(survey_file, catalogues) == []
    entry = next(
        e for e in polib.pofile(str(catalogues / "demo" / "fi.po")) if e.msgctxt == CLARITY
    )
    assert entry.msgstr == "Kuinka selkeä luku on?"


def test_a_changed_source_makes_the_catalogue_translation_stale_until_reviewed(
    tmp_path: Path,
) -> None:
    survey_file, catalogues = _world(tmp_path, CATALOGUED)
    po_file = catalogues / "demo" / "fi.po"
    _update(survey_file, catalogues)
    _translate_all(po_file)
    _change_source(survey_file, "How clear is the chapter?", "How clear was the chapter?")

    # check names the survey, the path, the language and the catalogue's line.
    (problem,) = _problems(survey_file, catalogues)
    line = next(e.linenum for e in polib.pofile(str(po_file)) if e.msgctxt == CLARITY)
    assert problem.startswith(f"{po_file}:")
    assert int(problem.split(":")[1]) in (line, line + 1)
    assert "survey 'demo'" in problem and CLARITY in problem and "'fi'" in problem
    assert STALE in problem
    # Stale is not shown as current: the page falls back to the English text.
    (survey,) = check_paths([survey_file.parent], catalogues).surveys
    assert "fi" not in survey.question("why_clarity").text

    # update keeps the old translation, fuzzy, with the previous msgid.
    _update(survey_file, catalogues)
    entry = next(e for e in polib.pofile(str(po_file)) if e.msgctxt == CLARITY)
    assert entry.msgid == "How clear was the chapter?"
    assert entry.msgstr == "Kuinka selkeä luku on?"
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == "How clear is the chapter?"
    assert any(c.startswith("source-sha256: ") for c in entry.comment.splitlines())
    assert '#| msgid "How clear is the chapter?"' in po_file.read_text(encoding="utf-8")
    assert len(_problems(survey_file, catalogues)) == 1

    # A tool that drops the fuzzy flag without a new translation does not make it current.
    po = polib.pofile(str(po_file))
    dropped = next(e for e in po if e.msgctxt == CLARITY)
    dropped.flags.remove("fuzzy")
    po.save()
    (problem,) = _problems(survey_file, catalogues)
    assert "fuzzy flag dropped" in problem

    # The translator's review: a new text and no flag.
    po = polib.pofile(str(po_file))
    reviewed = next(e for e in po if e.msgctxt == CLARITY)
    reviewed.msgstr = "Kuinka selkeä luku oli?"
    reviewed.previous_msgid = None
    po.save()
    assert _problems(survey_file, catalogues) == []
    (survey,) = check_paths([survey_file.parent], catalogues).surveys
    assert survey.question("why_clarity").text["fi"] == "Kuinka selkeä luku oli?"


def test_a_removed_text_is_kept_as_obsolete(tmp_path: Path) -> None:
    survey_file, catalogues = _world(tmp_path, CATALOGUED)
    po_file = catalogues / "demo" / "fi.po"
    _update(survey_file, catalogues)
    _translate_all(po_file)
    text = survey_file.read_text(encoding="utf-8")
    survey_file.write_text(text[: text.index("      - id: why_gone")], encoding="utf-8")
    _update(survey_file, catalogues)
    po = polib.pofile(str(po_file))
    (gone,) = po.obsolete_entries()
    assert gone.msgstr == "Kysymys, joka poistetaan"
    assert "#~ msgstr" in po_file.read_text(encoding="utf-8")
    assert _problems(survey_file, catalogues) == []
    # Put back, it comes back translated.
    survey_file.write_text(text, encoding="utf-8")
    _update(survey_file, catalogues)
    assert _problems(survey_file, catalogues) == []


def test_a_changed_source_makes_an_inline_translation_stale(tmp_path: Path) -> None:
    survey_file, catalogues = _world(tmp_path, INLINE)
    _update(survey_file, catalogues)
    assert lock_file(survey_file).is_file()
    assert _problems(survey_file, catalogues) == []

    _change_source(survey_file, "en: How clear is the chapter?", "en: How clear was the chapter?")
    (problem,) = _problems(survey_file, catalogues)
    assert problem.startswith(f"{survey_file}:8:")
    assert CLARITY in problem and "'fi'" in problem and "lock file" in problem
    # Running update does not make it current: the lock still records what it translated.
    _update(survey_file, catalogues)
    assert len(_problems(survey_file, catalogues)) == 1
    entry = next(
        e for e in polib.pofile(str(catalogues / "demo" / "fi.po")) if e.msgctxt == CLARITY
    )
    assert "fuzzy" in entry.flags

    # The translator updates the inline Finnish: current again.
    _change_source(survey_file, "fi: Kuinka selkeä luku on?", "fi: Kuinka selkeä luku oli?")
    assert _problems(survey_file, catalogues) == []
    _update(survey_file, catalogues)
    assert _problems(survey_file, catalogues) == []
    entry = next(
        e for e in polib.pofile(str(catalogues / "demo" / "fi.po")) if e.msgctxt == CLARITY
    )
    assert entry.msgstr == "Kuinka selkeä luku oli?" and "fuzzy" not in entry.flags


def test_without_a_lock_file_check_warns(tmp_path: Path) -> None:
    survey_file, catalogues = _world(tmp_path, INLINE)
    report = check_paths([survey_file.parent], catalogues)
    assert report.ok
    assert any("no lock file" in str(w) for w in report.warnings)


@pytest.mark.parametrize("languages", ["[en, is]", "[is, en]"])
def test_a_language_without_an_interface_is_a_warning(tmp_path: Path, languages: str) -> None:
    text = textwrap.dedent(
        f"""\
        id: demo
        title: {{en: Demo, is: Demo}}
        languages: {languages}
        sections:
          - id: why
            title: {{en: Why, is: Hvers vegna}}
            questions:
              - id: q
                type: text
                text: {{en: Why?, is: Hvers vegna?}}
        """
    )
    survey_file, catalogues = _world(tmp_path, text)
    report = check_paths([survey_file.parent], catalogues)
    assert report.ok
    (warning,) = [w for w in report.warnings if "interface" in str(w)]
    assert "'is'" in str(warning) and "fi, fr" in str(warning)  # the interface languages
