"""A review, its organisations and reviewers work in the criteria set's languages only: the
pages and reports are shown in them, and another code would fall back without a word."""

from __future__ import annotations

import datetime as dt

import pytest
from review_builders import (
    audited,
    criteria_set,
    db_engine,  # noqa: F401 - the suite's database (SQLite or PostgreSQL)
    host_member,
    new_review,
)
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.errors import InvalidRequest
from surveyapp.services import peer_reviews
from surveyapp.services.audit import Actor

COORDINATOR = Actor(name="coordinator@partnership.example")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("se", "the host's language is 'se'; the criteria set test-set is written in en, fi, sv"),
        ("FI", "the host's language is 'FI' (did you mean 'fi'?)"),
        ("", "the host's language is missing"),
    ],
)
def test_a_host_language_outside_the_set_is_refused(db: Session, given: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message.replace("(", r"\(").replace("?)", r"\?\)")):
        peer_reviews.create_review(
            db,
            title="t",
            host_name="h",
            host_language=given,
            criteria=criteria_set(),
            evaluation_start=dt.date(2027, 5, 10),
            evaluation_end=dt.date(2027, 5, 11),
            actor=COORDINATOR,
        )
    assert peer_reviews.list_reviews(db) == [] and audited(db) == []


def test_a_party_or_member_language_outside_the_set_is_refused(db: Session) -> None:
    review = new_review(db)
    with pytest.raises(InvalidRequest, match="the language of Other City is 'de'"):
        peer_reviews.add_party(
            db, review, role="peer", name="Other City", language="de", actor=COORDINATOR
        )
    host = host_member(review).party
    with pytest.raises(InvalidRequest, match="the reviewer's language is 'Sv'"):
        peer_reviews.add_member(
            db, host, name="H", email="h@host.example", language="Sv", actor=COORDINATOR
        )
    member = peer_reviews.add_member(
        db, host, name="H", email="h@host.example", language=" sv ", actor=COORDINATOR
    )
    no_language = peer_reviews.add_member(
        db, host, name="I", email="i@host.example", language="", actor=SETUP
    )
    assert (member.language, no_language.language) == ("sv", None)  # None: the party's
    assert [e.action for e in audited(db)] == ["review_member_added"]
