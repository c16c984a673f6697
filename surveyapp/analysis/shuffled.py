"""An anonymous round's responses as exports give them: numbered in a random order.

Each export draws a random permutation: the submitted responses get the numbers 1..N in a
shuffled order, and rows follow these numbers. Database ids (given in the order responses
were begun) would tell when each response was begun, and so, beside the invitations'
times, whose it is; the drawn numbers tell nothing and are never stored. Submission times
are cut to the date for the same reason.

Rows are read a batch of responses at a time, so memory holds the shuffled list of ids
(a few MB for 100,000 responses) and one batch, never the round.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Answer, Response
from .tidy import answer_value, stream

# Responses read together; their ids are bound parameters, which SQLite limits.
BATCH = 500


class ResponseNumbers:
    """The submitted responses of a round in a random order: the number of a response is
    its position in that order, from 1."""

    def __init__(self, ids: Sequence[int]) -> None:
        self._ids = list(ids)

    @classmethod
    def draw(cls, session: Session, round_id: int) -> ResponseNumbers:
        """A fresh random numbering of the round's submitted responses."""
        query = select(Response.id).where(
            Response.round_id == round_id, Response.status == "submitted"
        )
        ids = [rid for (rid,) in stream(session, query)]  # never the rows all at once
        secrets.SystemRandom().shuffle(ids)
        return cls(ids)

    def __len__(self) -> int:
        return len(self._ids)

    def batches(self, size: int = BATCH) -> Iterator[dict[int, int]]:
        """{response id: number} of `size` responses at a time, in the order of the numbers."""
        for start in range(0, len(self._ids), size):
            part = self._ids[start : start + size]
            yield {rid: start + offset for offset, rid in enumerate(part, start=1)}


@dataclass(frozen=True)
class NumberedResponse:
    number: int
    submitted_on: str  # the date only, YYYY-MM-DD
    answers: list[tuple[str, Any]]  # (question_id, stored value), by question id


def date_only(moment: dt.datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def numbered_responses(session: Session, numbers: ResponseNumbers) -> Iterator[NumberedResponse]:
    """Every numbered response with its answers, in the order of the numbers."""
    for batch in numbers.batches():
        ids = list(batch)
        query = select(Response.id, Response.submitted_at).where(Response.id.in_(ids))
        heads: dict[int, dt.datetime | None] = {rid: at for rid, at in session.execute(query)}
        answers: dict[int, list[tuple[str, Any]]] = {}
        rows = (
            select(Answer.response_id, Answer.question_id, answer_value())
            .where(Answer.response_id.in_(ids))
            .order_by(Answer.response_id, Answer.question_id)
        )
        for rid, qid, value in session.execute(rows):
            answers.setdefault(rid, []).append((qid, value))
        for rid, number in batch.items():
            if rid in heads:  # else deleted since the draw
                yield NumberedResponse(number, date_only(heads[rid]), answers.get(rid, []))
