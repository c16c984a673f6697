"""Frozen dataclasses that describe a loaded survey definition."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from surveyapp.definitions.question_types import QUESTION_KINDS, QuestionKind

# Per-language text: {"en": "...", "fi": "..."}; always carries every survey language.
LangText: TypeAlias = Mapping[str, str]
OptionValue: TypeAlias = str | int

# The names of question_types.QUESTION_TYPES, for the type checker.
QuestionType = Literal["single", "multi", "likert", "rating", "matrix", "text", "number", "info"]
CompareOp = Literal["equals", "not_equals", "in", "includes", "gte", "lte", "gt", "lt", "answered"]
COMPARE_OPS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "in",
    "includes",
    "gte",
    "lte",
    "gt",
    "lt",
    "answered",
)
# The answer value of the free-text "Other" choice of a single/multi question with
# `other: true`; conditions may name it, so no option may use it as its value.
OTHER_VALUE = "other"


def localize(text: LangText | None, lang: str, fallback: str = "en") -> str:
    """Return `text` in `lang`, else in `fallback`, else in any language it has."""
    if not text:
        return ""
    if lang in text:
        return text[lang]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()))


def localized_language(text: LangText | None, lang: str, fallback: str = "en") -> str:
    """The language `localize(text, lang, fallback)` shows `text` in (for a `lang` attribute)."""
    if not text or lang in text:
        return lang
    return fallback if fallback in text else next(iter(text))


@dataclass(frozen=True)
class Option:
    """One choice of a single/multi question, a matrix row, or a point of a scale."""

    value: OptionValue
    label: LangText


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale; values are integers."""

    id: str
    points: tuple[Option, ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(int(p.value) for p in self.points)


@dataclass(frozen=True)
class Compare:
    """`{question: q, <op>: value}`; for `in` the value is a tuple, for `answered` a bool."""

    question: str
    op: CompareOp
    value: object
    line: int = field(default=0, compare=False)  # where the condition is written


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


Condition: TypeAlias = Compare | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Question:
    """One question; only the fields of its type are meaningful."""

    id: str
    type: QuestionType
    text: LangText
    help: LangText | None = None
    required: bool = False
    show_if: Condition | None = None
    topic: str | None = None  # a topic of the section's chapter (surveys/manual.yaml)
    # single / multi
    options: tuple[Option, ...] = ()
    other: bool = False
    min_choices: int | None = None
    max_choices: int | None = None
    sort: str | None = None  # "alphabetical": by label in the respondent's language
    options_from: str | None = None  # "countries": options made from Babel's names
    # likert / matrix
    scale: Scale | None = None
    na: bool = False
    # matrix
    rows: tuple[Option, ...] = ()
    # rating / number
    min: float | None = None
    max: float | None = None
    min_label: LangText | None = None
    max_label: LangText | None = None
    integer: bool = False
    # text
    multiline: bool = False
    max_length: int | None = None
    line: int = 0

    @property
    def kind(self) -> QuestionKind:
        """What its type is (question_types.py); ask it rather than test the type's name."""
        return QUESTION_KINDS[self.type]

    def options_in(self, lang: str) -> tuple[Option, ...]:
        """The options in the order a respondent reading `lang` sees them."""
        if self.sort != "alphabetical":
            return self.options
        from surveyapp.definitions.option_lists import sorted_options

        return sorted_options(self.options, lang)

    @property
    def is_answerable(self) -> bool:
        return self.kind.has_answer

    @property
    def is_scale(self) -> bool:
        """Numeric questions whose mean and median mean something."""
        return self.kind.is_scale


@dataclass(frozen=True)
class Section:
    """One page of the survey, optionally tied to a manual chapter."""

    id: str
    title: LangText
    questions: tuple[Question, ...]
    chapter: str | None = None
    description: LangText | None = None
    line: int = 0


@dataclass(frozen=True)
class About:
    """Who runs a survey and how answers are handled (the file's optional `about:`)."""

    organiser: LangText | None = None
    contact: str | None = None
    privacy: LangText | None = None
    privacy_url: str | None = None


@dataclass(frozen=True)
class Survey:
    """A whole survey definition, as loaded from one YAML file."""

    id: str
    title: LangText
    languages: tuple[str, ...]
    sections: tuple[Section, ...]
    description: LangText | None = None
    scales: Mapping[str, Scale] = field(default_factory=dict)
    source: str = ""
    about: About = field(default_factory=About)
    # A round's frozen definition: each language's state when the round opened,
    # "complete" or "incomplete" (some texts fall back to the source language); empty for
    # a definition file (`surveyapp check` reports its stale and missing translations).
    language_states: Mapping[str, str] = field(default_factory=dict)

    def is_partly_translated(self, lang: str) -> bool:
        """Whether some texts show in the source language to someone answering in `lang`."""
        return self.language_states.get(lang) == "incomplete"

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def iter_questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(self.iter_questions())

    def question(self, question_id: str) -> Question:
        """Return the question with this id; KeyError if there is none."""
        for q in self.iter_questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)
