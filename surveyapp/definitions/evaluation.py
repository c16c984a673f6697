"""Evaluating `show_if` conditions against answers, and which questions are shown.

Conditions are data; nothing is ever evaluated as code. Answers map a question
id to its value: single → the option value; multi → a list/tuple/set of option
values; likert/rating/number → a number; text → a string; matrix → {row: int};
None or absent when not answered. Semantics:

* A comparison with an unanswered question is False: `equals`, `not_equals`,
  `in`, `includes`, `gte`, `lte`, `gt`, `lt` all need an answer. So
  `not_equals: city` is True only when the question was answered with
  something else, and `not: {question: q, equals: city}` is True when `q` is
  unanswered ("show unless they said city").
* `answered: true` is True when the answer is not None, not blank text, not an
  empty collection and (a matrix) has some row answered; `answered: false` is
  its opposite.
* The free-text "Other" choice of a single/multi question with `other: true`
  is the option value `other` (schema.OTHER_VALUE): `{question: role,
  equals: other}`, `{question: tools, includes: other}`.
* Values compare as numbers when both sides are numbers (4 == 4.0 == "4"),
  otherwise as text, so option value 1 matches "1" sent by a form.
* A matrix question can only be tested with `answered`.
* Conditions apply in survey order, and the answer of a hidden question counts
  as not given, so hiding cascades down a chain of conditions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from surveyapp.definitions.schema import AllOf, Compare, Condition, Not, Question, Survey


def as_number(value: object) -> float | None:
    """`value` as a finite number (ints, floats and numeric text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        # Most compared text is an option value such as "partly": a finite number starts
        # with a digit, a sign or a point, and an exception per comparison is slow.
        if not text or not (text[0].isdigit() or text[0] in "+-."):
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def is_answered(value: object) -> bool:
    """False for None, blank text and empty collections (a matrix: no row answered)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        return any(is_answered(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(is_answered(v) for v in value)
    return True


def _same(answer: object, value: object) -> bool:
    a, b = as_number(answer), as_number(value)
    if a is not None and b is not None:
        return a == b
    return str(answer) == str(value)


def _items(answer: object) -> tuple[object, ...]:
    if isinstance(answer, list | tuple | set | frozenset):
        return tuple(answer)
    return (answer,)  # a single value where a set was expected: be forgiving


def _compare(compare: Compare, answer: object) -> bool:
    op, value = compare.op, compare.value
    if op == "answered":
        return is_answered(answer) == bool(value)
    if not is_answered(answer):
        return False
    if isinstance(answer, Mapping):
        return False  # a matrix answer has no single value to compare
    if op == "includes":
        return any(_same(item, value) for item in _items(answer))
    if isinstance(answer, list | tuple | set | frozenset):
        return False
    if op in ("equals", "not_equals"):
        return _same(answer, value) == (op == "equals")
    if op == "in":
        return isinstance(value, tuple) and any(_same(answer, v) for v in value)
    a, b = as_number(answer), as_number(value)
    if a is None or b is None:
        return False
    return {"gte": a >= b, "lte": a <= b, "gt": a > b, "lt": a < b}[op]


def evaluate(condition: Condition, answers: Mapping[str, object]) -> bool:
    """Whether `condition` holds for `answers` (question id → answer value)."""
    if isinstance(condition, Compare):
        return _compare(condition, answers.get(condition.question))
    if isinstance(condition, Not):
        return not evaluate(condition.condition, answers)
    if isinstance(condition, AllOf):
        return all(evaluate(part, answers) for part in condition.conditions)
    return any(evaluate(part, answers) for part in condition.conditions)


def visible_questions(survey: Survey, answers: Mapping[str, object]) -> frozenset[str]:
    """Ids of the questions shown for `answers`. Conditions are applied in survey
    order, and the answer of a hidden question counts as not given."""
    kept: dict[str, object] = {}
    visible: set[str] = set()
    for question in survey.iter_questions():
        if question.show_if is None or evaluate(question.show_if, kept):
            visible.add(question.id)
            if question.id in answers:
                kept[question.id] = answers[question.id]
    return frozenset(visible)


def is_visible(question: Question, answers: Mapping[str, object], survey: Survey) -> bool:
    """Whether `question` is shown for `answers`."""
    return question.id in visible_questions(survey, answers)


def prune_hidden(survey: Survey, answers: Mapping[str, object]) -> dict[str, object]:
    """`answers` without those of hidden questions (or of ids the survey lacks)."""
    visible = visible_questions(survey, answers)
    return {qid: value for qid, value in answers.items() if qid in visible}
