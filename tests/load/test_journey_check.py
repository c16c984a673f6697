"""The load check itself: it must see a lost, stale or extra answer and a lost or doubled
submission, and accept either outcome of a save that got no reply."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))

import journey  # noqa: E402

from surveyapp.db import make_engine  # noqa: E402
from surveyapp.models import Answer, Invitation, Response  # noqa: E402


@pytest.fixture
def stored(tmp_path: Path) -> tuple[str, journey.Fixture, journey.TokenState]:
    """One link with a submitted response: role=1 (acknowledged), country=fi (acknowledged)."""
    url = f"sqlite:///{tmp_path / 'check.db'}"
    fixture = journey.prepare_database(url, invitations=2, with_demo=False)
    token = fixture.tokens[0]
    engine = make_engine(url)
    with Session(engine) as db:
        invitation = db.scalars(select(Invitation).where(Invitation.token == token)).one()
        response = Response(
            round_id=fixture.round_id,
            invitation_id=invitation.id,
            status="submitted",
            submission_count=1,
        )
        db.add(response)
        db.flush()
        db.execute(
            insert(Answer),
            [
                {"response_id": response.id, "question_id": "role", "value": 1},
                {"response_id": response.id, "question_id": "country", "value": "fi"},
            ],
        )
        db.commit()
    engine.dispose()
    state = journey.TokenState(token)
    keys, values = {"role", "country", "population"}, {"role": 1, "country": "fi"}
    state.sent(keys, values)
    state.acknowledged(keys, values)
    state.saves_acked, state.submits_acked, state.submits_sent = 1, 1, 1
    return url, fixture, state


def _check(url: str, fixture: journey.Fixture, state: journey.TokenState) -> journey.Check:
    result = journey.RunResult(1.0, {}, [], {state.token: state})
    return journey.check_database(url, fixture, result)


def _sql(url: str, statement: object) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(statement)  # type: ignore[arg-type]
    engine.dispose()


def test_what_was_acknowledged_is_found(
    stored: tuple[str, journey.Fixture, journey.TokenState],
) -> None:
    check = _check(*stored)
    assert (check.lost, check.duplicated, check.unexpected) == (0, 0, 0), check.problems
    assert check.ok and check.answers == 3


def test_a_missing_or_older_answer_is_lost(
    stored: tuple[str, journey.Fixture, journey.TokenState],
) -> None:
    url, fixture, state = stored
    _sql(url, update(Answer).where(Answer.question_id == "role").values(value=2))
    _sql(url, Answer.__table__.delete().where(Answer.question_id == "country"))
    assert _check(url, fixture, state).lost == 2


def test_an_answer_that_should_be_gone_is_unexpected(
    stored: tuple[str, journey.Fixture, journey.TokenState],
) -> None:
    url, fixture, state = stored
    _sql(url, insert(Answer).values(response_id=1, question_id="population", value=5))
    check = _check(url, fixture, state)
    assert check.unexpected == 1 and not check.ok


@pytest.mark.parametrize(("count", "lost", "duplicated"), [(0, 1, 0), (2, 0, 1)])
def test_submissions_are_counted_exactly(
    stored: tuple[str, journey.Fixture, journey.TokenState], count: int, lost: int, duplicated: int
) -> None:
    url, fixture, state = stored
    _sql(url, update(Response).values(submission_count=count))
    check = _check(url, fixture, state)
    assert (check.lost, check.duplicated) == (lost, duplicated)


def test_a_save_without_reply_may_or_may_not_be_stored(
    stored: tuple[str, journey.Fixture, journey.TokenState],
) -> None:
    url, fixture, state = stored
    state.sent({"role"}, {"role": 2})  # no reply came: 1 and 2 are both right
    assert _check(url, fixture, state).ok
    _sql(url, update(Answer).where(Answer.question_id == "role").values(value=2))
    assert _check(url, fixture, state).ok
    _sql(url, update(Answer).where(Answer.question_id == "role").values(value=3))
    assert _check(url, fixture, state).lost == 1
