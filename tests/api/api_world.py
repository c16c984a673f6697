"""Two rounds of the respond-test survey for the read API's tests, made through the services.

Revision 0.2 is a named round: three invited people (names and emails below) each left a
comment, and editors triaged the comments with notes of their own. Revision 0.3 is an
anonymous round of twelve submitted responses: 0-4 managers, 5-11 officers; 5 and 6 in
Swedish; only managers 0 and 1 rated the canvas tool (a count of 2, below the threshold
of 5 in a view filtered to the managers); officers wrote the comments `SECRET_TEXTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.models import FeedbackItem, Invitation, Participant, Response, Round
from surveyapp.services import feedback, response_writes, rounds

PEOPLE = [
    ("Aurora Quillfeather", "aurora.quillfeather@example.org"),
    ("Bertil Nightingale-Oja", "bertil.nightingale@example.org"),
    ("Cecilia Marjoram", "cecilia.marjoram@example.org"),
]
NAMED_COMMENTS = ["Zebra crossing paragraph is wrong", "Yodel section confuses", "Xylophone?"]
NOTES = ["Chapter rewritten", "Kept as it is", ""]
STATUSES = ["done", "rejected", "new"]
ANONYMOUS_COUNT = 12
MANAGERS = range(0, 5)


def anonymous_comment(i: int) -> str:
    return f"unclear remark number {i} by someone"


SECRET_TEXTS = [*NAMED_COMMENTS, *(anonymous_comment(i) for i in range(5, 12))]


def anonymous_values(i: int) -> dict[str, Any]:
    manager = i in MANAGERS
    found: dict[str, Any] = {
        "role": "manager" if manager else "officer",
        "years": 10 + i,
        "why_clarity": 4 if manager else 2,
        "overall_usefulness": 8 if manager else 5,
    }
    if not manager:
        found["why_missing"] = anonymous_comment(i)
    if i in (0, 1):
        found["why_tools"] = {"canvas": 3}
    return found


@dataclass
class World:
    previous: Round
    current: Round
    people: list[Participant]


def _submit(
    session: Session,
    round_: Round,
    invitation: Invitation | None,
    values: dict[str, Any],
    language: str,
) -> Response:
    response = Response(
        round_id=round_.id, invitation_id=invitation.id if invitation else None, language=language
    )
    session.add(response)
    session.flush()
    response_writes.write_answers(session, response, values)
    response_writes.submit_response(session, response, rounds.round_survey(round_))
    return response


def build(
    session: Session,
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[[Round, Participant], Invitation],
) -> World:
    previous = make_round(revision="0.2")
    people = [
        make_participant(name=name, email=email, group="buyers", country="FI")
        for name, email in PEOPLE
    ]
    for person, comment in zip(people, NAMED_COMMENTS, strict=True):
        values = {"role": "officer", "why_clarity": 1, "why_missing": comment}
        _submit(session, previous, make_invitation(previous, person), values, "en")
    session.commit()
    feedback.sync_feedback(session, previous)
    items = sorted(
        session.query(FeedbackItem).filter_by(round_id=previous.id), key=lambda item: item.id
    )
    for item, status, note in zip(items, STATUSES, NOTES, strict=True):
        feedback.update_item(
            session, item, status, note, "0.3" if status == "done" else None, actor=SETUP
        )
    session.commit()

    current = make_round(revision="0.3", is_anonymous=True)
    for i in range(ANONYMOUS_COUNT):
        _submit(session, current, None, anonymous_values(i), "sv" if i in (5, 6) else "en")
    session.commit()
    feedback.sync_feedback(session, current)
    session.commit()
    return World(previous, current, people)


class ApiClient:
    """The test client with a token in every call's Authorization header."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def get(self, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.get(path, headers=headers, **kwargs)
