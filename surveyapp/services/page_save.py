"""A survey page's save: worked out from the answers read with the link and written if the
response has not changed since (its revision), or else under the response's lock. It never
commits: the caller's one write transaction does (db.begin_write)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..db import utcnow
from ..definitions import Section, Survey, visible_questions
from ..forms.dynamic import Parsed
from .page_answers import (
    Action,
    PageAnswers,
    check_page,
    merged_answers,
    revealed_questions,
    section_after,
)
from .response_reads import Link, LinkResponse, condition_values
from .response_writes import ensure_response, language_change, update_response, write_answers


@dataclass
class SavedPage:
    """What a page save did: errors by field name (none: the page was stored), all stored
    answers afterwards, the questions they show, and where the page leads."""

    errors: dict[str, str]
    answers: dict[str, Any]
    shown: Container[str]
    # The answers revealed questions the respondent has not seen: show the page again.
    revealed: bool = False
    # Otherwise, without errors: the next page's section id, or None for the review.
    target: str | None = None


def save_page(
    session: Session,
    link: Link,
    survey: Survey,
    section: Section,
    parsed: Mapping[str, Parsed],
    *,
    action: Action,
    language: str,
    seen: Container[str],
    returning: bool,
) -> SavedPage:
    """Save a parsed page (forms.dynamic.parse_section) of `link`'s response, shown in
    `language`, inside the caller's write transaction (it never commits).

    A draft keeps its valid answers even when others on the page fail, while a submitted
    response changes only when the whole page is valid, so what counts is always a
    complete submission. `seen`: the questions the page showed; `returning`: the
    respondent came from the review page.

    With the answers read with the link (resolve_link with_answers), the save is worked
    out from them and written only if the response is still at the revision read with
    them: the UPDATE that checks it also takes the row's lock, so no other save can come
    between. Otherwise (the first save creates the response; another tab saved in between)
    the row is locked, its answers read again and the save worked out from those.
    """
    how: dict[str, Any] = {"action": action, "seen": seen, "returning": returning}
    if link.response is not None and link.answers is not None:
        response = link.response
        saved, page = _worked_out(survey, section, parsed, link.answers, response.status, **how)
        stored = link.answers
        if _stored(session, response, stored, saved, page, section, language, response.revision):
            return saved
    response = ensure_response(session, link, language)  # and its answers, under the lock
    stored = link.stored_answers()
    saved, page = _worked_out(survey, section, parsed, stored, response.status, **how)
    _stored(session, response, stored, saved, page, section, language, None)
    return saved


def _worked_out(
    survey: Survey,
    section: Section,
    parsed: Mapping[str, Parsed],
    stored: dict[str, Any],
    status: str,
    *,
    action: Action,
    seen: Container[str],
    returning: bool,
) -> tuple[SavedPage, PageAnswers | None]:
    """What saving the page over the `stored` answers of a response in `status` stores
    (None: nothing), shows and leads to. It writes nothing."""
    conditions = condition_values(merged_answers(stored, parsed))
    shown = visible_questions(survey, conditions)
    page = check_page(section, parsed, shown, check_required=action != "back")
    saved = SavedPage(page.errors, stored, shown)
    if status == "submitted" and page.errors:  # nothing stored
        if condition_values(stored) != conditions:
            saved.shown = visible_questions(survey, condition_values(stored))
        return saved, None
    # What write_answers will leave in the database, without reading it again.
    saved.answers = {k: v for k, v in stored.items() if k not in page.remove}
    saved.answers.update(page.values)
    after = condition_values(saved.answers)
    if after != conditions:  # a hidden or refused answer is not stored: work it out again
        saved.shown = visible_questions(survey, after)
    if not page.errors:
        new = revealed_questions(section, saved.answers, saved.shown, seen)
        saved.revealed = action != "back" and bool(new)
        if not saved.revealed:
            saved.target = section_after(survey, saved.shown, section, action, returning)
    return saved, page


def _stored(
    session: Session,
    response: LinkResponse,
    stored: Mapping[str, Any],
    saved: SavedPage,
    page: PageAnswers | None,
    section: Section,
    language: str,
    if_revision: int | None,
) -> bool:
    """Write a worked-out save: the response's row first (its lock; with `if_revision`,
    only at that revision, else False and nothing written), then the answers that differ
    from the `stored` ones it was worked out over."""
    if page is None:
        return True  # nothing to write: what it was worked out over is as good as any read
    # A returning respondent continues on the page they were sent to (or stayed on).
    changes = {"updated_at": utcnow(), "last_section": saved.target or section.id}
    changes.update(language_change(response, language))
    if not update_response(session, response, if_revision=if_revision, **changes):
        return False
    write_answers(session, response, page.values, page.remove, touch=False, stored=stored)
    return True
