"""Builders for survey definition texts, and a helper that lists a text's problems."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from surveyapp.definitions import Survey, load_text, manual_of_dir
from surveyapp.definitions.registry import clear_snapshot_cache
from surveyapp.errors import DefinitionError

# The header of every built survey: the first question starts on line 8.
# The shipped manual: the chapters and topics built surveys may name.
MANUAL = manual_of_dir(Path(__file__).resolve().parents[3] / "surveys")
HEADER = """\
id: test
title: {en: Test, fi: Testi, sv: Test}
languages: [en, fi, sv]
sections:
  - id: main
    title: {en: Main, fi: Pää, sv: Huvud}
    questions:
"""
FIRST_QUESTION_LINE = 8
T = "{en: T, fi: T, sv: T}"  # a text in every language

MakeSurvey = Callable[..., str]
Problems = Callable[[str], list[tuple[int, str]]]


def make_survey_text(questions: str, top: str = "") -> str:
    """A survey with `questions` (YAML list items, unindented) in one section;
    `top` is appended after the top-level keys (it may add `scales:`)."""
    body = textwrap.indent(textwrap.dedent(questions).strip("\n"), " " * 6)
    return HEADER + body + "\n" + textwrap.dedent(top)


def problems_of(text: str) -> list[tuple[int, str]]:
    """(line, message) of every problem of `text`; [] when it loads."""
    try:
        load_text(text, source="t.yaml", manual=MANUAL)
    except DefinitionError as exc:
        return [(p.line, p.message) for p in exc.problems]
    return []


@pytest.fixture
def make_survey() -> MakeSurvey:
    return make_survey_text


@pytest.fixture
def problems() -> Problems:
    return problems_of


@pytest.fixture
def load() -> Callable[[str], Survey]:
    """Load a text that must be valid, showing its problems if it is not."""

    def _load(text: str) -> Survey:
        found = problems_of(text)
        assert found == [], found
        return load_text(text, manual=MANUAL)

    return _load


@pytest.fixture(autouse=True)
def _fresh_snapshots() -> None:
    clear_snapshot_cache()
