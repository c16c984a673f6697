"""Reviewers' saves by personal link: the host's self-assessment, the peers' scores, and in
a re-run the host's word on each earlier action."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from ...errors import InvalidRequest
from ...review_models import (
    FOLLOW_UP_STATUSES,
    PeerReview,
    ReviewAction,
    ReviewAssessment,
    ReviewFollowUp,
    ReviewMember,
    ReviewParty,
)
from ..audit import Actor, record
from .checks import bounded, checked_level, criterion_of, review_target, unpublished

HOST_FIELDS = ("evidence", "links", "key_people")
PEER_FIELDS = ("observations", "questions")


class StaleAssessment(InvalidRequest):
    """Another member of the party saved this criterion after the form was opened;
    `current` is what they saved. The page keeps the typed text and shows `current` beside it."""

    status_code = 409

    def __init__(self, current: ReviewAssessment) -> None:
        self.current = current
        super().__init__(
            f"{current.criterion_id} was changed by someone else of your organisation after "
            "this form was opened; compare with the saved version and save again"
        )


def save_assessment(
    session: Session,
    member: ReviewMember,
    criterion_id: str,
    *,
    level: int | None,
    evidence: str | None = None,
    links: str | None = None,
    key_people: str | None = None,
    observations: str | None = None,
    questions: str | None = None,
    seen_version: int | None = None,
    actor: Actor,
) -> ReviewAssessment:
    """Save the member's organisation's view of one criterion: a host member's level,
    evidence, links and key people, a peer member's level, observations and questions.
    A text left None stays as it was; the other role's texts are refused.

    `seen_version` is the assessment's `version` when the form was opened (0 when none was
    saved; None skips the check, for the CLI and the demo): a different stored version
    raises StaleAssessment. Nothing changes when anything is refused."""
    party = member.party
    review = party.review
    unpublished(review, "the assessments")
    criterion = criterion_of(review, criterion_id)
    given = {
        "evidence": evidence,
        "links": links,
        "key_people": key_people,
        "observations": observations,
        "questions": questions,
    }
    own = HOST_FIELDS if party.role == "host" else PEER_FIELDS
    foreign = [name for name, value in given.items() if name not in own and value]
    if foreign:
        raise InvalidRequest(f"a {party.role} member does not give {', '.join(foreign)}")
    checked = checked_level(criterion, level)
    texts = {
        name: bounded(given[name], name.replace("_", " "))
        for name in own
        if given[name] is not None
    }
    assessment = _assessment(session, party, criterion.id)
    if seen_version is not None and assessment.version != seen_version:
        raise StaleAssessment(assessment)
    if assessment.id is None:
        session.add(assessment)
    assessment.level = checked
    for name, text in texts.items():
        setattr(assessment, name, text)
    assessment.version += 1
    assessment.updated_by = member.id
    session.flush()
    record(
        session,
        "review_assessment_saved",
        actor=actor,
        target=review_target(review),
        detail=f"{party.name}: {criterion.id} level {_shown(assessment.level)}",
    )
    return assessment


def _shown(level: int | None) -> str:
    return "none" if level is None else str(level)


def _assessment(session: Session, party: ReviewParty, criterion_id: str) -> ReviewAssessment:
    found = session.scalars(
        select(ReviewAssessment).where(
            ReviewAssessment.party_id == party.id, ReviewAssessment.criterion_id == criterion_id
        )
    ).first()
    if found is None:  # not added to the session until the save is known to go ahead
        found = ReviewAssessment(party_id=party.id, criterion_id=criterion_id, version=0)
    return found


def save_follow_up(
    session: Session,
    member: ReviewMember,
    action_id: int,
    *,
    status: str | None,
    explanation: str,
    actor: Actor,
) -> ReviewFollowUp:
    """A host member says what became of one action of the earlier review: `status` is
    required (None or "" is refused), since "not started" is an answer of its own."""
    party = member.party
    if party.role != "host":
        raise InvalidRequest("only the host's members report on the earlier actions")
    if not status:
        raise InvalidRequest(
            f"choose what became of action {action_id}: done, in progress, not started or dropped"
        )
    if status not in FOLLOW_UP_STATUSES:
        raise InvalidRequest(
            f"a follow-up's status is one of {', '.join(FOLLOW_UP_STATUSES)}, not {status!r}"
        )
    follow_up = session.scalars(
        select(ReviewFollowUp).where(
            ReviewFollowUp.review_id == party.review_id, ReviewFollowUp.action_id == action_id
        )
    ).first()
    if follow_up is None:
        raise InvalidRequest(f"action {action_id} is not an earlier action of this review")
    unpublished(party.review, "the follow-ups")
    follow_up.status = status
    follow_up.explanation = bounded(explanation, "the explanation")
    follow_up.updated_by = member.id
    session.flush()
    record(
        session,
        "review_follow_up_saved",
        actor=actor,
        target=review_target(party.review),
        detail=f"action {action_id}: {status}",
    )
    return follow_up


def assessments_by_party(
    session: Session, review: PeerReview
) -> dict[int, dict[str, ReviewAssessment]]:
    """{party id: {criterion id: assessment}} of every party of `review`."""
    found: dict[int, dict[str, ReviewAssessment]] = {p.id: {} for p in review.parties}
    rows = session.scalars(
        select(ReviewAssessment).join(ReviewParty).where(ReviewParty.review_id == review.id)
    )
    for row in rows:
        found[row.party_id][row.criterion_id] = row
    return found


def progress(session: Session, review: PeerReview) -> dict[int, int]:
    """{party id: how many criteria it has given a level}."""
    counted = dict.fromkeys((p.id for p in review.parties), 0)
    rows = session.execute(
        select(ReviewAssessment.party_id, func.count())
        .join(ReviewParty)
        .where(ReviewParty.review_id == review.id, ReviewAssessment.level.is_not(None))
        .group_by(ReviewAssessment.party_id)
    )
    for party_id, count in rows:
        counted[party_id] = count
    return counted


def follow_ups(session: Session, review: PeerReview) -> list[ReviewFollowUp]:
    """The follow-up of each earlier action, in the earlier summary's order; each with its
    action loaded by the same query (pages and reports read `action` of every row)."""
    return list(
        session.scalars(
            select(ReviewFollowUp)
            .join(ReviewAction, ReviewFollowUp.action_id == ReviewAction.id)
            .options(contains_eager(ReviewFollowUp.action))
            .where(ReviewFollowUp.review_id == review.id)
            .order_by(ReviewAction.position, ReviewAction.id)
        )
    )
