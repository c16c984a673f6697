"""What a posted page means, question by question, before anything is written: which answers
to store, which to remove, which fail and why, and where the page leads. Pure functions of
the survey, the parsed form (forms.dynamic.parse_section) and the stored answers."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..definitions import Question, Section, Survey
from ..forms.dynamic import Parsed, required_message
from .response_reads import is_complete, sections_showing

# The buttons of a page: "next" (the default), "back", and "review" (back to the review page).
Action = Literal["next", "back", "review"]


@dataclass
class PageAnswers:
    """A page's answers sorted: to store (by key), to remove, and errors by field name."""

    values: dict[str, Any] = field(default_factory=dict)
    remove: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)


def check_page(
    section: Section, parsed: Mapping[str, Parsed], shown: Container[str], *, check_required: bool
) -> PageAnswers:
    """Per question of the page: hidden → removed; a typing mistake → an error, the stored
    value kept; valid → stored; empty → removed, and an error if it is required (when
    `check_required`: going back checks nothing)."""
    page = PageAnswers()
    for q in section.questions:
        if not q.is_answerable:
            continue
        p = parsed[q.id]
        if p.error and q.id in shown:
            page.errors[q.id] = p.error
            page.errors.update(p.row_errors)
            continue  # keep what was stored before the typing mistake
        page.remove.update({q.id, f"{q.id}.other"})
        if q.id not in shown:
            continue
        if not p.is_empty:
            page.values[q.id] = None if p.is_na else p.value
            page.values.update(p.extra)
        if check_required and q.required and _is_incomplete(q, page.values.get(q.id), p.is_empty):
            page.errors[q.id] = required_message(q)
    page.remove -= set(page.values)
    return page


def _is_incomplete(q: Question, value: Any, is_empty: bool) -> bool:
    return is_empty or not is_complete(q, value)


def merged_answers(stored: Mapping[str, Any], parsed: Mapping[str, Parsed]) -> dict[str, Any]:
    """The stored answers with a page's valid posted ones in place of its questions' (what
    decides which questions the page shows)."""
    merged = {k: v for k, v in stored.items() if k.split(".", 1)[0] not in parsed}
    for qid, p in parsed.items():
        if not p.is_empty and not p.error:
            merged[qid] = None if p.is_na else p.value
            merged.update(p.extra)
    return merged


def posted_errors(
    section: Section, parsed: Mapping[str, Parsed], shown: Container[str]
) -> dict[str, str]:
    """The messages of the posted answers that could not be stored (too long, not a number,
    not an option) to the questions `shown`, by field name; unanswered ones are not named."""
    return check_page(section, parsed, shown, check_required=False).errors


def revealed_questions(
    section: Section, stored: Mapping[str, Any], shown: Container[str], seen: Container[str]
) -> list[Question]:
    """Questions of the page that its answers revealed (`shown` for the `stored` answers)
    and the respondent has not `seen`: without JavaScript the page shows them only when it
    is shown again."""
    return [
        q
        for q in section.questions
        if q.is_answerable and q.id in shown and q.id not in seen and q.id not in stored
    ]


def section_after(
    survey: Survey, shown: Container[str], section: Section, action: Action, returning: bool
) -> str | None:
    """The page a saved page leads to (`shown`: the questions shown); None for the review,
    where "review" and a respondent `returning` to it go, and the last page's "next"."""
    ids = [s.id for s in sections_showing(survey, shown)]
    index = ids.index(section.id) if section.id in ids else 0
    if action == "back":
        return ids[max(index - 1, 0)]
    if action == "review" or returning or index + 1 >= len(ids):
        return None
    return ids[index + 1]
