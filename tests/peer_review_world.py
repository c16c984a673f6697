"""A peer review to test pages with: the shipped criteria set (criteria/procurement-unit.yaml),
a host with one member and two peers (Swedish and English) with one member each, all made
through the services as the coordinator's pages and the command line make them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.definitions import CriteriaRegistry, CriteriaSet
from surveyapp.review_models import PeerReview, ReviewMember
from surveyapp.services import peer_reviews

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = CriteriaRegistry(ROOT / "criteria").get("procurement-unit")


@dataclass
class ReviewWorld:
    review: PeerReview
    host: ReviewMember
    peer_sv: ReviewMember
    peer_en: ReviewMember
    criteria: CriteriaSet

    @property
    def first(self) -> str:
        return self.criteria.criteria[0].id

    @property
    def first_chapter(self) -> str:
        return self.criteria.criteria[0].chapter


def build_review(session: Session, criteria: CriteriaSet = CRITERIA) -> ReviewWorld:
    review = peer_reviews.create_review(
        session, title="Peer review 2027", host_name="City of Tampere", host_language="fi",
        criteria=criteria, evaluation_start=dt.date(2027, 5, 10),
        evaluation_end=dt.date(2027, 5, 11), actor=SETUP,
    )  # fmt: skip
    host_party = peer_reviews.host_party(review)
    assert host_party is not None
    malmo = peer_reviews.add_party(
        session, review, role="peer", name="City of Malmö", language="sv", actor=SETUP
    )
    dublin = peer_reviews.add_party(
        session, review, role="peer", name="Dublin City Council", language="en", actor=SETUP
    )
    host = peer_reviews.add_member(
        session, host_party, name="Liisa Virtanen", email="liisa@tampere.example", actor=SETUP
    )
    peer_sv = peer_reviews.add_member(
        session, malmo, name="Eva Berg", email="eva@malmo.example", actor=SETUP
    )
    peer_en = peer_reviews.add_member(
        session, dublin, name="Sean Byrne", email="sean@dublin.example", actor=SETUP
    )
    session.commit()
    return ReviewWorld(review, host, peer_sv, peer_en, criteria)


def score_everything(session: Session, world: ReviewWorld) -> None:
    """The host's self-assessment and both peers' scores on every criterion."""
    for n, criterion in enumerate(world.criteria.criteria):
        peer_reviews.save_assessment(
            session, world.host, criterion.id, level=3, evidence=f"Evidence {n}",
            links="https://tampere.example/doc", key_people="Head of procurement", actor=SETUP,
        )  # fmt: skip
        for member, level in ((world.peer_sv, 1 + n % 5), (world.peer_en, 2)):
            peer_reviews.save_assessment(
                session, member, criterion.id, level=level, observations=f"Seen {n}",
                questions=f"Question {n} from {member.party.name}?", actor=SETUP,
            )  # fmt: skip
    session.commit()
