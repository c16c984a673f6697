"""show_if: how conditions are read, and every check of what they name and compare."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.definitions import AllOf, AnyOf, Compare, Not, Survey

MakeSurvey = Callable[..., str]
Problems = Callable[[str], list[tuple[int, str]]]
Load = Callable[[str], Survey]

T = "{en: T, fi: T, sv: T}"
# Lines 8-30: one question of each answerable type, then an info text.
EARLIER = f"""\
- id: role
  type: single
  other: true
  text: {T}
  options:
    - {{value: city, label: {T}}}
    - {{value: 2, label: {T}}}
- id: tools
  type: multi
  text: {T}
  options: [{{value: dps, label: {T}}}, {{value: dialogue, label: {T}}}]
- {{id: clarity, type: likert, scale: agree5, text: {T}}}
- {{id: overall, type: rating, min: 0, max: 10, text: {T}}}
- {{id: staff, type: number, min: 0, max: 500, integer: true, text: {T}}}
- {{id: share, type: number, text: {T}}}
- {{id: comment, type: text, text: {T}}}
- {{id: parts, type: matrix, scale: useful5, text: {T}, rows: [{{value: r, label: {T}}}]}}
- {{id: intro, type: info, text: {T}}}
"""
LINE = 8 + EARLIER.count("\n")  # the line of the question with the condition
Q = "section 'main', question 'q'"


def with_condition(make_survey: MakeSurvey, show_if: str) -> str:
    return make_survey(EARLIER + f"- id: q\n  type: text\n  text: {T}\n  show_if: {show_if}\n")


VALID = {
    "{question: role, equals: city}": Compare("role", "equals", "city"),
    "{question: role, equals: 2}": Compare("role", "equals", 2),
    "{question: role, equals: '2'}": Compare("role", "equals", "2"),
    "{question: role, equals: other}": Compare("role", "equals", "other"),
    "{question: role, not_equals: city}": Compare("role", "not_equals", "city"),
    "{question: role, in: [city, 2]}": Compare("role", "in", ("city", 2)),
    "{question: tools, includes: dps}": Compare("tools", "includes", "dps"),
    "{question: clarity, gte: 4}": Compare("clarity", "gte", 4),
    "{question: clarity, lte: 2}": Compare("clarity", "lte", 2),
    "{question: clarity, equals: 3}": Compare("clarity", "equals", 3),
    "{question: clarity, in: [1, 2]}": Compare("clarity", "in", (1, 2)),
    "{question: overall, gt: 6.5}": Compare("overall", "gt", 6.5),
    "{question: overall, lt: 10}": Compare("overall", "lt", 10),
    "{question: staff, gte: 10}": Compare("staff", "gte", 10),
    "{question: staff, equals: 0}": Compare("staff", "equals", 0),
    "{question: share, lt: -3.5}": Compare("share", "lt", -3.5),
    "{question: comment, equals: none}": Compare("comment", "equals", "none"),
    "{question: comment, not_equals: 42}": Compare("comment", "not_equals", 42),
    "{question: comment, answered: true}": Compare("comment", "answered", True),
    "{question: parts, answered: false}": Compare("parts", "answered", False),
    "{all: [{question: role, equals: city}, {question: clarity, lte: 2}]}": AllOf(
        (Compare("role", "equals", "city"), Compare("clarity", "lte", 2))
    ),
    "{any: [{question: role, equals: city}, {not: {question: tools, includes: dps}}]}": AnyOf(
        (Compare("role", "equals", "city"), Not(Compare("tools", "includes", "dps")))
    ),
    "{not: {all: [{question: comment, answered: true}]}}": Not(
        AllOf((Compare("comment", "answered", True),))
    ),
}


@pytest.mark.parametrize("show_if", VALID)
def test_valid_conditions(make_survey: MakeSurvey, load: Load, show_if: str) -> None:
    assert load(with_condition(make_survey, show_if)).question("q").show_if == VALID[show_if]


def test_a_condition_keeps_its_line(make_survey: MakeSurvey, load: Load) -> None:
    survey = load(with_condition(make_survey, "{question: role, equals: city}"))
    condition = survey.question("q").show_if
    assert isinstance(condition, Compare) and condition.line == LINE + 3


def test_block_style_conditions(make_survey: MakeSurvey, load: Load) -> None:
    text = make_survey(
        EARLIER + f"- id: q\n  type: text\n  text: {T}\n  show_if:\n    any:\n"
        "      - question: role\n        equals: city\n"
        "      - not:\n          question: clarity\n          gte: 3\n"
    )
    assert load(text).question("q").show_if == AnyOf(
        (Compare("role", "equals", "city"), Not(Compare("clarity", "gte", 3)))
    )


INVALID = {
    # reading
    "x": "a condition must be a mapping such as {question: role, equals: city}, not 'x'",
    "{question: role}": "the condition needs a comparison: 'equals', 'not_equals', 'in', "
    "'includes', 'gte', 'lte', 'gt', 'lt' or 'answered'",
    "{equals: city}": "the condition needs 'question', as in {question: role, equals: city}",
    "{question: role, equal: city}": "unknown condition key 'equal' (did you mean 'equals'?)",
    "{question: clarity, gte: 2, lte: 4}": "a condition makes one comparison, but this one "
    "has 'gte' or 'lte'; combine them with all: [...]",
    "{question: role, in: city}": "'in' takes a non-empty list of values, not 'city'",
    "{question: role, in: []}": "'in' takes a non-empty list of values, not a list",
    "{question: role, equals: ~}": "'equals' needs a value, not nothing",
    "{question: role, equals: [city]}": "'equals' needs a value, not a list",
    "{question: comment, answered: 'yes'}": "'answered' must be true or false, not 'yes'",
    "{all: []}": "'all' takes a non-empty list of conditions",
    "{any: {question: role, equals: city}}": "'any' takes a non-empty list of conditions",
    "{not: [{question: role, equals: city}]}": "'not' takes one condition (a mapping), not a "
    "list; to negate several use not: {any: [...]}",
    "{all: [{question: role, equals: city}], question: role}": "'all' must be alone in its condition, but 'question' is beside it",
    # what it names
    "{question: rol, equals: city}": "show_if names question 'rol', which does not exist "
    "(did you mean 'role'?)",
    "{question: q, answered: true}": "show_if names the question itself; a condition may only "
    "name a question before it",
    "{question: intro, answered: true}": "show_if names question 'intro', an info text that "
    "has no answer",
    # what it compares
    "{question: role, equals: citty}": "show_if: question 'role' has no option 'citty' "
    "(did you mean 'city'?)",
    "{question: role, in: [city, 3]}": "show_if: question 'role' has no option '3'",
    "{question: role, equals: true}": "show_if: question 'role' has no option 'true'",
    "{question: role, includes: city}": "show_if: 'includes' cannot test the single-choice "
    "question 'role'; use equals, not_equals or in",
    "{question: role, gte: 2}": "show_if: 'gte' cannot test the single-choice question 'role'; "
    "use equals, not_equals or in",
    "{question: tools, equals: dps}": "show_if: 'equals' cannot test the multiple-choice "
    "question 'tools'; use includes",
    "{question: tools, includes: other}": "show_if: question 'tools' has no option 'other'",
    "{question: clarity, equals: 6}": "show_if: 'equals: 6' is outside the range of question "
    "'clarity' (its answers are 1, 2, 3, 4, 5)",
    "{question: clarity, equals: 2.5}": "show_if: 'equals: 2.5' can never be true for question "
    "'clarity' (its answers are 1, 2, 3, 4, 5)",
    "{question: clarity, gte: 0}": "show_if: 'gte: 0' is outside the range of question "
    "'clarity' (its answers are 1, 2, 3, 4, 5)",
    "{question: clarity, gt: 5}": "show_if: 'gt: 5' can never be true for question 'clarity' "
    "(its answers are 1, 2, 3, 4, 5)",
    "{question: clarity, lt: 1}": "show_if: 'lt: 1' can never be true for question 'clarity' "
    "(its answers are 1, 2, 3, 4, 5)",
    "{question: clarity, lte: high}": "show_if: question 'clarity' has numbers for answers, "
    "so 'high' can never match",
    "{question: clarity, lte: '2'}": "show_if: write 2 without quotes: question 'clarity' has "
    "numbers for answers",
    "{question: clarity, equals: true}": "show_if: question 'clarity' has numbers for answers, "
    "so 'true' can never match",
    "{question: clarity, includes: 2}": "show_if: 'includes' is only for multiple-choice "
    "questions; question 'clarity' is likert",
    "{question: overall, equals: 11}": "show_if: 'equals: 11' is outside the range of question "
    "'overall' (it takes answers from 0 to 10)",
    "{question: overall, gt: 10}": "show_if: 'gt: 10' can never be true for question "
    "'overall' (it takes answers from 0 to 10)",
    "{question: staff, gte: 501}": "show_if: 'gte: 501' is outside the range of question "
    "'staff' (it takes whole numbers from 0 to 500)",
    "{question: staff, equals: 1.5}": "show_if: 'equals: 1.5' can never be true for question "
    "'staff' (it takes whole numbers from 0 to 500)",
    "{question: comment, gte: 3}": "show_if: 'gte' cannot test the text question 'comment'; "
    "use equals, not_equals or answered",
    "{question: comment, in: [a, b]}": "show_if: 'in' cannot test the text question "
    "'comment'; use equals, not_equals or answered",
    "{question: comment, equals: 1.5}": "show_if: '1.5' is not a text; write it in quotes",
    "{question: comment, not_equals: false}": "show_if: 'false' is not a text; write it in quotes",
    "{question: parts, equals: 3}": "show_if: question 'parts' is a matrix; a condition can "
    "only test whether it is answered",
}


@pytest.mark.parametrize("show_if", INVALID)
def test_invalid_conditions(make_survey: MakeSurvey, problems: Problems, show_if: str) -> None:
    assert problems(with_condition(make_survey, show_if)) == [
        (LINE + 3, f"{Q}: {INVALID[show_if]}"),
    ]


def test_a_condition_on_a_later_question(make_survey: MakeSurvey, problems: Problems) -> None:
    text = make_survey(
        f"- {{id: a, type: text, text: {T}, "
        "show_if: {question: b, answered: true}}\n"
        f"- {{id: b, type: text, text: {T}}}\n"
    )
    assert problems(text) == [
        (
            8,
            "section 'main', question 'a': show_if names question 'b', which comes later in "
            "the survey; a condition may only name a question before it",
        ),
    ]


def test_an_earlier_section_is_fine_and_a_later_one_is_not(problems: Problems, load: Load) -> None:
    def two_sections(first_condition: str, second_condition: str) -> str:
        return (
            f"id: test\ntitle: {T}\nlanguages: [en, fi, sv]\nsections:\n"
            f"  - id: one\n    title: {T}\n    questions:\n"
            f"      - {{id: a, type: text, text: {T}{first_condition}}}\n"
            f"  - id: two\n    title: {T}\n    questions:\n"
            f"      - {{id: b, type: text, text: {T}{second_condition}}}\n"
        )

    assert load(two_sections("", ", show_if: {question: a, answered: true}"))
    assert problems(two_sections(", show_if: {question: b, answered: true}", "")) == [
        (
            8,
            "section 'one', question 'a': show_if names question 'b', which comes later in "
            "the survey; a condition may only name a question before it",
        ),
    ]


def test_every_bad_comparison_in_a_combination_is_reported(
    make_survey: MakeSurvey, problems: Problems
) -> None:
    text = make_survey(
        EARLIER + f"- id: q\n  type: text\n  text: {T}\n  show_if:\n    all:\n"
        "      - {question: nothing, answered: true}\n"
        "      - any:\n"
        "          - {question: role, equals: mayor}\n"
        "          - {question: clarity, gte: 9}\n"
    )
    assert problems(text) == [
        (LINE + 5, f"{Q}: show_if names question 'nothing', which does not exist"),
        (LINE + 7, f"{Q}: show_if: question 'role' has no option 'mayor'"),
        (
            LINE + 8,
            f"{Q}: show_if: 'gte: 9' is outside the range of question 'clarity' "
            "(its answers are 1, 2, 3, 4, 5)",
        ),
    ]


def test_conditions_on_a_question_with_problems_are_not_double_reported(
    make_survey: MakeSurvey, problems: Problems
) -> None:
    text = make_survey(
        f"- {{id: a, type: slidr, text: {T}}}\n"
        f"- {{id: b, type: text, text: {T}, show_if: {{question: a, gte: 3}}}}\n"
    )
    assert problems(text) == [
        (
            8,
            "section 'main', question 'a': unknown question type 'slidr'"
            " (the types are 'single', 'multi', 'likert', 'rating', 'matrix', 'text', "
            "'number' or 'info')",
        ),
    ]


def test_a_survey_scale_bounds_its_conditions(make_survey: MakeSurvey, problems: Problems) -> None:
    scales = (
        "scales:\n  odd:\n    - {value: 0, label: {en: A, fi: A, sv: A}}\n"
        "    - {value: 5, label: {en: B, fi: B, sv: B}}\n"
    )
    text = make_survey(
        f"- {{id: a, type: likert, scale: odd, text: {T}}}\n"
        f"- {{id: b, type: info, text: {T}, show_if: {{question: a, equals: 3}}}}\n"
        f"- {{id: c, type: info, text: {T}, show_if: {{question: a, gte: 3}}}}\n",
        scales,
    )
    assert problems(text) == [
        (
            9,
            "section 'main', question 'b': show_if: 'equals: 3' can never be true for "
            "question 'a' (its answers are 0, 5)",
        ),
    ]
