"""`make add-language CODE=xx`: one command writes the one file a translator fills in."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from add_language import new_catalogue  # noqa: E402 - tools/ is not a package


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "surveyapp" / "translations" / "messages.pot", tmp_path)
    return tmp_path


def test_a_new_language_gets_every_message_its_plural_forms_and_the_review_mark(
    translations: Path,
) -> None:
    written = new_catalogue("is", translations)
    assert written == translations / "is" / "LC_MESSAGES" / "messages.po"
    with written.open("rb") as f:
        catalogue = read_po(f, locale="is")
    with (translations / "messages.pot").open("rb") as f:
        template = read_po(f)
    assert {(m.id, m.context) for m in catalogue if m.id} == {
        (m.id, m.context) for m in template if m.id
    }
    assert all(not m.string or m.string == ("", "") for m in catalogue if m.id)
    icelandic = get_plural("is")
    assert (catalogue.num_plurals, catalogue.plural_expr) == (
        icelandic.num_plurals,
        icelandic.plural_expr,
    )
    header = written.read_text("utf-8")
    assert "# Review status: awaiting review by a native speaker" in header
    assert "Icelandic (íslenska)" in header


@pytest.mark.parametrize("code", ["xx", "fi_FI"])
def test_an_unknown_code_or_a_region_is_refused(translations: Path, code: str) -> None:
    with pytest.raises(SystemExit):
        new_catalogue(code, translations)
    assert not (translations / code).exists()


def test_an_existing_catalogue_is_never_overwritten(translations: Path) -> None:
    first = new_catalogue("is", translations)
    first.write_text(first.read_text("utf-8") + "\n# a translator's work\n", "utf-8")
    with pytest.raises(SystemExit, match="already exists"):
        new_catalogue("is", translations)
    assert "a translator's work" in first.read_text("utf-8")
