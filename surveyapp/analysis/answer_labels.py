"""What the codes of the Responses sheet mean, beside them: a label column after each
column whose cells are codes (a single choice's option, a scale point, a matrix row's
scale point), headed "<column> (label)" and filled in the workbook's language.

Numbers (`number`, `rating`), free text and the 0/1 columns of a multiple choice (each
named by its option already) keep a single column. The codes themselves, and what every
code means, stay in the Codebook.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..definitions import Question, localize
from ..services.feedback_sheet import translate
from .cells import fit_text
from .sheet_layout import N_

LABEL_HEADER = N_("%(column)s (label)")
NOT_APPLICABLE = N_("not applicable")
OTHER = N_("Other")
NA_CELL = "NA"  # "not applicable" in the Responses sheet, as R reads it
# Code → the text written beside it (formula-safe already).
Labels = dict[Any, str]


def label_header(column: str, lang: str) -> str:
    """The header of the label column beside the code column `column`, in `lang`."""
    return translate(LABEL_HEADER, lang) % {"column": column}


def is_coded(question: Question) -> bool:
    """Whether the question's answer columns hold codes that a label explains: options
    chosen one at a time, or points of a named scale (also per matrix row)."""
    kind = question.kind
    return kind.shape in ("one", "rows") and kind.points in ("options", "scale")


def code_labels(question: Question, lang: str) -> Labels:
    """Each code a cell of `question` may hold, and its label in `lang` (the survey's
    texts fall back as everywhere in the export: English, then any language)."""
    found: Labels = {None: translate(NOT_APPLICABLE, lang)}
    found[NA_CELL] = found[None]
    if question.other:
        found["other"] = translate(OTHER, lang)
    points = question.scale.points if question.scale else question.options
    for point in points:
        text = _safe(localize(point.label, lang))
        found[point.value] = text
        found[str(point.value)] = text  # a code read back as text
    return found


def _safe(text: str) -> str:
    """A label as a safe cell; a survey's label never comes near a cell's 32,767."""
    return fit_text(text)[0]


def with_labels(question: Question, columns: list[str], lang: str) -> Iterator[str]:
    """`columns` of a question, each coded one followed by its label column's header."""
    coded = is_coded(question)
    for column in columns:
        yield column
        if coded:
            yield label_header(column, lang)
