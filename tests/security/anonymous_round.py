"""An anonymous round of the respond-test survey with twelve submitted responses, made
through the real services, for the tests of what its results and exports show.

Responses 0-4 are managers, 5-11 officers; 5 and 6 answered in Swedish, the rest in
English. Every response's `years` is 10 + its index, so a row of an export can be matched
to its response. Only managers 0 and 1 rated the canvas tool; response 6 alone found the
manual 6 out of 10 useful. The free texts ("note z",
"note y", ...) are written in the reverse of their alphabetical order. Even-numbered
responses are tied to an invitation, odd ones are not: what is shown must not depend on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.models import Invitation, Response, Round
from surveyapp.services import response_writes, rounds

COUNT = 12
MANAGERS = range(0, 5)
SWEDISH = (5, 6)
USEFULNESS_OF_MANAGERS = [8, 8, 8, 9, 9]


@dataclass
class AnonymousRound:
    round: Round
    responses: list[Response]  # in the order they were made, so by database id

    def by_years(self) -> dict[int, int]:
        """Response id by its `years` answer (10 + the response's index)."""
        return {10 + i: r.id for i, r in enumerate(self.responses)}


def values(i: int) -> dict[str, Any]:
    """The answers of response `i`."""
    manager = i in MANAGERS
    clarity = 2 if (not manager or i == 4) else 4  # 2 shows the free-text question
    found: dict[str, Any] = {
        "role": "manager" if manager else "officer",
        "years": 10 + i,
        "why_clarity": clarity,
        "overall_usefulness": USEFULNESS_OF_MANAGERS[i] if manager else 6 if i == 6 else 5,
    }
    if clarity == 2:
        found["why_missing"] = f"note {chr(ord('z') - i)}"
    if i in (0, 1):
        found["why_tools"] = {"canvas": 3}
    return found


def note(i: int) -> str:
    return str(values(i)["why_missing"])


def build(
    session: Session, round_: Round, invite: Any = None, count: int = COUNT
) -> AnonymousRound:
    """`count` submitted responses; `invite(round_, n)` gives the invitation of response n
    (every other one), or none are tied to invitations when it is not given."""
    survey = rounds.round_survey(round_)
    made = []
    for i in range(count):
        invitation: Invitation | None = invite(round_, i) if invite and i % 2 == 0 else None
        response = Response(
            round_id=round_.id,
            invitation_id=invitation.id if invitation else None,
            language="sv" if i in SWEDISH else "en",
        )
        session.add(response)
        session.flush()
        response_writes.write_answers(session, response, values(i))
        response_writes.submit_response(session, response, survey)
        made.append(response)
    session.commit()
    return AnonymousRound(round_, made)


def took_part(session: Session, invitation: Invitation, status: str) -> None:
    """The participant of `invitation` started (status "draft") or submitted, recorded both
    ways an anonymous round's invitation may know it: a response tied to it, and its own
    started and submitted times."""
    now = dt.datetime.now(dt.UTC)
    session.add(Response(round_id=invitation.round_id, invitation_id=invitation.id, status=status))
    invitation.started_at = now
    invitation.submitted_at = now if status == "submitted" else None
    session.commit()
