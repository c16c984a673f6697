"""Evaluating conditions against answers, and which questions are visible."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from surveyapp.definitions import (
    AllOf,
    AnyOf,
    Compare,
    Not,
    Survey,
    evaluate,
    is_answered,
    is_visible,
    prune_hidden,
    visible_questions,
)

Load = Callable[[str], Survey]
MakeSurvey = Callable[..., str]

UNANSWERED: tuple[object, ...] = (None, "", "   ", [], (), set(), {}, {"r1": None})

# (condition, answer that makes it true, answer that makes it false)
CASES = [
    (Compare("role", "equals", "city"), "city", "region"),
    (Compare("role", "equals", 2), "2", "3"),  # option 2 sent by a form as "2"
    (Compare("role", "equals", "2"), 2, 3),
    (Compare("score", "equals", 4), 4.0, 5),
    (Compare("role", "in", ("city", "region")), "region", "ministry"),
    (Compare("role", "in", (1, 2)), "1", "3"),
    (Compare("tools", "includes", "dps"), ["dialogue", "dps"], ["dialogue"]),
    (Compare("tools", "includes", 1), {"1", "2"}, ("2",)),
    (Compare("tools", "includes", "dps"), "dps", "other"),  # a lone value: forgiving
    (Compare("score", "gte", 4), 4, 3),
    (Compare("score", "gt", 4), 5, 4),
    (Compare("score", "lte", 2), 2, 3),
    (Compare("score", "lt", 2), 1.5, 2),
    (Compare("score", "gte", 7), "8", "6"),  # numbers sent as text
    (Compare("comment", "equals", "none"), "none", "None"),
    (Compare("comment", "answered", True), "text", "  "),
    (Compare("comment", "answered", False), None, "text"),
    (Compare("parts", "answered", True), {"r1": 3, "r2": None}, {"r1": None}),
]


@pytest.mark.parametrize(("condition", "true", "false"), CASES)
def test_each_operator(condition: Compare, true: object, false: object) -> None:
    assert evaluate(condition, {condition.question: true}) is True
    assert evaluate(condition, {condition.question: false}) is False


@pytest.mark.parametrize("condition", [c for c, _, _ in CASES if c.op != "answered"])
@pytest.mark.parametrize("answer", UNANSWERED)
def test_comparisons_with_an_unanswered_question_are_false(
    condition: Compare, answer: object
) -> None:
    assert evaluate(condition, {condition.question: answer}) is False
    assert evaluate(condition, {}) is False


def test_not_equals_is_true_only_for_another_answer() -> None:
    condition = Compare("role", "not_equals", "city")
    assert evaluate(condition, {"role": "region"}) is True
    assert evaluate(condition, {"role": "city"}) is False
    assert evaluate(condition, {"role": None}) is False
    assert evaluate(condition, {}) is False


def test_not_of_an_unanswered_comparison_is_true() -> None:
    assert evaluate(Not(Compare("role", "equals", "city")), {}) is True
    assert evaluate(Not(Compare("role", "equals", "city")), {"role": "city"}) is False


@pytest.mark.parametrize("answer", UNANSWERED)
def test_answered_false_for_every_kind_of_blank(answer: object) -> None:
    assert is_answered(answer) is False
    assert evaluate(Compare("q", "answered", False), {"q": answer}) is True


@pytest.mark.parametrize("answer", [0, 0.0, "0", "x", ["a"], {"r": 1}, False])
def test_answered_for_every_kind_of_answer(answer: object) -> None:
    assert is_answered(answer) is True


def test_other_is_compared_like_an_option() -> None:
    assert evaluate(Compare("role", "equals", "other"), {"role": "other"}) is True
    assert evaluate(Compare("tools", "includes", "other"), {"tools": ["dps", "other"]}) is True


def test_mismatched_kinds_never_match() -> None:
    assert evaluate(Compare("score", "gte", 3), {"score": "high"}) is False
    assert evaluate(Compare("score", "gte", 3), {"score": True}) is False
    assert evaluate(Compare("role", "equals", "city"), {"role": ["city"]}) is False
    assert evaluate(Compare("parts", "equals", 3), {"parts": {"r": 3}}) is False
    assert evaluate(Compare("score", "lt", 3), {"score": float("nan")}) is False


def test_combinators() -> None:
    city = Compare("role", "equals", "city")
    low = Compare("score", "lte", 2)
    both, either = AllOf((city, low)), AnyOf((city, low))
    answers = [
        ({"role": "city", "score": 1}, True, True),
        ({"role": "city", "score": 5}, False, True),
        ({"role": "region", "score": 1}, False, True),
        ({}, False, False),
    ]
    for given, all_result, any_result in answers:
        assert evaluate(both, given) is all_result, given
        assert evaluate(either, given) is any_result, given
    assert evaluate(Not(AnyOf((city, low))), {}) is True
    assert (
        evaluate(
            AllOf((Not(city), AnyOf((low, Compare("x", "answered", True))))),
            {"role": "region", "x": "yes"},
        )
        is True
    )


T = "{en: T, fi: T, sv: T}"
CHAIN = f"""\
- id: role
  type: single
  text: {T}
  options: [{{value: city, label: {T}}}, {{value: region, label: {T}}}]
