"""Every question type, one entry each: what the rest of the app may ask about a type.

Facts only, no behaviour that needs a layer above (Flask, the database). What a layer does
per type (read a posted form, summarise answers, write export columns, make a demo answer)
sits in that layer in a table keyed by these same names, and a test checks that each such
table has every type. So a new type is added here, and every table missing it fails a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    from surveyapp.definitions.schema import CompareOp

# How an answer is stored: nothing (no answer), one value, a list of option values,
# or {row: value}.
AnswerShape: TypeAlias = Literal["none", "one", "many", "rows"]
# Where the values an answer may take come from: the question's options, its scale, or
# the whole numbers from its min to its max.
Points: TypeAlias = Literal["options", "scale", "range"]
# An answer typed into a box, rather than chosen.
Typed: TypeAlias = Literal["text", "number"]
# How a condition's value is checked against the question it names.
ComparedAs: TypeAlias = Literal["option", "number", "text"]

_ORDERED: tuple[CompareOp, ...] = ("equals", "not_equals", "in", "gte", "lte", "gt", "lt")


@dataclass(frozen=True)
class QuestionKind:
    """What one question type is. `misused` says why a condition cannot use an operator
    outside `condition_ops` (`answered` is always allowed), with {op}, {name} and {type}."""

    name: str
    keys: tuple[str, ...]  # the definition keys it reads beyond the common ones
    required_keys: tuple[str, ...] = ()
    shape: AnswerShape = "one"
    points: Points | None = None
    typed: Typed | None = None
    condition_ops: tuple[CompareOp, ...] = ()
    compared_as: ComparedAs | None = None
    misused: str = ""

    @property
    def has_answer(self) -> bool:
        return self.shape != "none"

    @property
    def is_choice(self) -> bool:
        """Answered by choosing among the question's own options (single, multi)."""
        return self.points == "options"

    @property
    def is_scale(self) -> bool:
        """Numbers on an ordered scale, whose mean and median mean something."""
        return self.points in ("scale", "range")

    @property
    def is_numeric(self) -> bool:
        """Answered with numbers: a mean, median and deviation are computed."""
        return self.is_scale or self.typed == "number"

    @property
    def is_free_text(self) -> bool:
        """Typed words: counted, never grouped by value; read as feedback."""
        return self.typed == "text"

    @property
    def splits(self) -> bool:
        """Its answer holds several values, each in a column of its own in an export."""
        return self.shape in ("many", "rows")


_NUMBER_MISUSED = "'includes' is only for multiple-choice questions; {name} is {type}"

_KINDS = (
    QuestionKind(
        "single",
        keys=("options", "other", "sort", "options_from"),
        points="options",
        condition_ops=("equals", "not_equals", "in"),
        compared_as="option",
        misused="'{op}' cannot test the single-choice {name}; use equals, not_equals or in",
    ),
    QuestionKind(
        "multi",
        keys=("options", "other", "sort", "options_from", "min_choices", "max_choices"),
        shape="many",
        points="options",
        condition_ops=("includes",),
        compared_as="option",
        misused="'{op}' cannot test the multiple-choice {name}; use includes",
    ),
    QuestionKind(
        "likert",
        keys=("scale", "na"),
        required_keys=("scale",),
        points="scale",
        condition_ops=_ORDERED,
        compared_as="number",
        misused=_NUMBER_MISUSED,
    ),
    QuestionKind(
        "rating",
        keys=("min", "max", "min_label", "max_label"),
        required_keys=("min", "max"),
        points="range",
        condition_ops=_ORDERED,
        compared_as="number",
        misused=_NUMBER_MISUSED,
    ),
    QuestionKind(
        "matrix",
        keys=("rows", "scale"),
        required_keys=("rows", "scale"),
        shape="rows",
        points="scale",
        misused="{name} is a matrix; a condition can only test whether it is answered",
    ),
    QuestionKind(
        "text",
        keys=("multiline", "max_length"),
        typed="text",
        condition_ops=("equals", "not_equals"),
        compared_as="text",
        misused="'{op}' cannot test the text {name}; use equals, not_equals or answered",
    ),
    QuestionKind(
        "number",
        keys=("min", "max", "integer"),
        typed="number",
        condition_ops=_ORDERED,
        compared_as="number",
        misused=_NUMBER_MISUSED,
    ),
    QuestionKind(
        "info",
        keys=(),
        shape="none",
        misused="{name} is an info text that has no answer",
    ),
)

QUESTION_KINDS: Mapping[str, QuestionKind] = {kind.name: kind for kind in _KINDS}
# In the order messages list them.
QUESTION_TYPES: tuple[str, ...] = tuple(QUESTION_KINDS)
