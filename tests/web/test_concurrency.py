"""Double clicks and two tabs: the same personal link saved and submitted at once."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.models import Answer, Response

THREADS = 8


def _prepared_clients(app: Flask, url: str) -> list[tuple[Any, dict[str, str]]]:
    """One browser per thread, each holding its own form token for `url`."""
    prepared = []
    for _ in range(THREADS):
        client = app.test_client()
        html = client.get(url).get_data(as_text=True)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[
            1
        ]
        prepared.append((client, fields))
    return prepared


def _post_all_at_once(
    prepared: list[tuple[Any, dict[str, str]]], url: str, data: dict[str, Any]
) -> list[int]:
    barrier = threading.Barrier(len(prepared))
    statuses: list[int] = []

    def run(client: Any, fields: dict[str, str]) -> None:
        barrier.wait()
        statuses.append(client.post(url, data={**fields, **data}).status_code)

    threads = [threading.Thread(target=run, args=pair) for pair in prepared]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_same_link_saved_and_submitted_at_once_makes_one_response(
    app: Flask,
    session: Session,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    invitation = make_invitation(make_round(), make_participant())
    base = f"/s/{invitation.token}"
    page = f"{base}/p/about"
    statuses = _post_all_at_once(_prepared_clients(app, page), page, {"role": "manager"})
    assert statuses == [302] * THREADS, "no error page for anyone"
    for section, data in (
        ("why", {"why_clarity": "3"}),
        ("overall", {"chapters_read": "why", "overall_usefulness": "7"}),
    ):
        prepared = _prepared_clients(app, f"{base}/p/{section}")
        _post_all_at_once(prepared[:1], f"{base}/p/{section}", data)
    review = f"{base}/review"
    statuses = _post_all_at_once(_prepared_clients(app, review), review, {})
    assert statuses == [302] * THREADS
    session.rollback()
    responses = session.scalars(select(Response).where(Response.invitation_id == invitation.id))
    (response,) = responses.all()
    assert response.status == "submitted"
    assert response.submission_count == THREADS, "every submission counted on the one response"
    answers = session.scalar(
        select(func.count()).select_from(Answer).where(Answer.response_id == response.id)
    )
    assert answers == 4
