"""Creating a peer review, its organisations and reviewers; finding a reviewer by link;
publishing the summary."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...db import utcnow
from ...definitions.criteria import CriteriaSet, criteria_to_data
from ...errors import InvalidRequest, NotFound
from ...review_models import PARTY_ROLES, PeerReview, ReviewMember, ReviewParty
from ..audit import Actor, record
from ..tokens import looks_like_token, new_token, same_token
from .checks import (
    bounded,
    checked_language,
    criteria_of,
    host_party,
    peer_parties,
    required,
    review_target,
)

MAX_PEERS = 3


def create_review(
    session: Session,
    *,
    title: str,
    host_name: str,
    host_language: str,
    criteria: CriteriaSet,
    evaluation_start: dt.date,
    evaluation_end: dt.date,
    actor: Actor,
) -> PeerReview:
    """A new review of `host_name` on a frozen copy of `criteria`; the host is its first
    party. `host_language` is one of the set's languages."""
    check_days(evaluation_start, evaluation_end)
    review = PeerReview(
        title=required(title, "the title"),
        host_name=required(host_name, "the host's name"),
        host_language=checked_language(criteria, host_language, "the host's language"),
        criteria_set_id=criteria.id,
        criteria=criteria_to_data(criteria),
        evaluation_start=evaluation_start,
        evaluation_end=evaluation_end,
    )
    session.add(review)
    session.flush()
    detail = f"{review.title}; host {review.host_name}; criteria {criteria.id}"
    record(session, "review_created", actor=actor, target=review_target(review), detail=detail)
    add_party(
        session,
        review,
        role="host",
        name=review.host_name,
        language=review.host_language,
        actor=actor,
    )
    return review


def check_days(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidRequest("the last evaluation day must not be before the first")


def add_party(
    session: Session,
    review: PeerReview,
    *,
    role: str,
    name: str,
    language: str,
    country: str | None = None,
    actor: Actor,
) -> ReviewParty:
    """Add the host or a peer organisation (one host, at most three peers), working in one
    of the criteria set's languages."""
    if role not in PARTY_ROLES:
        raise InvalidRequest(f"a party's role is host or peer, not {role!r}")
    name = required(name, "the organisation's name")
    if any(p.name.casefold() == name.casefold() for p in review.parties):
        raise InvalidRequest(f"{name} takes part in review {review.id} already")
    if role == "host" and host_party(review) is not None:
        raise InvalidRequest(f"review {review.id} has its host already")
    if role == "peer" and len(peer_parties(review)) >= MAX_PEERS:
        raise InvalidRequest(f"a review has at most {MAX_PEERS} peer organisations")
    party = ReviewParty(
        role=role,
        name=name,
        language=checked_language(criteria_of(review), language, f"the language of {name}"),
        country=bounded(country, "the country", limit=100) or None,
    )
    review.parties.append(party)
    session.flush()
    record(
        session,
        "review_party_added",
        actor=actor,
        target=review_target(review),
        detail=f"{role} {party.name} ({party.language})",
    )
    return party


def add_member(
    session: Session,
    party: ReviewParty,
    *,
    name: str,
    email: str,
    language: str | None = None,
    actor: Actor,
) -> ReviewMember:
    """A named reviewer of `party`, with a new personal link; `language` (one of the
    criteria set's, None: the party's) is the one the reviewer's pages open in."""
    email = required(email, "the email address", limit=254)
    if "@" not in email or any(c.isspace() for c in email):
        raise InvalidRequest(f"{email!r} is not an email address")
    member = ReviewMember(
        name=required(name, "the reviewer's name"),
        email=email,
        language=_member_language(party, language),
        token=new_token(),
    )
    party.members.append(member)
    session.flush()
    record(
        session,
        "review_member_added",
        actor=actor,
        target=review_target(party.review),
        detail=f"{member.name} <{member.email}> of {party.name}",
    )
    return member


def _member_language(party: ReviewParty, language: str | None) -> str | None:
    if not (language or "").strip():
        return None
    return checked_language(criteria_of(party.review), language, "the reviewer's language")


def member_by_token(session: Session, token: str) -> ReviewMember | None:
    """The reviewer whose personal link carries `token`, or None."""
    if not looks_like_token(token):
        return None
    member = session.scalars(select(ReviewMember).where(ReviewMember.token == token)).first()
    return member if member is not None and same_token(member.token, token) else None


def member_actor(member: ReviewMember, address: str = "") -> Actor:
    """The audit log's actor for a reviewer's own save: the organisation, never the link."""
    return Actor(name=f"{member.party.name} (peer review link)", address=address)


def list_reviews(session: Session) -> list[PeerReview]:
    """Every review, newest first."""
    return list(session.scalars(select(PeerReview).order_by(PeerReview.id.desc())))


def get_review(session: Session, review_id: int) -> PeerReview:
    review = session.get(PeerReview, review_id)
    if review is None:
        raise NotFound(f"no peer review has the id {review_id}")
    return review


def party_by_name(review: PeerReview, name: str) -> ReviewParty:
    """The party of `review` called `name` (case does not matter)."""
    for party in review.parties:
        if party.name.casefold() == name.strip().casefold():
            return party
    known = ", ".join(p.name for p in review.parties)
    raise InvalidRequest(f"review {review.id} has no party {name!r} (it has: {known})")


def publish(session: Session, review: PeerReview, *, actor: Actor) -> PeerReview:
    """Make the summary visible to the host's members; publishing again is refused."""
    if review.published_at is not None:
        raise InvalidRequest(f"review {review.id} is published already")
    review.published_at = utcnow()
    session.flush()
    record(session, "review_published", actor=actor, target=review_target(review))
    return review
