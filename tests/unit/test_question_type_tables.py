"""Every table that does something per question type knows every type of the registry, so
a new type fails here, once per table that lacks it, rather than somewhere at run time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from surveyapp.analysis.aggregate import SUMMARISERS
from surveyapp.analysis.export_rows import ANSWER_COLUMNS
from surveyapp.definitions import QUESTION_TYPES
from surveyapp.definitions.question_types import AnswerShape
from surveyapp.definitions.questions import READERS
from surveyapp.forms.dynamic import QUESTION_FIELDS
from surveyapp.services.demo import DEMO_ANSWERS

MACROS = Path(__file__).resolve().parents[2] / "surveyapp/templates/_macros/questions.html"

BY_TYPE = {
    "definitions.questions.READERS": READERS,
    "forms.dynamic.QUESTION_FIELDS": QUESTION_FIELDS,
    "services.demo.DEMO_ANSWERS": DEMO_ANSWERS,
}
BY_SHAPE = {
    "analysis.aggregate.SUMMARISERS": SUMMARISERS,
    "analysis.export_rows.ANSWER_COLUMNS": ANSWER_COLUMNS,
}


@pytest.mark.parametrize("table", BY_TYPE)
def test_tables_by_type_have_every_type(table: str) -> None:
    assert set(BY_TYPE[table]) == set(QUESTION_TYPES)


@pytest.mark.parametrize("table", BY_SHAPE)
def test_tables_by_answer_shape_have_every_shape(table: str) -> None:
    assert set(BY_SHAPE[table]) == set(get_args(AnswerShape))


def test_the_question_macro_renders_every_type() -> None:
    """_macros/questions.html picks a macro by type name: one branch per type."""
    branches = re.findall(r"q\.type == '(\w+)'", MACROS.read_text(encoding="utf-8"))
    assert sorted(branches) == sorted(QUESTION_TYPES)
