"""A member's personal link as they open it."""

from __future__ import annotations

from flask import current_app, url_for

from ..review_models import ReviewMember


def personal_link(member: ReviewMember) -> str:
    """BASE_URL and /r/<token>: the address the coordinator sends to the member."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return base + url_for("reviewer.start", token=member.token)
