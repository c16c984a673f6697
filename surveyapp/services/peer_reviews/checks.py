"""Checks and names shared by the peer review services: text limits, levels, audit targets."""

from __future__ import annotations

from ...definitions.criteria import CriteriaSet, Criterion, criteria_from_data
from ...errors import InvalidRequest
from ...review_models import PeerReview, ReviewParty

# Long enough for a thorough answer, short enough that a page and a PDF stay readable.
MAX_TEXT = 10_000
MAX_NAME = 200


def bounded(value: str | None, field: str, *, limit: int = MAX_TEXT) -> str:
    """`value` stripped of surrounding blanks; refused when longer than `limit`."""
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidRequest(
            f"{field} is {len(text):,} characters long; shorten it to {limit:,} at most"
        )
    return text


def required(value: str | None, field: str, *, limit: int = MAX_NAME) -> str:
    text = bounded(value, field, limit=limit)
    if not text:
        raise InvalidRequest(f"{field} is required")
    return text


def checked_language(criteria: CriteriaSet, language: str | None, field: str) -> str:
    """`language` if the criteria set is written in it: every page and report of the review
    is shown in it, so a code like "se" or "FI" would fall back silently."""
    code = (language or "").strip()
    if code in criteria.languages:
        return code
    known = ", ".join(criteria.languages)
    hint = f" (did you mean {code.lower()!r}?)" if code.lower() in criteria.languages else ""
    shown = repr(code) if code else "missing"
    raise InvalidRequest(
        f"{field} is {shown}{hint}; the criteria set {criteria.id} is written in {known}"
    )


def criteria_of(review: PeerReview) -> CriteriaSet:
    """The review's frozen criteria set."""
    return criteria_from_data(review.criteria)


def criterion_of(review: PeerReview, criterion_id: str) -> Criterion:
    try:
        return criteria_of(review).criterion(criterion_id)
    except KeyError:
        raise InvalidRequest(f"{criterion_id!r} is not a criterion of review {review.id}") from None


def checked_level(criterion: Criterion, level: int | None) -> int | None:
    """`level` if it is a point of the criterion's scale (None: no level)."""
    if level is None or level in criterion.values:
        return level
    points = ", ".join(str(value) for value in criterion.values)
    raise InvalidRequest(
        f"level {level} is not on the scale of {criterion.id!r}; choose one of {points}"
    )


def unpublished(review: PeerReview, what: str) -> None:
    """Refuse a change to `what` once the summary is published: the host has read it."""
    if review.published_at is not None:
        raise InvalidRequest(f"the summary is published; {what} can no longer change")


def review_target(review: PeerReview) -> str:
    return f"review {review.id}"


def host_party(review: PeerReview) -> ReviewParty | None:
    return next((p for p in review.parties if p.role == "host"), None)


def peer_parties(review: PeerReview) -> list[ReviewParty]:
    return [p for p in review.parties if p.role == "peer"]
