"""The evaluation days' notes per criterion and the final level the peers agree."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...errors import InvalidRequest
from ...review_models import PeerReview, ReviewNote
from ..audit import Actor, record
from .checks import bounded, checked_level, criterion_of, review_target, unpublished


class StaleNote(InvalidRequest):
    """Someone saved the note after this form was opened; `current` is what they saved.

    The page keeps every field as typed and shows the saved version beside it."""

    status_code = 409

    def __init__(self, current: ReviewNote) -> None:
        self.current = current
        super().__init__(
            f"the notes on {current.criterion_id} were changed by someone else after this "
            "form was opened; compare with the saved version and save again"
        )


def save_note(
    session: Session,
    review: PeerReview,
    criterion_id: str,
    *,
    notes: str,
    final_level: int | None,
    strengths: str,
    development_areas: str,
    seen_version: int | None = None,
    actor: Actor,
) -> ReviewNote:
    """Save one criterion's notes. `seen_version` is the note's `version` when the form
    was opened (0 for a new note; None skips the check): a different saved version raises
    StaleNote, as does a first note someone else saved at the same moment. Nothing is
    changed when anything is refused, so the form can keep the text; refused once the
    summary is published."""
    unpublished(review, "the notes")
    criterion = criterion_of(review, criterion_id)
    level = checked_level(criterion, final_level)
    texts = {
        "notes": bounded(notes, "the notes"),
        "strengths": bounded(strengths, "the strengths"),
        "development_areas": bounded(development_areas, "the development areas"),
    }
    note = note_of(session, review, criterion.id)
    if seen_version is not None and (note.version if note else 0) != seen_version:
        assert note is not None  # version 0 is a note not saved yet
        raise StaleNote(note)
    if note is None:
        note = _first_note(session, review, criterion.id)
    note.final_level = level
    for name, value in texts.items():
        setattr(note, name, value)
    note.version += 1
    session.flush()
    shown = "none" if level is None else str(level)
    record(
        session,
        "review_note_saved",
        actor=actor,
        target=review_target(review),
        detail=f"{criterion.id}: final level {shown}",
    )
    return note


def _first_note(session: Session, review: PeerReview, criterion_id: str) -> ReviewNote:
    """A new, empty note (version 0), inserted at once in a savepoint: when another
    coordinator's first note won the race, the unique constraint refuses this one, only the
    savepoint is rolled back (PostgreSQL would abort the whole transaction) and theirs is
    shown as StaleNote."""
    note = ReviewNote(review_id=review.id, criterion_id=criterion_id, version=0)
    try:
        with session.begin_nested():
            session.add(note)
            session.flush()
    except IntegrityError:
        current = note_of(session, review, criterion_id)
        if current is None:  # refused for another reason
            raise
        raise StaleNote(current) from None
    return note


def note_of(session: Session, review: PeerReview, criterion_id: str) -> ReviewNote | None:
    return session.scalars(
        select(ReviewNote).where(
            ReviewNote.review_id == review.id, ReviewNote.criterion_id == criterion_id
        )
    ).first()


def notes_of(session: Session, review: PeerReview) -> dict[str, ReviewNote]:
    """{criterion id: note} of the review."""
    rows = session.scalars(select(ReviewNote).where(ReviewNote.review_id == review.id))
    return {row.criterion_id: row for row in rows}
