"""The respondent's page logic between the form parsers and the responses service."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..definitions import Question, Section, Survey, localize, visible_questions
from ..forms.dynamic import NA, OTHER, Parsed, required_message
from ..i18n import _
from ..services import responses
from ..services.responses import LinkResponse


@dataclass
class PageResult:
    """The outcome of a posted page: errors by field name, and what was stored."""

    errors: dict[str, str] = field(default_factory=dict)
    stored: bool = False
    answers: dict[str, Any] = field(default_factory=dict)  # all stored answers afterwards


def save_page(
    session: Session,
    response: LinkResponse,
    stored: dict[str, Any],
    survey: Survey,
    section: Section,
    parsed: dict[str, Parsed],
    *,
    check_required: bool,
) -> PageResult:
    """Save a parsed page (forms.dynamic.parse_section); a draft keeps its valid answers
    even when others fail.

    A submitted response only changes when the whole page is valid, so what counts is
    always a complete submission. `stored`: the response's answers, read under its lock.
    """
    shown = visible_questions(survey, responses.condition_values(merged_answers(stored, parsed)))
    values: dict[str, Any] = {}
    remove: set[str] = set()
    result = PageResult()
    for q in section.questions:
        if not q.is_answerable:
            continue
        p = parsed[q.id]
        remove.update({q.id, f"{q.id}.other"})
        if q.id not in shown:
            continue
        if p.error:
            result.errors[q.id] = p.error
            result.errors.update(p.row_errors)
            remove.discard(q.id)  # keep what was stored before the typing mistake
            remove.discard(f"{q.id}.other")
            continue
        if not p.is_empty:
            values[q.id] = None if p.is_na else p.value
            values.update(p.extra)
        if check_required and q.required and _is_incomplete(q, values.get(q.id), p.is_empty):
            result.errors[q.id] = required_message(q)
    remove -= set(values)
    result.answers = stored
    if response.status == "submitted" and result.errors:
        return result
    # The response's row (last page, time) is updated by the caller, once it knows the page.
    responses.write_answers(session, response, values, remove, touch=False, stored=stored)
    result.stored = True
    # What write_answers left in the database, without reading it again.
    result.answers = {k: v for k, v in stored.items() if k not in remove and k not in values}
    result.answers.update(values)
    return result


def merged_answers(stored: dict[str, Any], parsed: dict[str, Parsed]) -> dict[str, Any]:
    """The stored answers with a page's valid posted ones in place of its questions'."""
    merged = {k: v for k, v in stored.items() if k.split(".", 1)[0] not in parsed}
    for qid, p in parsed.items():
        if not p.is_empty and not p.error:
            merged[qid] = None if p.is_na else p.value
    return merged


def posted_errors(
    section: Section, parsed: dict[str, Parsed], shown: Container[str]
) -> dict[str, str]:
    """The messages of the posted answers that could not be stored (too long, not a number,
    not an option) to the questions `shown`, by field name; unanswered ones are not named."""
    errors: dict[str, str] = {}
    for q in section.questions:
        found = parsed.get(q.id)
        if found is not None and found.error and q.id in shown:
            errors[q.id] = found.error
            errors.update(found.row_errors)
    return errors


def _is_incomplete(q: Question, value: Any, is_empty: bool) -> bool:
    if is_empty:
        return True
    return q.type == "matrix" and not all(str(r.value) in value for r in q.rows)


def stored_display_values(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored answers in the shape the question macros re-render ("not applicable" → "na")."""
    return {k: (NA if v is None else v) for k, v in stored.items()}


def answer_text(q: Question, stored: dict[str, Any], lang: str) -> str:
    """An answer as words for the review page."""
    value = stored.get(q.id)
    if q.id not in stored:
        return ""
    if value is None:
        return _("Not applicable")
    if q.type in ("single", "multi"):
        chosen = value if isinstance(value, list) else [value]
        labels = {str(o.value): localize(o.label, lang) for o in q.options}
        other = stored.get(f"{q.id}.other", "")
        return ", ".join(
            _("Other: %(text)s", text=other) if str(v) == OTHER else labels.get(str(v), str(v))
            for v in chosen
        )
    if q.type == "likert" and q.scale:
        return next(
            (localize(p.label, lang) for p in q.scale.points if p.value == value), str(value)
        )
    if q.type == "matrix" and q.scale:
        points = {p.value: localize(p.label, lang) for p in q.scale.points}
        return "; ".join(
            f"{localize(r.label, lang)}: {points.get(value.get(str(r.value)), '–')}" for r in q.rows
        )
    return str(value)


def section_ids(section: Section) -> set[str]:
    """Answer keys that belong to a section's questions."""
    return {q.id for q in section.questions} | {f"{q.id}.other" for q in section.questions}


def appeared_questions(
    section: Section, stored: dict[str, Any], shown: Container[str], form: MultiDict[str, str]
) -> list[Question]:
    """Questions this page's answers revealed (`shown` for the `stored` answers) that the
    respondent has not seen yet.

    Without JavaScript the page cannot show them as answers change, so it is shown again.
    """
    seen = set(form.get("_shown", "").split())
    return [
        q
        for q in section.questions
        if q.is_answerable and q.id in shown and q.id not in seen and q.id not in stored
    ]
