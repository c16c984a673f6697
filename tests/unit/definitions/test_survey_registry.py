"""The registry of shipped surveys and the cache of round snapshots."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from surveyapp.definitions import SurveyRegistry, definition_hash, load_snapshot
from surveyapp.definitions import registry as registry_module
from surveyapp.errors import DefinitionError, UnknownSurvey

VALID = Path(__file__).resolve().parents[2] / "data" / "valid"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("one-language.yaml", "norwegian.yaml"):
        shutil.copy(VALID / name, tmp_path)
    return tmp_path


def test_get_all_and_text(folder: Path) -> None:
    registry = SurveyRegistry(folder)
    assert [s.id for s in registry.all()] == ["norwegian", "one-language"]
    assert registry.get("norwegian").languages == ("en", "no")
    assert registry.text("norwegian") == (VALID / "norwegian.yaml").read_text("utf-8")
    assert "norwegian" in registry and "nope" not in registry


def test_unknown_survey(folder: Path) -> None:
    with pytest.raises(UnknownSurvey):
        SurveyRegistry(folder).get("nope")
    with pytest.raises(UnknownSurvey):
        SurveyRegistry(folder).text("nope")


def test_the_folder_is_read_once_until_reload(folder: Path) -> None:
    registry = SurveyRegistry(folder)
    first = registry.get("norwegian")
    (folder / "norwegian.yaml").unlink()
    assert registry.get("norwegian") is first
    registry.reload()
    with pytest.raises(UnknownSurvey):
        registry.get("norwegian")


def test_a_broken_file_makes_the_registry_refuse(folder: Path) -> None:
    (folder / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    registry = SurveyRegistry(folder)
    with pytest.raises(DefinitionError) as caught:
        registry.all()
    assert {p.message for p in caught.value.problems} == {
        "'title' is missing",
        "'languages' is missing",
        "'sections' is missing",
    }


def test_definition_hash_is_the_sha256_of_the_utf8_text() -> None:
    text = "id: å\n"
    assert definition_hash(text) == hashlib.sha256(text.encode()).hexdigest()
    assert len(definition_hash(text)) == 64


def test_load_snapshot_parses_each_text_once() -> None:
    text = (VALID / "one-language.yaml").read_text("utf-8")
    first = load_snapshot(text)
    assert first.id == "one-language"
    assert load_snapshot(str(text)) is first
    assert load_snapshot(text + "\n# changed\n") is not first


def test_load_snapshot_does_not_cache_failures() -> None:
    with pytest.raises(DefinitionError):
        load_snapshot("id: x\n")
    assert registry_module.cached_snapshot(definition_hash("id: x\n")) is None


def test_load_snapshot_evicts_the_least_recently_used(monkeypatch: pytest.MonkeyPatch) -> None:
    base = (VALID / "one-language.yaml").read_text("utf-8")
    a, b, c = (base + f"# {n}\n" for n in "abc")
    room_for_two = 2 * registry_module.SNAPSHOT_BYTES_PER_CHARACTER * len(a)
    monkeypatch.setattr(registry_module._snapshots, "max_bytes", room_for_two)
    first_a = load_snapshot(a)
    load_snapshot(b)
    assert load_snapshot(a) is first_a  # a is now the most recent
    load_snapshot(c)  # evicts b
    assert load_snapshot(a) is first_a
    assert registry_module.cached_snapshot(definition_hash(b)) is None
