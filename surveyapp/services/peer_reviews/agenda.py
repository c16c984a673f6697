"""The evaluation days' agenda: drafted from the pre-report, then edited by the coordinator."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...errors import InvalidRequest
from ...review_models import PeerReview, ReviewAgendaItem, ReviewAssessment
from ..audit import Actor, record
from .assessments import assessments_by_party
from .checks import bounded, criteria_of, host_party, peer_parties, review_target
from .scores import disagreement


def draft_agenda(session: Session, review: PeerReview, *, actor: Actor) -> list[ReviewAgendaItem]:
    """One item per criterion, the most divergent first (criteria without scores last, in
    the set's order), with the peers' questions and the host's key people. Drafting again
    replaces every item."""
    order = divergence_order(session, review)
    session.execute(delete(ReviewAgendaItem).where(ReviewAgendaItem.review_id == review.id))
    views = assessments_by_party(session, review)
    host = host_party(review)
    host_views = views.get(host.id, {}) if host else {}
    two_days = review.evaluation_end > review.evaluation_start
    first_day = (len(order) + 1) // 2
    items = []
    for position, criterion_id in enumerate(order, start=1):
        key_people = host_views.get(criterion_id)
        item = ReviewAgendaItem(
            review_id=review.id,
            criterion_id=criterion_id,
            position=position,
            day=2 if two_days and position > first_day else 1,
            questions=_questions(review, views, criterion_id),
            interviewees=key_people.key_people if key_people else "",
        )
        session.add(item)
        items.append(item)
    session.flush()
    record(
        session,
        "review_agenda_drafted",
        actor=actor,
        target=review_target(review),
        detail=f"{len(items)} items",
    )
    return items


def divergence_order(session: Session, review: PeerReview) -> list[str]:
    """The criteria ids, largest divergence first (the peers' spread where the host gave
    no level: scores.disagreement); those without a peer's level last, in the set's order
    (a stable sort keeps the set's order among equals)."""
    views = assessments_by_party(session, review)
    host = host_party(review)
    host_views = views.get(host.id, {}) if host else {}
    peers = peer_parties(review)
    ranked = []
    for criterion in criteria_of(review).criteria:
        own = host_views.get(criterion.id)
        peer_levels = [_level(views[p.id].get(criterion.id)) for p in peers]
        found = disagreement(_level(own), peer_levels)
        ranked.append((found is None, -(found or 0.0), criterion.id))
    return [criterion_id for *_, criterion_id in sorted(ranked, key=lambda r: (r[0], r[1]))]


def _level(assessment: ReviewAssessment | None) -> int | None:
    return assessment.level if assessment else None


def _questions(
    review: PeerReview, views: dict[int, dict[str, ReviewAssessment]], criterion_id: str
) -> str:
    lines = []
    for peer in peer_parties(review):
        found = views[peer.id].get(criterion_id)
        if found and found.questions:
            lines.append(f"{peer.name}: {found.questions}")
    return "\n".join(lines)


def agenda_items(session: Session, review: PeerReview) -> list[ReviewAgendaItem]:
    return list(
        session.scalars(
            select(ReviewAgendaItem)
            .where(ReviewAgendaItem.review_id == review.id)
            .order_by(ReviewAgendaItem.position, ReviewAgendaItem.id)
        )
    )


def agenda_item(session: Session, review: PeerReview, item_id: int) -> ReviewAgendaItem:
    item = session.get(ReviewAgendaItem, item_id)
    if item is None or item.review_id != review.id:
        raise InvalidRequest(f"review {review.id} has no agenda item {item_id}")
    return item


def update_agenda_item(
    session: Session,
    item: ReviewAgendaItem,
    *,
    day: int,
    questions: str,
    interviewees: str,
    actor: Actor,
) -> ReviewAgendaItem:
    """Change one item's day, questions and interviewees."""
    if day not in (1, 2):
        raise InvalidRequest("an agenda item is on day 1 or day 2")
    item.day = day
    item.questions = bounded(questions, "the questions")
    item.interviewees = bounded(interviewees, "the interviewees")
    session.flush()
    record(
        session,
        "review_agenda_changed",
        actor=actor,
        target=f"review {item.review_id}",
        detail=f"{item.criterion_id} edited",
    )
    return item


def move(session: Session, item: ReviewAgendaItem, *, by: int, actor: Actor) -> None:
    """Move `item` `by` places (-1 up, +1 down), within the agenda."""
    review = session.get(PeerReview, item.review_id)
    assert review is not None  # the item's foreign key holds it
    items = agenda_items(session, review)
    start = items.index(item)
    target = max(0, min(len(items) - 1, start + by))
    if target == start:
        return
    items.insert(target, items.pop(start))
    for position, each in enumerate(items, start=1):
        each.position = position
    session.flush()
    record(
        session,
        "review_agenda_changed",
        actor=actor,
        target=review_target(review),
        detail=f"{item.criterion_id} moved to place {target + 1}",
    )
