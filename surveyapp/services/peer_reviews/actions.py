"""The summary's action proposals: each with an owner, a due date and a priority."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...errors import InvalidRequest
from ...review_models import PRIORITIES, PeerReview, ReviewAction, ReviewFollowUp
from ..audit import Actor, record
from .checks import MAX_NAME, bounded, criterion_of, required, review_target, unpublished

MAX_TITLE = 1_000


def add_action(
    session: Session,
    review: PeerReview,
    *,
    title: str,
    owner: str = "",
    due_on: dt.date | None = None,
    priority: str = "medium",
    criterion_id: str | None = None,
    carried_from_id: int | None = None,
    actor: Actor,
) -> ReviewAction:
    """A new action proposal at the end of the review's list (not after publication)."""
    unpublished(review, "the actions")
    last = session.scalar(
        select(func.max(ReviewAction.position)).where(ReviewAction.review_id == review.id)
    )
    action = ReviewAction(review_id=review.id, position=(last or 0) + 1)
    _fill(session, review, action, title, owner, due_on, priority, criterion_id)
    action.carried_from_id = _carried_from(session, review, carried_from_id)
    session.add(action)
    session.flush()
    record(
        session,
        "review_action_added",
        actor=actor,
        target=review_target(review),
        detail=f"action {action.id}: {action.title[:100]}",
    )
    return action


def update_action(
    session: Session,
    action: ReviewAction,
    *,
    title: str,
    owner: str,
    due_on: dt.date | None,
    priority: str,
    criterion_id: str | None,
    actor: Actor,
) -> ReviewAction:
    review = _review(session, action)
    unpublished(review, "the actions")
    _fill(session, review, action, title, owner, due_on, priority, criterion_id)
    session.flush()
    record(
        session,
        "review_action_changed",
        actor=actor,
        target=review_target(review),
        detail=f"action {action.id}: {action.title[:100]}",
    )
    return action


def delete_action(session: Session, action: ReviewAction, *, actor: Actor) -> None:
    """Remove an action; refused once a re-run asks about it (the more telling reason)
    and after publication."""
    followed = session.scalar(select(func.count()).where(ReviewFollowUp.action_id == action.id))
    if followed:
        raise InvalidRequest("a re-run reports on this action; it can no longer be deleted")
    review = _review(session, action)
    unpublished(review, "the actions")
    detail = f"action {action.id}: {action.title[:100]}"
    session.delete(action)
    session.flush()
    record(
        session, "review_action_deleted", actor=actor, target=review_target(review), detail=detail
    )


def actions_of(session: Session, review: PeerReview) -> list[ReviewAction]:
    return list(
        session.scalars(
            select(ReviewAction)
            .where(ReviewAction.review_id == review.id)
            .order_by(ReviewAction.position, ReviewAction.id)
        )
    )


def action_of(session: Session, review: PeerReview, action_id: int) -> ReviewAction:
    action = session.get(ReviewAction, action_id)
    if action is None or action.review_id != review.id:
        raise InvalidRequest(f"review {review.id} has no action {action_id}")
    return action


def _review(session: Session, action: ReviewAction) -> PeerReview:
    review = session.get(PeerReview, action.review_id)
    assert review is not None  # the action's foreign key holds it
    return review


def _fill(
    session: Session,
    review: PeerReview,
    action: ReviewAction,
    title: str,
    owner: str,
    due_on: dt.date | None,
    priority: str,
    criterion_id: str | None,
) -> None:
    if priority not in PRIORITIES:
        raise InvalidRequest(f"a priority is one of {', '.join(PRIORITIES)}, not {priority!r}")
    action.title = required(title, "the action's title", limit=MAX_TITLE)
    action.owner = bounded(owner, "the owner", limit=MAX_NAME)
    action.due_on = due_on
    action.priority = priority
    action.criterion_id = criterion_of(review, criterion_id).id if criterion_id else None


def _carried_from(session: Session, review: PeerReview, action_id: int | None) -> int | None:
    """The earlier review's action a new one continues; only of the review this re-runs."""
    if action_id is None:
        return None
    earlier = session.get(ReviewAction, action_id)
    if earlier is None or review.previous_review_id is None:
        raise InvalidRequest(f"action {action_id} is not an action of the earlier review")
    if earlier.review_id != review.previous_review_id:
        raise InvalidRequest(f"action {action_id} is not an action of the earlier review")
    return earlier.id
