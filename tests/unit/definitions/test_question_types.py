"""Every question type: what loads, and every wrong key or value with its line and message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.definitions import Survey

MakeSurvey = Callable[..., str]
Problems = Callable[[str], list[tuple[int, str]]]
Load = Callable[[str], Survey]

T = "{en: T, fi: T, sv: T}"
Q = "section 'main', question 'q'"
OPTIONS = f"""\
  options:
    - {{value: a, label: {T}}}
    - {{value: b, label: {T}}}
    - {{value: 3, label: {T}}}
"""


def test_single(make_survey: MakeSurvey, load: Load) -> None:
    survey = load(
        make_survey(
            f"- id: q\n  type: single\n  text: {T}\n  other: true\n  required: true\n{OPTIONS}"
        )
    )
    q = survey.question("q")
    assert (q.type, q.other, q.required, q.line) == ("single", True, True, 8)
    assert [o.value for o in q.options] == ["a", "b", 3]
    assert q.options[0].label == {"en": "T", "fi": "T", "sv": "T"}


def test_multi(make_survey: MakeSurvey, load: Load) -> None:
    survey = load(
        make_survey(
            f"- id: q\n  type: multi\n  text: {T}\n  min_choices: 1\n"
            f"  max_choices: 4\n  other: true\n{OPTIONS}"
        )
    )
    q = survey.question("q")
    assert (q.min_choices, q.max_choices, q.other) == (1, 4, True)


def test_likert(make_survey: MakeSurvey, load: Load) -> None:
    q = load(
        make_survey(
            f"- id: q\n  type: likert\n  scale: agree5\n  na: true\n  text: {T}\n  help: {T}\n"
        )
    ).question("q")
    assert q.scale is not None and q.scale.values == (1, 2, 3, 4, 5)
    assert (q.na, q.help) == (True, {"en": "T", "fi": "T", "sv": "T"})


def test_rating(make_survey: MakeSurvey, load: Load) -> None:
    q = load(
        make_survey(
            f"- id: q\n  type: rating\n  min: 0\n  max: 10\n  text: {T}\n"
            f"  min_label: {T}\n  max_label: {T}\n"
        )
    ).question("q")
    assert (q.min, q.max, q.min_label) == (0, 10, {"en": "T", "fi": "T", "sv": "T"})


def test_matrix(make_survey: MakeSurvey, load: Load) -> None:
    q = load(
        make_survey(
            f"- id: q\n  type: matrix\n  scale: useful5\n  text: {T}\n  rows:\n"
            f"    - {{value: r1, label: {T}}}\n    - {{value: r2, label: {T}}}\n"
        )
    ).question("q")
    assert [r.value for r in q.rows] == ["r1", "r2"]
    assert q.scale is not None and q.scale.id == "useful5"


@pytest.mark.parametrize(
    ("extra", "multiline", "length"),
    [
        ("", False, 200),
        ("  multiline: true\n", True, 4000),
        ("  multiline: false\n  max_length: 50\n", False, 50),
        ("  max_length: 100000\n", False, 100000),
    ],
)
def test_text_and_its_default_length(
    make_survey: MakeSurvey, load: Load, extra: str, multiline: bool, length: int
) -> None:
    q = load(make_survey(f"- id: q\n  type: text\n  text: {T}\n{extra}")).question("q")
    assert (q.multiline, q.max_length) == (multiline, length)


def test_number(make_survey: MakeSurvey, load: Load) -> None:
    q = load(
        make_survey(f"- id: q\n  type: number\n  min: -1.5\n  max: 2.5\n  text: {T}\n")
    ).question("q")
    assert (q.min, q.max, q.integer) == (-1.5, 2.5, False)
    q = load(make_survey(f"- id: q\n  type: number\n  integer: true\n  text: {T}\n")).question("q")
    assert (q.min, q.max, q.integer) == (None, None, True)


def test_info(make_survey: MakeSurvey, load: Load) -> None:
    q = load(make_survey(f"- id: q\n  type: info\n  text: {T}\n")).question("q")
    assert (q.type, q.is_answerable, q.required) == ("info", False, False)


# Each case: the question's YAML after "- id: q" (line 8), and the problems (line, message).
INVALID = {
    "unknown key with hint": (
        f"  type: text\n  text: {T}\n  requried: true\n",
        [(11, f"{Q}: unknown key 'requried' (did you mean 'required'?)")],
    ),
    "unknown key without hint": (
        f"  type: text\n  text: {T}\n  colour: red\n",
        [(11, f"{Q}: unknown key 'colour'")],
    ),
    "key of another type": (
        f"  type: likert\n  scale: agree5\n  text: {T}\n{OPTIONS}",
        [(12, f"{Q}: 'options' is not allowed for type likert (only for 'single' or 'multi')")],
    ),
    "required on info": (
        f"  type: info\n  text: {T}\n  required: true\n  help: {T}\n",
        [
            (11, f"{Q}: 'required' is not allowed for type info (an info text has no answer)"),
            (12, f"{Q}: 'help' is not allowed for type info; put all of its text in 'text'"),
        ],
    ),
    "unknown type": (
        f"  type: dropdown\n  text: {T}\n",
        [
            (
                9,
                f"{Q}: unknown question type 'dropdown' (the types are 'single', 'multi', "
                "'likert', 'rating', 'matrix', 'text', 'number' or 'info')",
            )
        ],
    ),
    "unknown type with hint ignores type keys": (
        f"  type: likret\n  scale: agree5\n  text: {T}\n",
        [(9, f"{Q}: unknown question type 'likret' (did you mean 'likert'?)")],
    ),
    "missing type and text": (
        "  required: true\n",
        [(8, f"{Q}: 'type' is missing"), (8, f"{Q}: 'text' is missing")],
    ),
    "single without options": (
        f"  type: single\n  text: {T}\n",
        [(8, f"{Q}: 'options' is missing")],
    ),
    "empty options": (
        f"  type: single\n  text: {T}\n  options: []\n",
        [(11, f"{Q}: 'options' must not be an empty list")],
    ),
    "options as mapping": (
        f"  type: single\n  text: {T}\n  options: {{a: A}}\n",
        [(11, f"{Q}: 'options' must be a list, not a mapping")],
    ),
    "duplicate option values, int and text": (
        f"  type: single\n  text: {T}\n  options:\n    - {{value: '1', label: {T}}}\n"
        f"    - {{value: 1, label: {T}}}\n",
        [(13, f"{Q}: option value '1' is used twice (lines 12 and 13)")],
    ),
    "bool option value": (
        f"  type: single\n  text: {T}\n  options:\n    - {{value: true, label: {T}}}\n",
        [
            (
                12,
                f"{Q}, option 1: value true is read as true/false; write 'true' in quotes "
                "or use a word",
            )
        ],
    ),
    "float option value": (
        f"  type: single\n  text: {T}\n  options:\n    - {{value: 1.5, label: {T}}}\n",
        [(12, f"{Q}, option 1: value must be a word or a whole number, not '1.5'")],
    ),
    "null option value and missing label": (
        f"  type: single\n  text: {T}\n  options:\n    - {{value: ~}}\n",
        [
            (12, f"{Q}, option 1: 'label' is missing"),
            (12, f"{Q}, option 1: value must be a word or a whole number, not nothing"),
        ],
    ),
    "option that is not a mapping": (
        f"  type: single\n  text: {T}\n  options:\n    - just text\n",
        [(12, f"{Q}, option 1: must be a mapping {{value: …, label: …}}, not 'just text'")],
    ),
    "unknown option key": (
        f"  type: single\n  text: {T}\n  options:\n    - {{value: a, label: {T}, lable: x}}\n",
        [(12, f"{Q}, option 1: unknown key 'lable' (did you mean 'label'?)")],
    ),
    "option value other with other: true": (
        f"  type: single\n  other: true\n  text: {T}\n  options:\n"
        f"    - {{value: other, label: {T}}}\n",
        [
            (
                13,
                f"{Q}, option 1: value 'other' stands for the free-text 'Other' choice "
                "(other: true); give this option another value",
            )
        ],
    ),
    "other not a bool": (
        f"  type: single\n  other: yes\n  text: {T}\n{OPTIONS}",
        [(10, f"{Q}: 'other' must be true or false, not 'yes'")],
    ),
    "required not a bool": (
        f"  type: text\n  required: 1\n  text: {T}\n",
        [(10, f"{Q}: 'required' must be true or false, not '1'")],
    ),
    "min_choices above max_choices": (
        f"  type: multi\n  min_choices: 3\n  max_choices: 2\n  text: {T}\n{OPTIONS}",
        [(10, f"{Q}: 'min_choices' (3) is more than 'max_choices' (2)")],
    ),
    "max_choices above options": (
        f"  type: multi\n  max_choices: 4\n  text: {T}\n{OPTIONS}",
        [(10, f"{Q}: 'max_choices' (4) is more than the 3 choices the question offers")],
    ),
    "negative min_choices and zero max_choices": (
        f"  type: multi\n  min_choices: -1\n  max_choices: 0\n  text: {T}\n{OPTIONS}",
        [
            (10, f"{Q}: 'min_choices' cannot be negative"),
            (11, f"{Q}: 'max_choices' must be at least 1"),
        ],
    ),
    "bool min_choices": (
        f"  type: multi\n  min_choices: true\n  text: {T}\n{OPTIONS}",
        [(10, f"{Q}: 'min_choices' must be a whole number, not 'true'")],
    ),
    "likert without scale": (f"  type: likert\n  text: {T}\n", [(8, f"{Q}: 'scale' is missing")]),
    "unknown scale": (
        f"  type: likert\n  scale: agre5\n  text: {T}\n",
        [(10, f"{Q}: unknown scale 'agre5' (did you mean 'agree5'?)")],
    ),
    "na not a bool": (
        f"  type: likert\n  scale: agree5\n  na: 'yes'\n  text: {T}\n",
        [(11, f"{Q}: 'na' must be true or false, not 'yes'")],
    ),
    "matrix without rows and scale": (
        f"  type: matrix\n  text: {T}\n",
        [(8, f"{Q}: 'rows' is missing"), (8, f"{Q}: 'scale' is missing")],
    ),
    "duplicate matrix rows": (
        f"  type: matrix\n  scale: agree5\n  text: {T}\n  rows:\n"
        f"    - {{value: r, label: {T}}}\n    - {{value: r, label: {T}}}\n",
        [(14, f"{Q}: row value 'r' is used twice (lines 13 and 14)")],
    ),
    "rating without min and max": (
        f"  type: rating\n  text: {T}\n",
        [(8, f"{Q}: 'min' is missing"), (8, f"{Q}: 'max' is missing")],
    ),
    "rating min equal to max": (
        f"  type: rating\n  min: 5\n  max: 5\n  text: {T}\n",
        [(10, f"{Q}: 'min' (5) must be less than 'max' (5)")],
    ),
    "rating with float and bool bounds": (
        f"  type: rating\n  min: 0.5\n  max: true\n  text: {T}\n",
        [
            (10, f"{Q}: 'min' must be a whole number, not '0.5'"),
            (11, f"{Q}: 'max' must be a whole number, not 'true'"),
        ],
    ),
    "rating too wide": (
        f"  type: rating\n  min: 0\n  max: 1000\n  text: {T}\n",
        [(11, f"{Q}: a rating from 0 to 1000 has 1001 points; at most 101 are allowed")],
    ),
    "rating label missing the source language": (
        f"  type: rating\n  min: 0\n  max: 10\n  text: {T}\n  min_label: {{sv: Låg, fi: Matala}}\n",
        [(13, f"{Q}: min_label has no 'en' translation")],
    ),
    "number min above max": (
        f"  type: number\n  min: 10\n  max: 1.5\n  text: {T}\n",
        [(10, f"{Q}: 'min' (10) is more than 'max' (1.5)")],
    ),
    "number with text bound": (
        f"  type: number\n  min: ten\n  text: {T}\n",
        [(10, f"{Q}: 'min' must be a number, not 'ten'")],
    ),
    "number with infinite bound": (
        f"  type: number\n  max: .inf\n  text: {T}\n",
        [(10, f"{Q}: 'max' must be a number, not '.inf'")],
    ),
    "integer number with fractional bound": (
        f"  type: number\n  integer: true\n  min: 0.5\n  text: {T}\n",
        [(11, f"{Q}: 'min' (0.5) must be a whole number when integer: true")],
    ),
    "text max_length zero": (
        f"  type: text\n  max_length: 0\n  text: {T}\n",
        [(10, f"{Q}: 'max_length' must be from 1 to 100,000, not 0")],
    ),
    "text max_length too big": (
        f"  type: text\n  max_length: 100001\n  text: {T}\n",
        [(10, f"{Q}: 'max_length' must be from 1 to 100,000, not 100001")],
    ),
    "text multiline not a bool": (
        f"  type: text\n  multiline: on\n  text: {T}\n",
        [(10, f"{Q}: 'multiline' must be true or false, not 'on'")],
    ),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_invalid_question(make_survey: MakeSurvey, problems: Problems, case: str) -> None:
    body, expected = INVALID[case]
    assert sorted(problems(make_survey("- id: q\n" + body))) == sorted(expected)


@pytest.mark.parametrize("qid", ["Q1", "1q", "why-clarity", "_q", "q é"])
def test_bad_question_ids(make_survey: MakeSurvey, problems: Problems, qid: str) -> None:
    assert problems(make_survey(f"- id: '{qid}'\n  type: text\n  text: {T}\n")) == [
        (
            8,
            f"section 'main': question id '{qid}' must start with a letter a-z and use only "
            "a-z, 0-9 and '_'",
        ),
    ]


def test_question_without_id(make_survey: MakeSurvey, problems: Problems) -> None:
    assert problems(make_survey(f"- type: text\n  text: {T}\n")) == [
        (8, "section 'main', question on line 8: 'id' is missing"),
    ]


def test_question_that_is_not_a_mapping(make_survey: MakeSurvey, problems: Problems) -> None:
    assert problems(make_survey("- why_clarity\n")) == [
        (
            8,
            "section 'main': a question must be a mapping with id, type and text, "
            "not 'why_clarity'",
        ),
    ]


def test_duplicate_question_ids_in_one_section(make_survey: MakeSurvey, problems: Problems) -> None:
    text = make_survey(f"- id: q\n  type: text\n  text: {T}\n- id: q\n  type: info\n  text: {T}\n")
    assert problems(text) == [
        (11, "section 'main': question id 'q' is used twice (lines 8 and 11)")
    ]


def test_every_problem_of_a_question_is_reported(
    make_survey: MakeSurvey, problems: Problems
) -> None:
    text = make_survey(
        "- id: q\n  type: rating\n  min: 3\n  max: 1\n  required: maybe\n"
        "  text: {fi: T}\n  colour: red\n"
    )
    assert problems(text) == [
        (10, f"{Q}: 'min' (3) must be less than 'max' (1)"),
        (12, f"{Q}: 'required' must be true or false, not 'maybe'"),
        (13, f"{Q}: text has no 'en' translation"),
        (14, f"{Q}: unknown key 'colour'"),
    ]
