"""The survey level: ids, languages, translations, sections, chapters and survey scales."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.definitions import Survey

MakeSurvey = Callable[..., str]
Problems = Callable[[str], list[tuple[int, str]]]
Load = Callable[[str], Survey]

T = "{en: T, fi: T, sv: T}"
QUESTION = f"- id: q\n  type: text\n  text: {T}\n"


def survey(head: str, sections: str = "") -> str:
    """A whole survey: top-level lines, then `sections` (default: one simple section)."""
    return head + (
        sections
        or f"sections:\n  - id: s\n    title: {T}\n    questions:\n"
        f"      - {{id: q, type: text, text: {T}}}\n"
    )


HEAD = f"id: test\ntitle: {T}\nlanguages: [en, fi, sv]\n"


def test_a_minimal_survey_loads(load: Load) -> None:
    loaded = load(survey(HEAD))
    assert (loaded.id, loaded.default_language) == ("test", "en")
    assert loaded.languages == ("en", "fi", "sv")
    assert loaded.title == {"en": "T", "fi": "T", "sv": "T"}
    assert [s.id for s in loaded.sections] == ["s"]
    assert loaded.sections[0].line == 5
    assert loaded.source == "<string>"


def test_only_the_source_language_is_required(problems: Problems) -> None:
    """A missing translation loads (the catalogue or the source text stands in;
    `surveyapp check` reports it: test_survey_translations.py); the source text may not."""
    head = "id: test\ntitle: {en: T}\nlanguages: [en, fi, sv]\ndescription: {fi: D, sv: D}\n"
    assert problems(survey(head)) == [(4, "description has no 'en' translation")]


def test_nested_missing_translations_load(
    make_survey: MakeSurvey, problems: Problems, load: Load
) -> None:
    text = make_survey(
        "- id: why_clarity\n  type: single\n  text: {en: T, fi: T}\n"
        "  options:\n    - {value: a, label: {sv: A, en: A}}\n"
    )
    assert problems(text) == []
    question = load(text).question("why_clarity")
    assert question.text == {"en": "T", "fi": "T"}
    assert list(question.options[0].label) == ["en", "sv"]  # the source language first


def test_a_language_the_survey_does_not_declare(problems: Problems) -> None:
    head = "id: test\ntitle: {en: T, fi: T, sv: T, de: T}\nlanguages: [en, fi, sv]\n"
    assert problems(survey(head)) == [
        (2, "title has a 'de' text, but 'de' is not one of the survey's languages (en, fi, sv)"),
    ]


def test_empty_and_non_text_translations(problems: Problems) -> None:
    head = "id: test\ntitle: {en: '', fi: [x], sv: ~}\nlanguages: [en, fi, sv]\n"
    assert problems(survey(head)) == [
        (2, "the 'en' title is empty"),
        (2, "the 'fi' title must be a text, not a list"),
        (2, "the 'sv' title must be a text, not nothing"),
    ]


def test_numbers_in_text_are_kept_as_written(load: Load) -> None:
    head = "id: test\ntitle: {en: 2024, fi: 1.50, sv: 'true'}\nlanguages: [en, fi, sv]\n"
    assert load(survey(head)).title == {"en": "2024", "fi": "1.50", "sv": "true"}


def test_plain_string_is_the_source_language_text(problems: Problems, load: Load) -> None:
    assert problems(survey("id: test\ntitle: Plain\nlanguages: [en, fi, sv]\n")) == []
    assert load(survey("id: test\ntitle: Plain\nlanguages: [en, fi, sv]\n")).title == {
        "en": "Plain"
    }
    one = "id: test\ntitle: Plain\nlanguages: [fi]\n"
    sections = (
        "sections:\n  - id: s\n    title: Osa\n    questions:\n"
        "      - {id: q, type: text, text: Kysymys}\n"
    )
    loaded = load(survey(one, sections))
    assert loaded.title == {"fi": "Plain"}
    assert loaded.question("q").text == {"fi": "Kysymys"}


def test_language_codes_that_yaml_1_1_reads_as_booleans(load: Load) -> None:
    head = "id: test\ntitle: {en: T, no: T}\nlanguages: [en, no]\n"
    sections = (
        "sections:\n  - id: s\n    title: {en: S, no: S}\n    questions:\n"
        "      - {id: q, type: text, text: {en: Q, no: Spørsmål}}\n"
    )
    loaded = load(survey(head, sections))
    assert loaded.languages == ("en", "no")
    assert loaded.question("q").text == {"en": "Q", "no": "Spørsmål"}


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("[]", [(3, "'languages' must not be an empty list")]),
        ("en", [(3, "'languages' must be a list, not 'en'")]),
        (
            "[en, EN, english, fi]",
            [
                (3, "language 'EN' is not a language code such as en, fi or sv"),
                (3, "language 'english' is not a language code such as en, fi or sv"),
            ],
        ),
        ("[en, fi, en]", [(3, "language 'en' is listed twice")]),
        ("[en, true]", [(3, "language 'true' is not a language code such as en, fi or sv")]),
    ],
)
def test_bad_languages(problems: Problems, languages: str, expected: list[tuple[int, str]]) -> None:
    # With bad languages, translations are not checked: no flood of follow-up problems.
    assert problems(survey(f"id: test\ntitle: {T}\nlanguages: {languages}\n")) == expected


def test_regional_language_codes(load: Load) -> None:
    head = "id: test\ntitle: {pt-BR: T}\nlanguages: [pt-BR]\n"
    sections = (
        "sections:\n  - id: s\n    title: S\n    questions:\n      - {id: q, type: info, text: I}\n"
    )
    assert load(survey(head, sections)).languages == ("pt-BR",)


@pytest.mark.parametrize("bad", ["Test", "test_survey", "-test", "test--x", "test-", "tëst"])
def test_bad_survey_ids(problems: Problems, bad: str) -> None:
    assert problems(survey(f"id: '{bad}'\ntitle: {T}\nlanguages: [en, fi, sv]\n")) == [
        (
            1,
            f"survey id '{bad}' must use only a-z, 0-9 and single '-' between them, "
            "like 'city-pilot'",
        ),
    ]


def test_numeric_survey_id_is_taken_as_written(load: Load) -> None:
    assert load(survey(f"id: 2024\ntitle: {T}\nlanguages: [en, fi, sv]\n")).id == "2024"


def test_unknown_top_level_key_with_hint(problems: Problems) -> None:
    assert problems(survey(HEAD + "langauges: [en]\ndescriptoin: x\n")) == [
        (4, "unknown key 'langauges' (did you mean 'languages'?)"),
        (5, "unknown key 'descriptoin' (did you mean 'description'?)"),
    ]


def test_missing_top_level_keys(problems: Problems) -> None:
    assert problems("id: test\n") == [
        (1, "'title' is missing"),
        (1, "'languages' is missing"),
        (1, "'sections' is missing"),
    ]


def test_a_file_that_is_not_a_mapping(problems: Problems) -> None:
    assert problems("- id: test\n") == [
        (1, "a survey file must be a mapping with id, title, languages and sections, not a list"),
    ]


def test_sections(load: Load) -> None:
    sections = (
        f"sections:\n  - id: why\n    chapter: why\n    title: {T}\n    description: {T}\n"
        f"    questions:\n      - {{id: q1, type: text, text: {T}}}\n"
        f"  - id: what_2\n    title: {T}\n    questions:\n"
        f"      - {{id: q2, type: text, text: {T}}}\n"
    )
    loaded = load(survey(HEAD, sections))
    first, second = loaded.sections
    assert (first.id, first.chapter, first.line) == ("why", "why", 5)
    assert first.description == {"en": "T", "fi": "T", "sv": "T"}
    assert (second.id, second.chapter, second.line) == ("what_2", None, 11)
    assert [q.id for q in loaded.questions] == ["q1", "q2"]


SECTION_CASES = {
    "unknown chapter with hint": (
        "    chapter: whyy\n",
        [(7, "section 's': unknown chapter 'whyy' (did you mean 'why'?)")],
    ),
    "unknown chapter": (
        "    chapter: 7\n",
        [
            (
                7,
                "section 's': unknown chapter '7' (the chapters are 'why', 'what', 'how', "
                "'who', 'result' or 'not_an_island')",
            )
        ],
    ),
    "show_if on a section": (
        "    show_if: {question: q, answered: true}\n",
        [(7, "section 's': a section cannot have show_if; put the condition on its questions")],
    ),
    "unknown section key": (
        "    titel: x\n",
        [(7, "section 's': unknown key 'titel' (did you mean 'title'?)")],
    ),
}


@pytest.mark.parametrize("case", SECTION_CASES, ids=list(SECTION_CASES))
def test_section_problems(problems: Problems, case: str) -> None:
    extra, expected = SECTION_CASES[case]
    sections = (
        f"sections:\n  - id: s\n    title: {T}\n{extra}    questions:\n"
        f"      - {{id: q, type: text, text: {T}}}\n"
    )
    assert problems(survey(HEAD, sections)) == expected


def test_section_ids_are_checked_and_unique(problems: Problems) -> None:
    sections = "sections:\n" + "".join(
        f"  - id: {sid}\n    title: {T}\n    questions: [{{id: {qid}, type: info, text: {T}}}]\n"
        for sid, qid in (("Why", "a"), ("s", "b"), ("s", "c"))
    )
    assert problems(survey(HEAD, sections)) == [
        (5, "section id 'Why' must use only a-z, 0-9 and '_'"),
        (11, "section id 's' is used twice (lines 8 and 11)"),
    ]


def test_question_ids_are_unique_across_sections(problems: Problems) -> None:
    sections = (
        f"sections:\n  - id: a\n    title: {T}\n"
        f"    questions: [{{id: q, type: info, text: {T}}}]\n"
        f"  - id: b\n    title: {T}\n    questions:\n"
        f"      - {{id: q, type: info, text: {T}}}\n"
    )
    assert problems(survey(HEAD, sections)) == [
        (11, "section 'b': question id 'q' is used twice (lines 7 and 11)"),
    ]


def test_sections_and_questions_must_be_non_empty_lists(problems: Problems) -> None:
    assert problems(survey(HEAD, "sections: []\n")) == [(4, "'sections' must not be an empty list")]
    sections = f"sections:\n  - id: s\n    title: {T}\n    questions: []\n  - just a word\n"
    assert problems(survey(HEAD, sections)) == [
        (7, "section 's': 'questions' must not be an empty list"),
        (8, "section 2 must be a mapping with id, title and questions, not 'just a word'"),
    ]


SCALES = """\
scales:
  clarity3:
    - {value: 1, label: {en: Unclear, fi: Epäselvä, sv: Oklar}}
    - {value: 2, label: {en: So-so, fi: Siltä väliltä, sv: Sådär}}
    - {value: 3, label: {en: Clear, fi: Selkeä, sv: Klar}}
