"""Stored answers as a respondent's pages show them: in the question widgets' shape, and
as words on the review page."""

from __future__ import annotations

from typing import Any

from ..definitions import Question, Section, localize
from ..forms.dynamic import NA, OTHER
from ..i18n import _


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
    if q.kind.is_choice:
        chosen = value if isinstance(value, list) else [value]
        labels = {str(o.value): localize(o.label, lang) for o in q.options}
        other = stored.get(f"{q.id}.other", "")
        return ", ".join(
            _("Other: %(text)s", text=other) if str(v) == OTHER else labels.get(str(v), str(v))
            for v in chosen
        )
    if q.kind.points == "scale" and q.kind.shape == "one" and q.scale:
        return next(
            (localize(p.label, lang) for p in q.scale.points if p.value == value), str(value)
        )
    if q.kind.shape == "rows" and q.scale:
        points = {p.value: localize(p.label, lang) for p in q.scale.points}
        return "; ".join(
            f"{localize(r.label, lang)}: {points.get(value.get(str(r.value)), '–')}" for r in q.rows
        )
    return str(value)


def matrix_rows(q: Question, stored: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """A matrix's answer as (row label, answer) per row, for a list on the review page;
    [] for other questions and unanswered matrices."""
    value = stored.get(q.id)
    if q.kind.shape != "rows" or not isinstance(value, dict) or not q.scale:
        return []
    points = {p.value: localize(p.label, lang) for p in q.scale.points}
    return [(localize(r.label, lang), _point(points, value.get(str(r.value)))) for r in q.rows]


def section_ids(section: Section) -> set[str]:
    """Answer keys that belong to a section's questions."""
    return {q.id for q in section.questions} | {f"{q.id}.other" for q in section.questions}


def _point(points: dict[Any, str], value: Any) -> str:
    found = points.get(value) if isinstance(value, int) else None
    return found or _("Not answered")
