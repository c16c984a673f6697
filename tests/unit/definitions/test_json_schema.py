"""The JSON Schema that ships for editors agrees with the loader on real and broken files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from surveyapp.definitions import (
    MANUAL_FILE,
    check_paths,
    manual_of_dir,
    manual_schema_text,
    schema_text,
)
from surveyapp.definitions.reporting import Report
from surveyapp.definitions.yamlnodes import parse, plain

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "tests" / "data" / "valid"
SHIPPED = sorted(p for p in (ROOT / "surveys").glob("*.yaml") if p.name != MANUAL_FILE)
# With the shipped manual, a section's chapter must be one of its chapters.
SCHEMA = schema_text(manual_of_dir(ROOT / "surveys"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def data_of(path: Path) -> Any:
    """The file as plain data, read like the loader reads it (YAML 1.2: `no` is a string)."""
    report = Report(str(path))
    node = parse(path.read_text(encoding="utf-8"), report)
    assert report.problems == []
    return plain(node)


def errors(validator: jsonschema.protocols.Validator, data: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(data)]


def test_the_schema_is_draft_2020_12_with_help_texts() -> None:
    schema = json.loads(schema_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert all("description" in prop for prop in schema["properties"].values())
    question = schema["$defs"]["question"]["properties"]
    assert all("description" in prop for prop in question.values())


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_surveys_pass_the_schema_and_the_loader(
    validator: jsonschema.Draft202012Validator, path: Path
) -> None:
    assert errors(validator, data_of(path)) == []
    assert check_paths([path]).problems == []


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_examples_pass_the_schema(
    validator: jsonschema.Draft202012Validator, path: Path
) -> None:
    assert errors(validator, data_of(path)) == []


def all_types() -> Any:
    return data_of(VALID / "all-types.yaml")


def _question(data: Any, question_id: str) -> dict[str, Any]:
    for section in data["sections"]:
        for question in section["questions"]:
            if question["id"] == question_id:
                return question  # type: ignore[no-any-return]
    raise KeyError(question_id)


BREAKAGES = {
    "unknown top-level key": lambda d: d.update(colour="blue"),
    "bad survey id": lambda d: d.update(id="All Types"),
    "no languages": lambda d: d.update(languages=[]),
    "unknown chapter": lambda d: d["sections"][1].update(chapter="whyy"),
    "show_if on a section": lambda d: d["sections"][0].update(
        show_if={"question": "a", "answered": True}
    ),
    "unknown question type": lambda d: _question(d, "role").update(type="dropdown"),
    "unknown question key": lambda d: _question(d, "role").update(requried=True),
    "key of another type": lambda d: _question(d, "why_clarity").update(max_length=5),
    "single without options": lambda d: _question(d, "role").pop("options"),
    "rating without max": lambda d: _question(d, "overall_usefulness").pop("max"),
    "required on info": lambda d: _question(d, "intro").update(required=True),
    "option without label": lambda d: _question(d, "role")["options"][0].pop("label"),
    "float option value": lambda d: _question(d, "role")["options"][0].update(value=1.5),
    "empty text": lambda d: _question(d, "role").update(text=""),
    "text with a bad language key": lambda d: _question(d, "role").update(text={"English": "x"}),
    "condition with two comparisons": lambda d: _question(d, "city_name").update(
        show_if={"question": "role", "equals": "city", "in": ["city"]}
    ),
    "condition with an unknown operator": lambda d: _question(d, "city_name").update(
        show_if={"question": "role", "equal": "city"}
    ),
    "empty all": lambda d: _question(d, "city_name").update(show_if={"all": []}),
    "not with a list": lambda d: _question(d, "city_name").update(
        show_if={"not": [{"question": "role", "answered": True}]}
    ),
    "text max_length over the limit": lambda d: _question(d, "comments").update(max_length=100001),
    "scale with one point": lambda d: d["scales"].update(one=[{"value": 1, "label": {"en": "x"}}]),
    "survey scale named like a built-in": lambda d: d["scales"].update(
        agree5=d["scales"]["clarity4"]
    ),
}


@pytest.mark.parametrize("case", BREAKAGES, ids=list(BREAKAGES))
def test_broken_surveys_fail_the_schema(
    validator: jsonschema.Draft202012Validator, case: str
) -> None:
    data = copy.deepcopy(all_types())
    BREAKAGES[case](data)
    assert errors(validator, data) != []


def test_a_minimal_survey_passes(validator: jsonschema.Draft202012Validator) -> None:
    minimal = {
        "id": "x",
        "title": "X",
        "languages": ["en"],
        "sections": [
            {"id": "s", "title": "S", "questions": [{"id": "q", "type": "text", "text": "Q"}]}
        ],
    }
    assert errors(validator, minimal) == []


@pytest.mark.parametrize("case", BREAKAGES, ids=list(BREAKAGES))
def test_editors_draft_7_validation_catches_the_same(case: str) -> None:
    """yaml-language-server (VS Code's YAML extension) validates with draft-07 rules and
    ignores 2019-09 keywords such as unevaluatedProperties: the schema must not need them."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA))
    for path in SHIPPED:
        assert errors(validator, data_of(path)) == []
    data = copy.deepcopy(all_types())
    BREAKAGES[case](data)
    assert errors(validator, data) != []


def test_without_a_manual_any_chapter_id_passes_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    data = copy.deepcopy(all_types())
    data["sections"][1].update(chapter="whyy")
    assert errors(validator, data) == []
    data["sections"][1].update(chapter="Why?")
    assert errors(validator, data) != []


def test_the_shipped_manual_passes_the_manual_schema() -> None:
    schema = json.loads(manual_schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    manual = data_of(ROOT / "surveys" / MANUAL_FILE)
    assert errors(jsonschema.Draft202012Validator(schema), manual) == []
    manual["revisions"][0]["chapters"][0]["colour"] = "blue"
    assert errors(jsonschema.Draft202012Validator(schema), manual) != []