"""


def test_survey_scales(make_survey: MakeSurvey, load: Load) -> None:
    loaded = load(make_survey(f"- id: q\n  type: likert\n  scale: clarity3\n  text: {T}\n", SCALES))
    scale = loaded.question("q").scale
    assert scale is not None and scale is loaded.scales["clarity3"]
    assert scale.values == (1, 2, 3)
    assert scale.points[1].label == {"en": "So-so", "fi": "Siltä väliltä", "sv": "Sådär"}


def test_unknown_scale_hints_at_survey_scales(make_survey: MakeSurvey, problems: Problems) -> None:
    text = make_survey(
        f"- id: q\n  type: matrix\n  scale: clarty3\n  text: {T}\n"
        f"  rows: [{{value: r, label: {T}}}]\n",
        SCALES,
    )
    assert problems(text) == [
        (10, "section 'main', question 'q': unknown scale 'clarty3' (did you mean 'clarity3'?)"),
    ]


@pytest.mark.parametrize(
    ("scales", "expected"),
    [
        (
            "scales: [a]\n",
            [(11, "'scales' must be a mapping of scale names to lists of points, not a list")],
        ),
        (
            f"scales:\n  one: [{{value: 1, label: {T}}}]\n",
            [(12, "scale 'one': a scale must be a list of at least 2 points {value, label}")],
        ),
        (
            f"scales:\n  agree5:\n    - {{value: 1, label: {T}}}\n    - {{value: 2, label: {T}}}\n",
            [
                (
                    12,
                    "scale 'agree5': this is the name of a built-in scale; give your scale "
                    "another name",
                )
            ],
        ),
        (
            f"scales:\n  Bad-Name:\n    - {{value: 1, label: {T}}}\n    - {{value: 2, label: {T}}}\n",
            [
                (
                    12,
                    "scale 'Bad-Name': a scale name must start with a letter a-z and use only "
                    "a-z, 0-9 and '_'",
                )
            ],
        ),
        (
            f"scales:\n  s:\n    - {{value: 1, label: {T}}}\n    - {{value: 1, label: {T}}}\n",
            [(14, "scale 's': value 1 is used twice (lines 13 and 14)")],
        ),
        (
            f"scales:\n  s:\n    - {{value: a, label: {T}}}\n    - {{value: 1.5, label: {T}}}\n"
            f"    - {{value: true, label: {T}}}\n",
            [
                (13, "scale 's', point 1: 'value' must be a whole number, not 'a'"),
                (14, "scale 's', point 2: 'value' must be a whole number, not '1.5'"),
                (15, "scale 's', point 3: 'value' must be a whole number, not 'true'"),
            ],
        ),
        (
            "scales:\n  s:\n    - {value: 1, label: {en: A}}\n    - {value: 2}\n",
            [(14, "scale 's', point 2: 'label' is missing")],
        ),
    ],
)
def test_bad_survey_scales(
    make_survey: MakeSurvey, problems: Problems, scales: str, expected: list[tuple[int, str]]
) -> None:
    assert problems(make_survey(QUESTION, scales)) == expected


def test_a_question_on_a_broken_survey_scale_is_not_called_unknown(
    make_survey: MakeSurvey, problems: Problems
) -> None:
    """The scale exists, so its own problem is the only one: 'unknown scale' would mislead."""
    text = make_survey(
        f"- id: q\n  type: likert\n  scale: one\n  text: {T}\n",
        f"scales:\n  one: [{{value: 1, label: {T}}}]\n",
    )
    assert problems(text) == [
        (13, "scale 'one': a scale must be a list of at least 2 points {value, label}"),
    ]


def test_the_list_of_scales_names_each_scale_once(
    make_survey: MakeSurvey, problems: Problems
) -> None:
    text = make_survey(
        f"- id: q\n  type: likert\n  scale: zzz\n  text: {T}\n",
        f"scales:\n  agree5:\n    - {{value: 1, label: {T}}}\n    - {{value: 2, label: {T}}}\n",
    )
    assert problems(text) == [
        (
            10,
            "section 'main', question 'q': unknown scale 'zzz' (the scales are 'agree5', "
            "'agree7', 'useful5', 'frequency5' or 'satisfied5')",
        ),
        (13, "scale 'agree5': this is the name of a built-in scale; give your scale another name"),
    ]
