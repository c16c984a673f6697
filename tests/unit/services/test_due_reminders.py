"""Reminders that send themselves: dates on a round, `mail due` sends each one once to
those who have not submitted, in their language, also when two runs overlap (real SMTP
server, aiosmtpd; SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from mailserver import MAIL_FROM, MailServer, running_server
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from builders import SETUP, participant_maker, round_maker
from surveyapp.db import Base, make_engine
from surveyapp.errors import InvalidRequest
from surveyapp.jobs import mail_sending
from surveyapp.jobs.due_reminders import send_due
from surveyapp.models import Invitation, MailBatch, MailMessage, Round, RoundReminder
from surveyapp.services import mail, rounds
from surveyapp.services.mail import reminders

NUMBERS = itertools.count(1)
TODAY = reminders.today()
DAY = TODAY + dt.timedelta(days=3)  # a reminder date; runs are told it is that day


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def db_engine(sessions: sessionmaker[Session]) -> Engine:
    engine: Engine = sessions.kw["bind"].execution_options(sqlite_immediate=False)
    return engine


@pytest.fixture
def server() -> Iterator[MailServer]:
    with running_server() as found:
        yield found


def settings_for(server: MailServer) -> mail_sending.MailSettings:
    return mail_sending.MailSettings(
        host=server.host,
        port=server.port,
        mail_from=MAIL_FROM,
        base_url="https://survey.example.eu",
        timeout=5.0,
    )


def invited_round(db: Session, languages: list[str], **options: Any) -> tuple[Round, list[str]]:
    round_ = round_maker(db)(**options)
    people = [
        participant_maker(db)(email=f"r{next(NUMBERS)}@city.example", language=lang)
        for lang in languages
    ]
    rounds.invite_participants(db, round_, [p.id for p in people], actor=SETUP)
    db.commit()
    return round_, [p.email for p in people]


def submitted(db: Session, round_: Round, email: str) -> None:
    invitation = db.scalars(select(Invitation).where(Invitation.round_id == round_.id)).all()
    for inv in invitation:
        if inv.participant.email == email:
            inv.submitted_at = dt.datetime.now(dt.UTC)
    db.commit()


def test_dates_are_set_listed_and_checked(db: Session) -> None:
    closes = dt.datetime.combine(TODAY + dt.timedelta(days=10), dt.time(12), dt.UTC)
    round_, _ = invited_round(db, ["en"], closes_at=closes)
    later = TODAY + dt.timedelta(days=5)
    reminders.set_reminders(db, round_, [later, DAY, DAY], actor=SETUP)
    db.commit()
    assert [r.due_on for r in reminders.list_reminders(db, round_)] == [DAY, later]
    with pytest.raises(InvalidRequest, match="has passed"):
        reminders.set_reminders(db, round_, [TODAY - dt.timedelta(days=1)], actor=SETUP)
    with pytest.raises(InvalidRequest, match="after the round closes"):
        reminders.set_reminders(db, round_, [TODAY + dt.timedelta(days=11)], actor=SETUP)
    reminders.set_reminders(db, round_, [later], actor=SETUP)
    assert [r.due_on for r in reminders.list_reminders(db, round_)] == [later]


def test_a_due_reminder_goes_once_to_those_who_have_not_submitted_in_their_language(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_, emails = invited_round(db, ["en", "fi", "sv"])
    submitted(db, round_, emails[0])
    reminders.set_reminders(db, round_, [DAY], actor=SETUP)
    db.commit()
    settings = settings_for(server)
    assert send_due(sessions, settings, actor=SETUP, on=DAY - dt.timedelta(days=1)) == {}
    assert server.received == []
    sent = send_due(sessions, settings, actor=SETUP, on=DAY)
    assert list(sent.values()) == [{"sent": 2, "failed": 0}]
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(emails[1:])
    languages = dict(db.execute(select(MailMessage.email, MailMessage.language)).all())
    assert languages == {emails[1]: "fi", emails[2]: "sv"}
    assert server.to(emails[1])[0]["Subject"] != server.to(emails[2])[0]["Subject"]
    # Never twice: the next run, and the day after, find nothing due.
    assert send_due(sessions, settings, actor=SETUP, on=DAY) == {}
    assert send_due(sessions, settings, actor=SETUP, on=DAY + dt.timedelta(days=1)) == {}
    assert len(server.received) == 2
    # The run shows in the round's mail history, with its date.
    (batch,) = mail.list_batches(db, round_)
    assert batch.kind == "reminder" and batch.reminder_on == DAY and batch.finished_at


def test_dates_missed_by_cron_make_one_batch(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_, emails = invited_round(db, ["en", "en"])
    reminders.set_reminders(db, round_, [DAY, DAY + dt.timedelta(days=1)], actor=SETUP)
    db.commit()
    send_due(sessions, settings_for(server), actor=SETUP, on=DAY + dt.timedelta(days=2))
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(emails)
    db.expire_all()
    assert {r.batch_id is not None for r in reminders.list_reminders(db, round_)} == {True}


def test_a_closed_round_sends_nothing(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_, _ = invited_round(db, ["en"])
    reminders.set_reminders(db, round_, [DAY], actor=SETUP)
    rounds.close_round(db, round_, actor=SETUP)
    db.commit()
    assert send_due(sessions, settings_for(server), actor=SETUP, on=DAY) == {}
    assert server.received == []


@pytest.mark.parametrize("runs", [2, 3])
def test_overlapping_runs_send_each_reminder_to_each_person_exactly_once(
    db: Session, sessions: sessionmaker[Session], server: MailServer, runs: int
) -> None:
    first, first_people = invited_round(db, ["en", "fi", "sv"] * 3)
    second, second_people = invited_round(db, ["fi"] * 4)
    for round_ in (first, second):
        reminders.set_reminders(db, round_, [DAY], actor=SETUP)
    db.commit()
    start = threading.Barrier(runs)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            send_due(sessions, settings_for(server), actor=SETUP, on=DAY)
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    got = Counter(r.rcpt_tos[0] for r in server.received)
    assert got == Counter(first_people + second_people)  # everyone, exactly once
    batches = db.scalars(select(MailBatch).order_by(MailBatch.round_id)).all()
    assert [(b.round_id, b.reminder_on) for b in batches] == [(first.id, DAY), (second.id, DAY)]


def test_the_database_refuses_a_second_batch_for_one_date(db: Session) -> None:
    round_, _ = invited_round(db, ["en"])
    db.add(MailBatch(round_id=round_.id, kind="reminder", reminder_on=DAY))
    db.commit()
    db.add(MailBatch(round_id=round_.id, kind="reminder", reminder_on=DAY))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    db.add(RoundReminder(round_id=round_.id, due_on=DAY))
    db.add(RoundReminder(round_id=round_.id, due_on=DAY))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_the_reminder_text_has_a_place_for_the_outcomes_line() -> None:
    from surveyapp.services.mail.texts import MailContext, render

    base = MailContext(name="Ann", title="T", revision="0.3", link="L", contact="c@x.eu")
    plain = render("reminder", "fi", base).body
    with_outcomes = render(
        "reminder", "fi", MailContext(**{**base.__dict__, "outcomes": "Teimme näin."})
    ).body
    assert "Teimme näin." not in plain
    assert with_outcomes.replace("\n\nTeimme näin.", "") == plain
