"""The reviewers' personal links, handed out to the coordinator (and recorded as such)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ...review_models import PeerReview
from ..audit import Actor, record
from .checks import review_target


@dataclass(frozen=True)
class MemberLink:
    organisation: str
    role: str
    name: str
    email: str
    language: str
    link: str


def member_link(base_url: str, token: str) -> str:
    """A reviewer's personal link (`/r/<token>`)."""
    return f"{base_url.rstrip('/')}/r/{token}"


def personal_links(
    session: Session, review: PeerReview, base_url: str, *, actor: Actor
) -> list[MemberLink]:
    """Every member's link, the host's first; the download is audited (without tokens)."""
    found = [
        MemberLink(
            organisation=party.name,
            role=party.role,
            name=member.name,
            email=member.email,
            language=member.language or party.language,
            link=member_link(base_url, member.token),
        )
        for party in sorted(review.parties, key=lambda p: (p.role != "host", p.id))
        for member in party.members
    ]
    record(
        session,
        "review_links_downloaded",
        actor=actor,
        target=review_target(review),
        detail=f"{len(found)} links",
    )
    return found
