"""The re-run of a published review one or two years later: the same organisations and reviewers
(new links), the criteria mapped through `continues`, a follow-up of each earlier action."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...definitions.criteria import CriteriaSet, criteria_to_data
from ...errors import InvalidRequest
from ...review_models import PeerReview, ReviewFollowUp, ReviewMember, ReviewParty
from ..audit import Actor, record
from ..tokens import new_token
from .actions import actions_of
from .checks import criteria_of, required, review_target
from .reviews import check_days


def start_rerun(
    session: Session,
    earlier: PeerReview,
    *,
    criteria: CriteriaSet,
    evaluation_start: dt.date,
    evaluation_end: dt.date,
    title: str | None = None,
    actor: Actor,
) -> PeerReview:
    """A new review of the same host by the same peers, on `criteria` (the earlier set or
    its successor); each earlier action gets a follow-up for the host to fill in."""
    if earlier.published_at is None:
        raise InvalidRequest(f"publish review {earlier.id} before starting its re-run")
    if rerun_of(session, earlier) is not None:
        raise InvalidRequest(f"review {earlier.id} has been re-run already")
    check_days(evaluation_start, evaluation_end)
    if evaluation_start <= earlier.evaluation_end:
        raise InvalidRequest("a re-run's evaluation days come after the earlier review's")
    review = PeerReview(
        title=required(title or f"{earlier.title} – {evaluation_start.year}", "the title"),
        host_name=earlier.host_name,
        host_language=earlier.host_language,
        criteria_set_id=criteria.id,
        criteria=criteria_to_data(criteria),
        evaluation_start=evaluation_start,
        evaluation_end=evaluation_end,
        previous_review_id=earlier.id,
    )
    session.add(review)
    for party in earlier.parties:
        review.parties.append(_copy(party))
    session.flush()
    actions = actions_of(session, earlier)
    for action in actions:
        session.add(ReviewFollowUp(review_id=review.id, action_id=action.id))
    session.flush()
    record(
        session,
        "review_rerun_started",
        actor=actor,
        target=review_target(review),
        detail=f"re-run of review {earlier.id}; criteria {criteria.id}; "
        f"{len(actions)} earlier actions to follow up",
    )
    return review


def _copy(party: ReviewParty) -> ReviewParty:
    copied = ReviewParty(
        role=party.role, name=party.name, language=party.language, country=party.country
    )
    copied.members = [
        ReviewMember(name=m.name, email=m.email, language=m.language, token=new_token())
        for m in party.members
    ]
    return copied


def rerun_of(session: Session, review: PeerReview) -> PeerReview | None:
    """The review that re-runs `review`, if any."""
    return session.scalars(
        select(PeerReview).where(PeerReview.previous_review_id == review.id)
    ).first()


def earlier_criteria(review: PeerReview) -> dict[str, tuple[str, ...]]:
    """{criterion id of `review`: the ids of the earlier review's criteria it carries on}:
    the same id, and those it `continues`. Empty for a review that re-runs nothing."""
    earlier = review.previous
    if earlier is None:
        return {}
    earlier_ids = {c.id for c in criteria_of(earlier).criteria}
    mapping = {}
    for criterion in criteria_of(review).criteria:
        candidates = (criterion.id, *criterion.continues)
        mapping[criterion.id] = tuple(
            dict.fromkeys(cid for cid in candidates if cid in earlier_ids)
        )
    return mapping
