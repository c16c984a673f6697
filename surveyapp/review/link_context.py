"""A reviewer's personal link: the member behind a token, the page's language, the actor of
their saves (their organisation, never the token) and what they have saved so far."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import abort, request, session, url_for
from sqlalchemy import select

from ..db import get_session
from ..definitions.criteria import CriteriaSet
from ..i18n import choose_language, use_language
from ..review_models import PeerReview, ReviewAssessment, ReviewMember, ReviewParty
from ..services import peer_reviews
from ..services.audit import Actor
from .link_guard import counted, fingerprint
from .lookups import chapters_of, review_criteria

LANG_KEY = "review_lang"  # + a link's fingerprint: the language chosen on that link's pages


@dataclass(frozen=True)
class Reviewer:
    """Everything a personal-link page needs about the person behind it."""

    member: ReviewMember
    party: ReviewParty
    review: PeerReview
    criteria: CriteriaSet
    lang: str
    token: str

    @property
    def is_host(self) -> bool:
        return self.party.role == "host"

    def chapters(self) -> list[dict[str, Any]]:
        return chapters_of(self.criteria, self.lang)

    def lang_url(self, code: str) -> str:
        args = {**(request.view_args or {}), "token": self.token}
        return url_for(request.endpoint or "reviewer.start", **args, lang=code)

    def page_context(self) -> dict[str, Any]:
        return {
            "reviewer": self,
            "review": self.review,
            "lang": self.lang,
            "token": self.token,
            "lang_url": self.lang_url,
            "languages": self.criteria.languages,
        }


def reviewer_or_404(token: str) -> Reviewer:
    """The member of this link, with the page's language set; unknown links get 404."""
    member = counted(token, partial(peer_reviews.member_by_token, get_session()))
    if member is None:
        abort(404)
    party = member.party
    criteria = review_criteria(party.review)
    lang = _language(criteria, member, party, f"{LANG_KEY}:{fingerprint(token)}")
    use_language(lang)
    return Reviewer(member, party, party.review, criteria, lang, token)


def _language(criteria: CriteriaSet, member: ReviewMember, party: ReviewParty, key: str) -> str:
    """Explicit choice → earlier choice on this link → the member's → the party's → browser
    → default. `key` is per link (a short hash, never the token): two people's links opened
    in one browser each keep their own language."""
    chosen = request.args.get("lang") or request.form.get("_lang")
    if chosen in criteria.languages:
        session[key] = chosen
        return str(chosen)
    remembered = session.get(key)
    if remembered in criteria.languages:
        return str(remembered)
    preferred = member.language if member.language in criteria.languages else party.language
    return choose_language(criteria.languages, preferred=preferred)


def reviewer_actor(reviewer: Reviewer) -> Actor:
    """A reviewer's saves are audited under their organisation's name, never the token."""
    return peer_reviews.member_actor(reviewer.member, request.remote_addr or "")


def saved_assessments(party: ReviewParty) -> dict[str, ReviewAssessment]:
    """Criterion id → the party's stored view of it."""
    rows = get_session().scalars(
        select(ReviewAssessment).where(ReviewAssessment.party_id == party.id)
    )
    return {row.criterion_id: row for row in rows}


def host_assessments(review: PeerReview) -> dict[str, ReviewAssessment]:
    """The host's self-assessment, shown read-only above a peer's fields."""
    host = next((p for p in review.parties if p.role == "host"), None)
    return saved_assessments(host) if host else {}