- {{id: city_size, type: number, text: {T}, show_if: {{question: role, equals: city}}}}
- {{id: big_city_note, type: text, text: {T}, show_if: {{question: city_size, gte: 100000}}}}
- {{id: not_big, type: info, text: {T}, show_if: {{not: {{question: city_size, gte: 100000}}}}}}
- {{id: always, type: text, text: {T}}}
"""


def test_visible_questions_follow_hidden_chains(make_survey: MakeSurvey, load: Load) -> None:
    survey = load(make_survey(CHAIN))
    answers = {"role": "city", "city_size": 250000, "big_city_note": "x"}
    assert visible_questions(survey, answers) == {"role", "city_size", "big_city_note", "always"}
    # Changing role hides city_size; its stale answer no longer shows big_city_note.
    answers["role"] = "region"
    assert visible_questions(survey, answers) == {"role", "not_big", "always"}
    assert visible_questions(survey, {}) == {"role", "not_big", "always"}


def test_prune_hidden_drops_hidden_and_unknown_answers(make_survey: MakeSurvey, load: Load) -> None:
    survey = load(make_survey(CHAIN))
    answers = {
        "role": "region",
        "city_size": 250000,
        "big_city_note": "x",
        "always": "kept",
        "no_such_question": 1,
    }
    assert prune_hidden(survey, answers) == {"role": "region", "always": "kept"}
    assert answers["city_size"] == 250000  # the input is not changed


def test_is_visible(make_survey: MakeSurvey, load: Load) -> None:
    survey = load(make_survey(CHAIN))
    assert is_visible(survey.question("city_size"), {"role": "city"}, survey) is True
    assert is_visible(survey.question("city_size"), {"role": "region"}, survey) is False


@pytest.mark.parametrize(
    "text",
    [
        "3",
        " 3.5 ",
        "+1",
        "-2",
        ".5",
        "1e3",
        "1_000",
        "١٢",
        "inf",
        "-inf",
        "nan",
        "Infinity",
        "partly",
        "",
        "  ",
        "x1",
        "−1",
        "e5",
        "0x10",
    ],
)
def test_text_is_a_number_exactly_when_float_reads_it_as_a_finite_one(text: str) -> None:
    """as_number skips float() for text that cannot start a number; the result is the same."""
    from surveyapp.definitions.evaluation import as_number

    try:
        expected: float | None = float(text.strip())
    except ValueError:
        expected = None
    if expected is not None and not math.isfinite(expected):
        expected = None
    assert as_number(text) == expected
