"""Criteria sets (criteria/<id>.yaml): loading, every problem with its line, the shipped
set, the frozen copy's round trip and the registry."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest

from surveyapp.definitions import (
    CriteriaRegistry,
    UnknownCriteriaSet,
    criteria_from_data,
    criteria_schema_text,
    criteria_to_data,
    load_criteria,
    load_criteria_text,
    manual_of_dir,
)
from surveyapp.definitions.criteria_registry import check_criteria_paths
from surveyapp.definitions.reporting import Report
from surveyapp.definitions.yamlnodes import parse, plain
from surveyapp.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[3]
MANUAL = manual_of_dir(ROOT / "surveys")
SHIPPED = ROOT / "criteria" / "procurement-unit.yaml"
DATA = ROOT / "tests" / "data" / "criteria"
BROKEN = DATA / "broken" / "several-problems.yaml"
EXPECT = re.compile(r"#\s*expect:\s*(?P<messages>.+)$")


def problems_of(text: str) -> list[tuple[int, str]]:
    """(line, message) of every problem in a criteria set's text."""
    with pytest.raises(DefinitionError) as caught:
        load_criteria_text(textwrap.dedent(text), "set.yaml", MANUAL)
    return [(p.line, p.message) for p in caught.value.problems]


def small_set(**replace: str) -> str:
    """The valid small set's text with some lines replaced (by their start)."""
    text = (DATA / "valid" / "small-set.yaml").read_text(encoding="utf-8")
    for start, new in replace.items():
        text = re.sub(rf"(?m)^{re.escape(start)}.*$", new, text, count=1)
    return text


# ------------------------------------------------------------------ the shipped set


def test_the_shipped_set_has_a_criterion_per_topic_of_the_manual_revision() -> None:
    criteria = load_criteria(SHIPPED, MANUAL)
    revision = MANUAL.revision(criteria.manual_revision)
    topics = [(c.id, t.id) for c in revision.chapters for t in c.topics]
    assert criteria.id == "procurement-unit"
    assert criteria.languages == ("en", "fi", "sv")
    assert len(revision.chapters) == 6 and len(topics) == 19
    assert [(c.chapter, c.topic) for c in criteria.criteria] == topics
    assert [c.id for c in criteria.criteria] == [topic for _, topic in topics]


def test_every_shipped_criterion_describes_every_level_in_every_language() -> None:
    criteria = load_criteria(SHIPPED, MANUAL)
    for criterion in criteria.criteria:
        assert criterion.values == (1, 2, 3, 4, 5)
        texts = [criterion.text, criterion.guidance]
        texts += [lv.description for lv in criterion.levels] + [lv.label for lv in criterion.levels]
        for text in texts:
            assert set(text) == {"en", "fi", "sv"} and all(text.values()), criterion.id
    labels = criteria.criteria[0].levels
    assert "depends on individuals" in labels[0].label["en"]
    assert "strategic management" in labels[-1].label["en"]


def test_the_shipped_set_round_trips_through_its_frozen_data() -> None:
    criteria = load_criteria(SHIPPED, MANUAL)
    assert criteria_from_data(criteria_to_data(criteria)) == criteria


def test_the_shipped_folder_checks_clean() -> None:
    result = check_criteria_paths([ROOT / "criteria"], MANUAL)
    assert result.problems == [] and [s.id for s in result.sets] == ["procurement-unit"]


# ------------------------------------------------------------------ problems and their lines


