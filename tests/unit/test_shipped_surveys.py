"""The surveys the repository ships: complete in every language, every type and operator used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from surveyapp.definitions import (
    QUESTION_TYPES,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Not,
    Survey,
    load_dir,
)
from surveyapp.definitions.schema import COMPARE_OPS, LangText

SURVEYS = load_dir(Path(__file__).resolve().parents[2] / "surveys")


def texts(survey: Survey) -> Iterator[tuple[str, LangText | None]]:
    """Every piece of survey text, named for the failure message."""
    yield "title", survey.title
    yield "description", survey.description
    for section in survey.sections:
        yield f"{section.id}.title", section.title
        yield f"{section.id}.description", section.description
        for q in section.questions:
            yield f"{q.id}.text", q.text
            yield f"{q.id}.help", q.help
            yield f"{q.id}.min_label", q.min_label
            yield f"{q.id}.max_label", q.max_label
            for option in (*q.options, *q.rows, *(q.scale.points if q.scale else ())):
                yield f"{q.id}.{option.value}", option.label


def operators(condition: Condition | None) -> Iterator[str]:
    if isinstance(condition, Compare):
        yield condition.op
    elif isinstance(condition, AllOf | AnyOf):
        yield "all" if isinstance(condition, AllOf) else "any"
        for inner in condition.conditions:
            yield from operators(inner)
    elif isinstance(condition, Not):
        yield "not"
        yield from operators(condition.condition)


def test_the_three_surveys_are_shipped() -> None:
    assert set(SURVEYS) == {"manual-usability", "city-pilot", "peer-review"}


@pytest.mark.parametrize("survey_id", sorted(SURVEYS))
def test_every_text_exists_in_every_language(survey_id: str) -> None:
    survey = SURVEYS[survey_id]
    assert {"en", "fi", "sv"} <= set(survey.languages)
    missing = [
        f"{name} [{lang}]"
        for name, text in texts(survey)
        if text is not None
        for lang in survey.languages
        if not text.get(lang, "").strip()
    ]
    assert missing == []


def test_together_they_use_every_type_and_every_condition_operator() -> None:
    questions = [q for s in SURVEYS.values() for q in s.iter_questions()]
    assert {q.type for q in questions} == set(QUESTION_TYPES)
    used = {op for q in questions for op in operators(q.show_if)}
    assert used >= set(COMPARE_OPS) | {"all", "any", "not"}


def test_manual_usability_asks_per_chapter_clarity_usefulness_and_completeness() -> None:
    survey = SURVEYS["manual-usability"]
    chapters = {s.chapter for s in survey.sections if s.chapter}
    assert chapters == {"why", "what", "how", "who", "result", "not_an_island"}
    for chapter in chapters:
        for aspect in ("clarity", "usefulness", "completeness"):
            assert survey.question(f"{chapter}_{aspect}").type == "likert"
