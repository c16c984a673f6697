"""Round rules: frozen definition, states by time, close and reopen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.definitions import SurveyRegistry
from surveyapp.errors import InvalidRequest, RoundClosed, RoundNotOpenYet
from surveyapp.models import Round
from surveyapp.services import rounds

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
TEST_SURVEYS = Path(__file__).parents[2] / "data" / "surveys"


@pytest.mark.parametrize(
    ("status", "opens", "closes", "state"),
    [
        ("open", None, None, "open"),
        ("open", NOW - DAY, NOW + DAY, "open"),
        ("open", NOW + DAY, None, "not_yet_open"),
        ("open", None, NOW - DAY, "closed"),
        ("open", None, NOW, "closed"),
        ("closed", None, None, "closed"),
        ("draft", None, None, "draft"),
    ],
)
def test_round_state(
    status: str, opens: dt.datetime | None, closes: dt.datetime | None, state: str
) -> None:
    round_ = Round(status=status, opens_at=opens, closes_at=closes)
    assert rounds.round_state(round_, NOW) == state


def test_naive_times_from_sqlite_are_utc() -> None:
    round_ = Round(status="open", closes_at=(NOW - DAY).replace(tzinfo=None))
    assert rounds.round_state(round_, NOW) == "closed"


def test_require_open_raises_the_respondents_errors() -> None:
    with pytest.raises(RoundClosed):
        rounds.require_open(Round(status="closed"))
    with pytest.raises(RoundNotOpenYet):
        rounds.require_open(Round(status="open", opens_at=dt.datetime.now(dt.UTC) + DAY))


def test_open_round_freezes_the_text_and_its_hash(db: Session) -> None:
    registry = SurveyRegistry(TEST_SURVEYS)
    round_ = rounds.open_round(db, registry, "respond-test", "0.3", actor=SETUP)
    # The file's text, then the translations current at opening and each language's state.
    assert round_.definition_yaml.startswith(registry.text("respond-test").rstrip("\n"))
    assert "\nfrozen: {" in round_.definition_yaml
    assert rounds.round_survey(round_).language_states == {
        "en": "complete",
        "fi": "complete",
        "sv": "complete",
    }
    assert len(round_.definition_hash) == 64
    assert rounds.round_survey(round_).id == "respond-test"


def test_open_round_refuses_closing_before_opening_and_empty_revision(db: Session) -> None:
    registry = SurveyRegistry(TEST_SURVEYS)
    with pytest.raises(InvalidRequest, match="closing time"):
        rounds.open_round(
            db, registry, "respond-test", "1", opens_at=NOW, closes_at=NOW - DAY, actor=SETUP
        )
    with pytest.raises(InvalidRequest, match="revision"):
        rounds.open_round(db, registry, "respond-test", "  ", actor=SETUP)


def test_reopen_clears_a_past_closing_time(db: Session) -> None:
    round_ = rounds.open_round(
        db, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.3", closes_at=NOW - DAY, actor=SETUP
    )
    rounds.close_round(db, round_, actor=SETUP)
    rounds.reopen_round(db, round_, actor=SETUP)
    assert round_.status == "open" and round_.closes_at is None
    assert rounds.round_state(round_) == "open"
