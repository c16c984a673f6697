"""The re-run of a published review one or two years later: the same organisations and reviewers
(new links), the criteria mapped through `continues`, a follow-up of each earlier action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...definitions.criteria import CriteriaSet, criteria_to_data
from ...errors import InvalidRequest
from ...review_models import PeerReview, ReviewFollowUp, ReviewMember, ReviewParty
from ..audit import Actor, record
from ..tokens import new_token
from .actions import actions_of
from .checks import checked_language, criteria_of, required, review_target
from .reviews import check_days


@dataclass(frozen=True)
class CriteriaMapping:
    """How a later criteria set carries on an earlier one."""

    carried: dict[str, tuple[str, ...]]  # {later id: the earlier ids it carries on}
    unmapped_earlier: tuple[str, ...]  # earlier criteria no later one carries on
    unmapped_new: tuple[str, ...]  # later criteria that carry on no earlier one
    unknown_continues: tuple[tuple[str, str], ...]  # (later id, a `continues` id not earlier)

    def described(self) -> str:
        """The gaps in a line for the audit log; "" when every criterion is carried on."""
        parts = []
        if self.unmapped_earlier:
            parts.append(f"earlier criteria not carried on: {', '.join(self.unmapped_earlier)}")
        if self.unmapped_new:
            parts.append(f"new criteria without an earlier one: {', '.join(self.unmapped_new)}")
        if self.unknown_continues:
            pairs = ", ".join(f"{new} continues {old}" for new, old in self.unknown_continues)
            parts.append(f"not in the earlier set: {pairs}")
        return "; ".join(parts)


@dataclass(frozen=True)
class RerunStart:
    """start_rerun's result: the new review and what its criteria leave unmapped (shown to
    the coordinator, who may pick another set)."""

    review: PeerReview
    mapping: CriteriaMapping


def start_rerun(
    session: Session,
    earlier: PeerReview,
    *,
    criteria: CriteriaSet,
    evaluation_start: dt.date,
    evaluation_end: dt.date,
    title: str | None = None,
    actor: Actor,
) -> RerunStart:
    """A new review of the same host by the same peers, on `criteria` (the earlier set or
    its successor); each earlier action gets a follow-up for the host to fill in. The
    result tells which criteria the mapping leaves out; the audit detail names them too."""
    if earlier.published_at is None:
        raise InvalidRequest(f"publish review {earlier.id} before starting its re-run")
    if rerun_of(session, earlier) is not None:
        raise InvalidRequest(f"review {earlier.id} has been re-run already")
    check_days(evaluation_start, evaluation_end)
    if evaluation_start <= earlier.evaluation_end:
        raise InvalidRequest("a re-run's evaluation days come after the earlier review's")
    parties = [_copy(party, criteria) for party in earlier.parties]  # checked before any add
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
    review.parties.extend(parties)
    session.flush()
    actions = actions_of(session, earlier)
    for action in actions:
        session.add(ReviewFollowUp(review_id=review.id, action_id=action.id))
    session.flush()
    mapping = criteria_mapping(criteria_of(earlier), criteria)
    gaps = mapping.described()
    record(
        session,
        "review_rerun_started",
        actor=actor,
        target=review_target(review),
        detail=f"re-run of review {earlier.id}; criteria {criteria.id}; "
        f"{len(actions)} earlier actions to follow up" + (f"; {gaps}" if gaps else ""),
    )
    return RerunStart(review, mapping)


def _copy(party: ReviewParty, criteria: CriteriaSet) -> ReviewParty:
    """The party and its members with new links; their languages must be the new set's."""
    language = checked_language(criteria, party.language, f"the language of {party.name}")
    copied = ReviewParty(role=party.role, name=party.name, language=language, country=party.country)
    copied.members = [
        ReviewMember(
            name=m.name,
            email=m.email,
            # A language the new set lacks falls back to the party's.
            language=m.language if m.language in criteria.languages else None,
            token=new_token(),
        )
        for m in party.members
    ]
    return copied


def rerun_of(session: Session, review: PeerReview) -> PeerReview | None:
    """The review that re-runs `review`, if any."""
    return session.scalars(
        select(PeerReview).where(PeerReview.previous_review_id == review.id)
    ).first()


def earlier_criteria(review: PeerReview) -> dict[str, tuple[str, ...]]:
    """{criterion id of `review`: the ids of the earlier review's criteria it carries on}.
    Empty for a review that re-runs nothing. See criteria_mapping."""
    earlier = review.previous
    if earlier is None:
        return {}
    return criteria_mapping(criteria_of(earlier), criteria_of(review)).carried


def criteria_mapping(earlier: CriteriaSet, later: CriteriaSet) -> CriteriaMapping:
    """Each later criterion carries on those it `continues`, and the earlier criterion of its
    own id unless another later criterion names that one in its `continues` (an id reused
    for a new criterion)."""
    earlier_ids = [c.id for c in earlier.criteria]
    continued = {cid for c in later.criteria for cid in c.continues}
    carried, unknown = {}, []
    for criterion in later.criteria:
        unknown += [(criterion.id, cid) for cid in criterion.continues if cid not in earlier_ids]
        same_id = criterion.id not in continued or criterion.id in criterion.continues
        candidates = (*((criterion.id,) if same_id else ()), *criterion.continues)
        carried[criterion.id] = tuple(dict.fromkeys(c for c in candidates if c in earlier_ids))
    reached = {cid for ids in carried.values() for cid in ids}
    return CriteriaMapping(
        carried=carried,
        unmapped_earlier=tuple(cid for cid in earlier_ids if cid not in reached),
        unmapped_new=tuple(cid for cid, ids in carried.items() if not ids),
        unknown_continues=tuple(unknown),
    )
