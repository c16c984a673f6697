"""The peer review's tables (docs/peer-review.md "Data"): a review of a host by peers.

A review freezes its criteria set as JSON (`criteria`), as a round freezes its survey, so
criterion ids in the other tables are plain strings that the frozen set explains.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, utcnow

PARTY_ROLES = ("host", "peer")
PRIORITIES = ("high", "medium", "low")
FOLLOW_UP_STATUSES = ("done", "in_progress", "not_started", "dropped")


class PeerReview(Base):
    """One peer review of a host organisation, or the re-run of an earlier one."""

    __tablename__ = "peer_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    host_name: Mapped[str] = mapped_column(String(200))
    host_language: Mapped[str] = mapped_column(String(10))
    criteria_set_id: Mapped[str] = mapped_column(String(100))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluation_start: Mapped[dt.date] = mapped_column(Date)
    evaluation_end: Mapped[dt.date] = mapped_column(Date)
    previous_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("peer_reviews.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]

    parties: Mapped[list[ReviewParty]] = relationship(
        back_populates="review",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReviewParty.id",
    )
    previous: Mapped[PeerReview | None] = relationship(remote_side=[id])


class ReviewParty(Base):
    """An organisation taking part in a review: the host or one of the peers."""

    __tablename__ = "review_parties"
    __table_args__ = (
        CheckConstraint("role IN ('host', 'peer')", name="role"),
        UniqueConstraint("review_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("peer_reviews.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(100))

    review: Mapped[PeerReview] = relationship(back_populates="parties")
    members: Mapped[list[ReviewMember]] = relationship(
        back_populates="party",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReviewMember.id",
    )


class ReviewMember(Base):
    """A named reviewer of a party, who works through a personal link (`token`)."""

    __tablename__ = "review_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(
        ForeignKey("review_parties.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(10))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    party: Mapped[ReviewParty] = relationship(back_populates="members")


class ReviewAssessment(Base):
    """One party's view of one criterion: the host's self-assessment or a peer's score."""

    __tablename__ = "review_assessments"
    __table_args__ = (UniqueConstraint("party_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("review_parties.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    level: Mapped[int | None]
    # The host's fields.
    evidence: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")
    key_people: Mapped[str] = mapped_column(Text, default="")
    # The peers' fields.
    observations: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    # Raised at every save: several members of a party share this row, so a form sent with
    # an older version is stale (services.peer_reviews.StaleAssessment).
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("review_members.id", ondelete="SET NULL")
    )


class ReviewAgendaItem(Base):
    """One criterion on the evaluation days' agenda."""

    __tablename__ = "review_agenda_items"
    __table_args__ = (
        CheckConstraint("day IN (1, 2)", name="day"),
        UniqueConstraint("review_id", "criterion_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("peer_reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    day: Mapped[int] = mapped_column(default=1)
    questions: Mapped[str] = mapped_column(Text, default="")
    interviewees: Mapped[str] = mapped_column(Text, default="")


class ReviewNote(Base):
    """The evaluation days' record of one criterion and the final level the peers agree."""

    __tablename__ = "review_notes"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("peer_reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    notes: Mapped[str] = mapped_column(Text, default="")
    final_level: Mapped[int | None]
    strengths: Mapped[str] = mapped_column(Text, default="")
    development_areas: Mapped[str] = mapped_column(Text, default="")
    # Raised at every save: a form sent with an older version is stale (services.peer_reviews).
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReviewAction(Base):
    """An action proposal of the summary report, maybe tied to one criterion."""

    __tablename__ = "review_actions"
    __table_args__ = (CheckConstraint("priority IN ('high', 'medium', 'low')", name="priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("peer_reviews.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    position: Mapped[int]
    # The earlier review's action this one continues (in a re-run).
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_actions.id", ondelete="SET NULL")
    )


class ReviewFollowUp(Base):
    """In a re-run, the host's word on what became of one action of the earlier review."""

    __tablename__ = "review_follow_ups"
    __table_args__ = (
        CheckConstraint(
            "status IN ('done', 'in_progress', 'not_started', 'dropped')", name="status"
        ),
        UniqueConstraint("review_id", "action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("peer_reviews.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(
        ForeignKey("review_actions.id", ondelete="CASCADE"), index=True
    )
    # None until the host answers: "not started" is an answer of its own.
    status: Mapped[str | None] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("review_members.id", ondelete="SET NULL")
    )

    action: Mapped[ReviewAction] = relationship()
