"""The registry of question types: one entry per type the schema knows, with sound facts."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest

from surveyapp.definitions import QUESTION_KINDS, QUESTION_TYPES, Question, schema_text
from surveyapp.definitions.conditions import value_problems
from surveyapp.definitions.question_types import AnswerShape, ComparedAs, Points, Typed
from surveyapp.definitions.questions import READERS
from surveyapp.definitions.schema import COMPARE_OPS, Compare, Option, QuestionType, Scale

T = {"en": "T"}


def _schema_branches() -> dict[str, Any]:
    """The JSON Schema's `then` per question type."""
    question = json.loads(schema_text())["$defs"]["question"]
    return {b["if"]["properties"]["type"]["const"]: b["then"] for b in question["allOf"]}


def test_every_type_of_the_schema_has_one_entry_in_order() -> None:
    assert get_args(QuestionType) == QUESTION_TYPES
    assert tuple(QUESTION_KINDS) == QUESTION_TYPES
    assert all(QUESTION_KINDS[name].name == name for name in QUESTION_TYPES)
    question = json.loads(schema_text())["$defs"]["question"]
    assert tuple(question["properties"]["type"]["enum"]) == QUESTION_TYPES
    assert tuple(_schema_branches()) == QUESTION_TYPES


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_keys_agree_with_the_json_schema(name: str) -> None:
    kind, branch = QUESTION_KINDS[name], _schema_branches()[name]
    assert tuple(branch.get("properties", {})) == kind.keys
    assert tuple(branch.get("required", ())) == kind.required_keys
    assert set(kind.required_keys) <= set(kind.keys)


def test_every_type_has_a_reader() -> None:
    assert set(READERS) == set(QUESTION_TYPES)


@pytest.mark.parametrize("kind", QUESTION_KINDS.values(), ids=QUESTION_TYPES)
def test_facts_take_known_values(kind: Any) -> None:
    assert kind.shape in get_args(AnswerShape)
    assert kind.points is None or kind.points in get_args(Points)
    assert kind.typed is None or kind.typed in get_args(Typed)
    assert kind.points is None or kind.typed is None  # chosen or typed, not both
    assert kind.compared_as is None or kind.compared_as in get_args(ComparedAs)
    assert set(kind.condition_ops) <= set(COMPARE_OPS) - {"answered"}
    assert (kind.compared_as is None) == (not kind.condition_ops)
    assert kind.misused


# name: (has_answer, is_choice, is_scale, is_numeric, is_free_text, splits), as the app
# treated each type before the registry.
FACTS = {
    "single": (True, True, False, False, False, False),
    "multi": (True, True, False, False, False, True),
    "likert": (True, False, True, True, False, False),
    "rating": (True, False, True, True, False, False),
    "matrix": (True, False, True, True, False, True),
    "text": (True, False, False, False, True, False),
    "number": (True, False, False, True, False, False),
    "info": (False, False, False, False, False, False),
}


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_derived_facts(name: str) -> None:
    kind = QUESTION_KINDS[name]
    found = (
        kind.has_answer,
        kind.is_choice,
        kind.is_scale,
        kind.is_numeric,
        kind.is_free_text,
        kind.splits,
    )
    assert found == FACTS[name]


def _question(name: str) -> Question:
    scale = Scale("s", (Option(1, T), Option(2, T), Option(3, T)))
    return Question(
        "q",
        name,  # type: ignore[arg-type]  # every name of QUESTION_TYPES is a QuestionType
        T,
        options=(Option("a", T),) if name in ("single", "multi") else (),
        scale=scale if name in ("likert", "matrix") else None,
        rows=(Option("r", T),) if name == "matrix" else (),
        min=0 if name == "rating" else None,
        max=10 if name == "rating" else None,
    )


def _sample(op: str, compared_as: str | None) -> object:
    """A value the operator may compare with an answer of the kind (2: inside every range)."""
    if op == "in":
        return ("a",) if compared_as == "option" else (2,)
    return "a" if compared_as in ("option", "text") else 2


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_conditions_take_exactly_the_operators_of_the_kind(name: str) -> None:
    kind, question = QUESTION_KINDS[name], _question(name)
    for op in COMPARE_OPS:
        value = True if op == "answered" else _sample(op, kind.compared_as)
        problems = value_problems(question, Compare("q", op, value))  # type: ignore[arg-type]
        if op == "answered" or op in kind.condition_ops:
            assert problems == [], (op, problems)
        else:
            assert problems == [kind.misused.format(op=op, name="question 'q'", type=name)]
