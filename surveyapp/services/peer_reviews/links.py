"""What leaves a review as a file: the reviewers' personal links (to the coordinator) and the
reports (to the coordinator and the host's members); each is recorded as it is handed out."""

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


def report_downloaded(
    session: Session,
    review: PeerReview,
    kind: str,
    file_name: str,
    size: int,
    *,
    actor: Actor,
) -> None:
    """Record that the review's pre-report or summary (`kind` "pre" or "summary") was handed
    out as `file_name` (a PDF or a workbook, `size` bytes)."""
    detail = f"{kind}: {file_name}, {size} bytes"
    record(
        session,
        "review_report_downloaded",
        actor=actor,
        target=review_target(review),
        detail=detail,
    )
