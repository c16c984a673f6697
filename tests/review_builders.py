"""Builders for peer review tests: a small criteria set and a review with its parties.

The criteria set is built from the dataclasses (3 chapters x 2 criteria, a 5-point
scale), so the tests need no criteria file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.db import Base, make_engine
from surveyapp.definitions.criteria import CriteriaSet, Criterion, Level
from surveyapp.models import AuditEvent
from surveyapp.review_models import PeerReview, ReviewMember
from surveyapp.services import peer_reviews

CHAPTERS = ("how", "what", "who")
LABELS = ("Ad hoc", "Repeated", "Defined", "Managed", "Optimised")
DAY_ONE = dt.date(2027, 5, 10)


def _text(english: str) -> dict[str, str]:
    return {"en": english, "fi": f"{english} (fi)", "sv": f"{english} (sv)"}


def criterion(
    criterion_id: str, chapter: str, continues: Sequence[str] = (), points: int = 5
) -> Criterion:
    levels = tuple(
        Level(value, _text(LABELS[value - 1]), _text(f"{criterion_id} at {value}"))
        for value in range(1, points + 1)
    )
    return Criterion(
        id=criterion_id,
        chapter=chapter,
        topic=None,
        text=_text(f"Criterion {criterion_id}"),
        guidance=_text(f"Evidence for {criterion_id}"),
        levels=levels,
        continues=tuple(continues),
    )


def criteria_set(
    set_id: str = "test-set",
    *,
    continues: Mapping[str, Sequence[str]] | None = None,
    renamed: Mapping[str, str] | None = None,
) -> CriteriaSet:
    """3 chapters x 2 criteria (how_1, how_2, what_1, …); `renamed` gives an old id a new
    one, `continues` the ids a criterion continues."""
    continues, renamed = continues or {}, renamed or {}
    found = []
    for chapter in CHAPTERS:
        for number in (1, 2):
            old_id = f"{chapter}_{number}"
            new_id = renamed.get(old_id, old_id)
            found.append(criterion(new_id, chapter, continues.get(new_id, ())))
    return CriteriaSet(
        id=set_id,
        title=_text("Test criteria"),
        manual_revision="0.3",
        languages=("en", "fi", "sv"),
        criteria=tuple(found),
    )


def new_review(db: Session, criteria: CriteriaSet | None = None, *, peers: int = 2) -> PeerReview:
    """A review of a Finnish host by `peers` peers, one member each."""
    review = peer_reviews.create_review(
        db,
        title="Peer review 2027",
        host_name="City of Testville",
        host_language="fi",
        criteria=criteria or criteria_set(),
        evaluation_start=DAY_ONE,
        evaluation_end=DAY_ONE + dt.timedelta(days=1),
        actor=SETUP,
    )
    host = peer_reviews.host_party(review)
    assert host is not None
    peer_reviews.add_member(db, host, name="Hanna Host", email="hanna@host.example", actor=SETUP)
    for number in range(1, peers + 1):
        party = peer_reviews.add_party(
            db, review, role="peer", name=f"Peer City {number}", language="sv", actor=SETUP
        )
        peer_reviews.add_member(
            db, party, name=f"Peer {number}", email=f"p{number}@peer.example", actor=SETUP
        )
    db.commit()
    return review


def member_of(review: PeerReview, party_name: str) -> ReviewMember:
    return peer_reviews.party_by_name(review, party_name).members[0]


def host_member(review: PeerReview) -> ReviewMember:
    return member_of(review, review.host_name)


def audited(db: Session, action: str | None = None) -> list[AuditEvent]:
    """The audit events since the set-up, oldest first."""
    query = select(AuditEvent).where(AuditEvent.actor_email != SETUP.name)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    """`db` (tests/unit/conftest.py) on the suite's database: SQLite, or PostgreSQL with
    TEST_DATABASE_URL; emptied afterwards. Import it into a test module to use it."""
    engine = make_engine(database_url)
    yield engine.execution_options(sqlite_immediate=False)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