def expected_problems(path: Path) -> list[tuple[int, str]]:
    """What the file's `# expect:` comments say its problems are, by line."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match and number > 2:  # the header explains the comments
            found += [(number, m.strip()) for m in match["messages"].split(" | ")]
    return found


def test_each_kind_of_problem_is_reported_with_its_line() -> None:
    result = check_criteria_paths([BROKEN], MANUAL)
    reported = [(p.line, p.message) for p in result.problems]
    assert all(p.path == str(BROKEN) for p in result.problems)
    expected = expected_problems(BROKEN)
    assert len(expected) == len(reported) == 11
    for line, message in expected:
        assert any(at == line and message in said for at, said in reported), (
            f"line {line}: {message}\n{reported}"
        )


def test_a_valid_small_set_loads_and_continues_its_ids() -> None:
    criteria = load_criteria(DATA / "valid" / "small-set.yaml", MANUAL)
    assert [c.id for c in criteria.criteria] == ["mandate", "spend"]
    assert criteria.criterion("spend").continues == ("spend_analysis", "indicators")
    assert criteria.criterion("spend").topic is None
    assert criteria.criterion("mandate").levels[2].label == {"en": "Strategic", "fi": "Strateginen"}


def test_the_id_must_be_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other-name.yaml"
    path.write_text(small_set(), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_criteria(path, MANUAL)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (2, "id 'small-set' must be the file's name without .yaml ('other-name')")
    ]


def test_a_missing_translation_of_a_title_and_a_level() -> None:
    text = small_set(
        **{"title:": "title: {en: A small set}", "      2: {en: Yearly.": "      2: {en: Yearly.}"}
    )
    assert problems_of(text) == [
        (3, "title has no 'fi' translation"),
        (26, "criterion 'spend': level 2 has no 'fi' translation"),
    ]


def test_a_missing_top_level_key_and_an_empty_text() -> None:
    text = small_set(
        **{"manual_revision:": "", "    text: {en: Spend": "    text: {en: '', fi: x}"}
    )
    assert problems_of(text) == [
        (2, "'manual_revision' is missing"),
        (22, "criterion 'spend': the 'en' text is empty"),
    ]


def test_a_manual_revision_before_the_manual_is_reported() -> None:
    assert problems_of(small_set(**{"manual_revision:": 'manual_revision: "0.1"'})) == [
        (4, "manual_revision '0.1' is not in the manual (its revisions: 0.3)")
    ]


def test_a_continued_id_twice_in_one_list() -> None:
    text = small_set(**{"    continues:": "    continues: [indicators, indicators]"})
    assert problems_of(text) == [
        (
            28,
            "criterion 'spend': 'indicators' is continued twice (line 28); "
            "a criterion of the previous set goes on in one place",
        )
    ]


def test_scale_values_must_run_from_one_without_gaps() -> None:
    text = small_set(**{"  - {value: 3": "  - {value: 4, label: {en: Strategic, fi: Strateginen}}"})
    assert problems_of(text)[0] == (
        7,
        "the scale's values must be 1, 2, 3 … without gaps (1 = lowest)",
    )


def test_a_scale_point_twice_and_a_level_key_that_is_no_number() -> None:
    text = small_set(**{"  - {value: 3": "  - {value: 2, label: {en: Again, fi: Taas}}"})
    assert (9, "scale value 2 is used twice (lines 8 and 9)") in problems_of(text)
    text = small_set(**{"      3: {en: In the": "      high: {en: In the strategy., fi: S.}"})
    assert problems_of(text) == [
        (16, "criterion 'mandate': scale point 3 has no description in 'levels'"),
        (19, "criterion 'mandate': level 'high' is not on the scale (1, 2, 3)"),
    ]


def test_yaml_safety_applies_to_criteria_sets() -> None:
    text = small_set(**{"title:": "title: &t {en: A, fi: B}"})
    assert problems_of(text) == [
        (3, "anchors and aliases are not allowed (&name, *name); write the content out")
    ]


def test_without_a_manual_chapters_go_unchecked() -> None:
    text = small_set(**{"    chapter: how": "    chapter: elsewhere"})
    assert load_criteria_text(text).criterion("mandate").chapter == "elsewhere"
    assert problems_of(text) == [
        (
            12,
            "criterion 'mandate': chapter 'elsewhere' is not a chapter of manual revision '0.3'",
        )
    ]


# ------------------------------------------------------------------ the registry


def test_the_registry_serves_the_shipped_sets_and_names_an_unknown_one() -> None:
    registry = CriteriaRegistry(ROOT / "criteria", MANUAL)
    assert [s.id for s in registry.all()] == ["procurement-unit"]
    assert registry.get("procurement-unit").criterion("mandate").chapter == "how"
    with pytest.raises(UnknownCriteriaSet, match=r"no criteria set 'nope' in .*procurement-unit"):
        registry.get("nope")


def test_a_registry_of_a_missing_folder_is_empty_and_a_broken_set_raises(tmp_path: Path) -> None:
    assert CriteriaRegistry(tmp_path / "criteria").all() == ()
    (tmp_path / "several-problems.yaml").write_bytes(BROKEN.read_bytes())
    registry = CriteriaRegistry(tmp_path, MANUAL)
    with pytest.raises(DefinitionError) as caught:
        registry.all()
    assert len(caught.value.problems) == 11


# ------------------------------------------------------------------ the JSON Schema


def schema_errors(path: Path) -> list[str]:
    schema = json.loads(criteria_schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    report = Report(str(path))
    data = plain(parse(path.read_text(encoding="utf-8"), report))
    validator = jsonschema.Draft202012Validator(schema)
    return [error.message for error in validator.iter_errors(data)]


def test_the_shipped_and_the_valid_sets_pass_the_json_schema() -> None:
    assert schema_errors(SHIPPED) == []
    assert schema_errors(DATA / "valid" / "small-set.yaml") == []


def test_the_json_schema_catches_unknown_keys_and_missing_guidance() -> None:
    found = " ".join(schema_errors(BROKEN))
    assert "'colour' was unexpected" in found
    assert "'guidance' is a required property" in found
    assert "'notes' was unexpected" in found
