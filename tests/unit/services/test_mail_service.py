"""Mail service: texts per language, recipients, and a send loop that never sends twice."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mailserver import MAIL_FROM, MailServer, closed_port, running_server
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from builders import SETUP, participant_maker, round_maker
from surveyapp import migrate
from surveyapp.db import Base, make_engine
from surveyapp.jobs import mail_sending
from surveyapp.models import (
    AuditEvent,
    MailBatch,
    MailMessage,
    Participant,
    Response,
    Round,
)
from surveyapp.services import mail, rounds
from surveyapp.services.audit import Actor
from surveyapp.services.mail import texts

BASE_URL = "https://survey.partnership.example.eu"
CLOSES = dt.datetime(2027, 3, 31, 17, 0, tzinfo=dt.UTC)
NUMBERS = itertools.count(1)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    engine = make_engine(database_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def db_engine(sessions: sessionmaker[Session]) -> Engine:
    """`db` (tests/unit/conftest.py) on the suite's database, as `sessions`; it reads without
    taking SQLite's write lock, as in tests/conftest.py."""
    engine: Engine = sessions.kw["bind"].execution_options(sqlite_immediate=False)
    return engine


@pytest.fixture
def server() -> Iterator[MailServer]:
    with running_server() as found:
        yield found


def settings_for(server: MailServer, **changes: Any) -> mail_sending.MailSettings:
    values: dict[str, Any] = {"host": server.host, "port": server.port}
    values |= {"mail_from": MAIL_FROM, "base_url": BASE_URL, "timeout": 5.0} | changes
    return mail_sending.MailSettings(**values)


def invited_round(db: Session, languages: list[str | None], **options: Any) -> Round:
    """A round of the en/fi/sv test survey with one invited participant per language."""
    round_ = round_maker(db)(**options)
    people = [new_person(db, lang) for lang in languages]
    rounds.invite_participants(db, round_, [p.id for p in people], actor=SETUP)
    db.commit()
    return round_


def new_person(db: Session, language: str | None = "en") -> Participant:
    return participant_maker(db)(email=f"p{next(NUMBERS)}@city.example", language=language)


def batch_of(db: Session, round_: Round, kind: str = "invitation") -> MailBatch:
    batch = mail.create_batch(db, round_, kind, actor=SETUP)
    db.commit()
    return batch


def refresh(db: Session) -> None:
    """See what the send loop wrote through sessions of its own: a new snapshot, no cache."""
    db.rollback()
    db.expire_all()


def failed(db: Session, batch: MailBatch) -> list[MailMessage]:
    refresh(db)
    return mail.batch_messages(db, batch, "failed")


def statuses(db: Session, batch: MailBatch) -> dict[str, str]:
    refresh(db)
    messages = db.scalars(select(MailMessage).where(MailMessage.batch_id == batch.id))
    return {m.email: m.status for m in messages}


# --- Texts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The survey closes on 31 March 2027 at 17:00 UTC."),
        ("fi", "Kysely sulkeutuu 31. maaliskuuta 2027 klo 17.00 UTC."),
        ("sv", "Enkäten stänger den 31 mars 2027 kl. 17:00 UTC."),
    ],
)
def test_invitation_names_the_closing_time_in_its_language(
    db: Session, language: str, expected: str
) -> None:
    round_ = invited_round(db, [], closes_at=CLOSES)
    _subject, body = mail.preview(
        round_, "invitation", language, base_url=BASE_URL, mail_from=MAIL_FROM
    )
    assert expected in body


def test_texts_fill_in_title_revision_contact_and_link_and_greet_by_name(db: Session) -> None:
    round_ = invited_round(db, [], revision="0.4")
    context = texts.message_context(round_, "fi", "Aino", f"{BASE_URL}/s/abc", MAIL_FROM)
    found = texts.render("invitation", "fi", context)
    assert found.subject == "Kutsu: Testikysely (käsikirjan versio 0.4)"
    assert found.body.startswith("Hei Aino,\n")
    assert f"{BASE_URL}/s/abc" in found.body
    assert "manual@partnership.example.eu" in found.body
    assert "sulkeutuu" not in found.body.split("asti.")[1]  # no closing time: no sentence about it
    assert "{" not in found.body


def test_a_language_without_a_text_gets_english_with_the_survey_title_in_its_language() -> None:
    assert texts.text_language("is") == "en"
    context = texts.MailContext(name="", title="Umfrage", revision="0.3", link="L", contact="c")
    found = texts.render("reminder", "is", context)
    assert (found.language, found.subject) == ("en", "Reminder: Umfrage (manual revision 0.3)")
    assert found.body.startswith("Dear colleague,")


def test_a_line_break_in_a_title_never_becomes_a_header() -> None:
    context = texts.MailContext(
        name="", title="A\r\nBcc: x@evil.example", revision="1", link="", contact=""
    )
    found = texts.render("invitation", "en", context)
    message = texts.build_message(found, MAIL_FROM, "p@city.example")
    assert "\n" not in found.subject
    assert message["Bcc"] is None


def test_preview_never_holds_a_real_token(db: Session) -> None:
    round_ = invited_round(db, ["en", "fi"])
    assert len(round_.invitations) == 2
    for language in ("en", "fi", "sv"):
        subject, body = mail.preview(
            round_, "reminder", language, base_url=BASE_URL, mail_from=MAIL_FROM
        )
        assert f"{BASE_URL}/s/{texts.PREVIEW_TOKEN}" in body
        assert not any(inv.token in body + subject for inv in round_.invitations)


# --- Recipients ----------------------------------------------------------------------------


def test_message_language_is_the_participants_if_offered_else_the_surveys_default(
    db: Session,
) -> None:
    round_ = invited_round(db, ["fi", "sv", "de", None])
    assert mail.recipient_languages(db, round_, "invitation") == {"en": 2, "fi": 1, "sv": 1}
    batch = batch_of(db, round_)
    assert sorted(m.language for m in batch.messages) == ["en", "en", "fi", "sv"]


def test_reminders_go_to_those_without_a_submitted_response(db: Session) -> None:
    round_ = invited_round(db, ["en", "en", "en"])
    invitations = sorted(round_.invitations, key=lambda inv: inv.id)
    db.add(Response(round_id=round_.id, invitation_id=invitations[0].id, status="submitted"))
    db.add(Response(round_id=round_.id, invitation_id=invitations[1].id, status="draft"))
    db.commit()
    found = mail.recipients(db, round_, "reminder")
    assert [inv.id for inv in found] == [invitations[1].id, invitations[2].id]


def test_an_invitation_batch_leaves_out_those_already_invited(db: Session) -> None:
    round_ = invited_round(db, ["en", "en"])
    first = batch_of(db, round_)
    assert mail.refusal(db, round_, "invitation") in ("busy", "nobody")
    first.finished_at = dt.datetime.now(dt.UTC)
    db.commit()
    assert mail.refusal(db, round_, "invitation") == "nobody"
    rounds.invite_participants(db, round_, [new_person(db).id], actor=SETUP)
    db.commit()
    assert len(batch_of(db, round_).messages) == 1


def test_a_batch_is_running_until_finished_or_stale(db: Session) -> None:
    batch = batch_of(db, invited_round(db, ["en"]))
    now = dt.datetime.now(dt.UTC)
    assert mail.is_running(db, batch, now)
    assert not mail.is_running(db, batch, now + mail.batches.STALE_AFTER)
    batch.finished_at = now
    assert not mail.is_running(db, batch, now)


# --- Sending -------------------------------------------------------------------------------


def test_send_batch_sends_each_message_once_and_a_rerun_sends_nothing(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_ = invited_round(db, ["en", "fi"])
    batch = batch_of(db, round_)
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 2,
        "failed": 0,
    }
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 0,
        "failed": 0,
    }
    assert len(server.received) == 2
    assert set(statuses(db, batch).values()) == {"sent"}


def test_two_loops_on_one_batch_never_send_twice(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_ = invited_round(db, ["en"] * 12)
    batch = batch_of(db, round_)
    loops = [
        threading.Thread(
            target=mail_sending.send_batch,
            args=(sessions, batch.id, settings_for(server)),
            kwargs={"actor": SETUP},
        )
        for _ in range(3)
    ]
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join(timeout=60)
    recipients = sorted(r.rcpt_tos[0] for r in server.received)
    assert recipients == sorted(statuses(db, batch))  # everyone exactly once


def test_a_message_taken_by_another_loop_meanwhile_is_skipped(
    db: Session,
    sessions: sessionmaker[Session],
    server: MailServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deterministic version of the race: the other loop sends after this one has read."""
    batch = batch_of(db, invited_round(db, ["en", "sv"]))
    prepare = mail_sending._prepare

    def prepare_then_race(*args: Any) -> list[Any]:
        jobs = prepare(*args)
        monkeypatch.setattr(mail_sending, "_prepare", prepare)
        # The other loop:
        mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP)
        return jobs

    monkeypatch.setattr(mail_sending, "_prepare", prepare_then_race)
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 0,
        "failed": 0,
    }
    assert len(server.received) == 2


def test_a_message_caught_mid_send_by_a_crash_is_never_sent_again(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    batch = batch_of(db, invited_round(db, ["en", "en"]))
    caught = batch.messages[0]
    db.execute(
        text("UPDATE mail_messages SET status = 'sending' WHERE id = :id"), {"id": caught.id}
    )
    db.commit()
    mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP)
    assert [r.rcpt_tos for r in server.received] == [(batch.messages[1].email,)]
    assert statuses(db, batch)[caught.email] == "sending"


def test_a_refused_address_fails_alone_and_a_rerun_sends_only_it(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    batch = batch_of(db, invited_round(db, ["en", "en", "en"]))
    refused = batch.messages[1].email
    server.refused.add(refused)
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 2,
        "failed": 1,
    }
    not_reached = failed(db, batch)
    assert [m.email for m in not_reached] == [refused]
    assert not_reached[0].error.startswith("refused by the mail server: 550")
    server.refused.clear()
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 1,
        "failed": 0,
    }
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(statuses(db, batch))


def test_an_invitation_sent_by_a_later_batch_is_not_sent_again_by_the_first(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_ = invited_round(db, ["en"])
    first = batch_of(db, round_)
    server.refused.add(first.messages[0].email)
    mail_sending.send_batch(sessions, first.id, settings_for(server), actor=SETUP)
    server.refused.clear()
    refresh(db)
    second = batch_of(db, round_)  # the one who failed is invited again by a new batch
    assert mail_sending.send_batch(sessions, second.id, settings_for(server), actor=SETUP) == {
        "sent": 1,
        "failed": 0,
    }
    assert mail_sending.send_batch(sessions, first.id, settings_for(server), actor=SETUP) == {
        "sent": 0,
        "failed": 0,
    }
    assert len(server.received) == 1
    assert failed(db, first)[0].error == "not sent: already invited by another batch"


def test_a_lost_connection_fails_the_rest_with_the_reason_and_a_rerun_reaches_them(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    batch = batch_of(db, invited_round(db, ["en", "en", "en"]))
    first, closing, later = (m.email for m in batch.messages)
    # smtplib drops the connection on a 421, as a server going down would.
    server.replies[closing] = "421 4.3.2 Service shutting down"
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 1,
        "failed": 2,
    }
    reasons = {m.email: m.error for m in failed(db, batch)}
    assert reasons[closing] == "refused by the mail server: 421 4.3.2 Service shutting down"
    assert reasons[later].startswith(f"the connection to the mail server 127.0.0.1:{server.port}")
    server.replies.clear()
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 2,
        "failed": 0,
    }
    assert [r.rcpt_tos[0] for r in server.received] == [first, closing, later]


def test_no_server_fails_every_message_with_the_reason(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    port = closed_port()
    batch = batch_of(db, invited_round(db, ["en", "fi"]))
    settings = mail_sending.MailSettings("127.0.0.1", port, MAIL_FROM, BASE_URL, timeout=5.0)
    assert mail_sending.send_batch(sessions, batch.id, settings, actor=SETUP) == {
        "sent": 0,
        "failed": 2,
    }
    errors = {m.error for m in failed(db, batch)}
    assert errors == {
        f"could not connect to the mail server 127.0.0.1:{port}: [Errno 111] Connection refused"
    }


def test_login_when_smtp_user_is_set_and_a_refused_login_fails_the_batch(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    round_ = invited_round(db, ["en"])
    with running_server(credentials=("mailer", "s3cret")) as server:
        wrong = batch_of(db, round_)
        mail_sending.send_batch(
            sessions, wrong.id, settings_for(server, user="mailer", password="nope"), actor=SETUP
        )
        [refused] = failed(db, wrong)
        assert "refused the login of SMTP_USER: 535" in refused.error
        assert "nope" not in refused.error
        mail_sending.send_batch(
            sessions, wrong.id, settings_for(server, user="mailer", password="s3cret"), actor=SETUP
        )
        assert (server.logins, len(server.received)) == (["mailer"], 1)


def test_a_closed_round_gets_no_new_batch_and_its_old_one_sends_nothing(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_ = invited_round(db, ["en"])
    batch = batch_of(db, round_)
    rounds.close_round(db, round_, actor=SETUP)
    db.commit()
    with pytest.raises(mail.MailRefused) as refused:
        mail.create_batch(db, round_, "reminder", actor=SETUP)
    assert refused.value.reason == "closed"
    assert mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=SETUP) == {
        "sent": 0,
        "failed": 1,
    }
    assert server.received == []
    assert failed(db, batch)[0].error == "not sent: the round has closed"


def test_each_run_is_audited_with_counts_and_no_link(
    db: Session, sessions: sessionmaker[Session], server: MailServer
) -> None:
    round_ = invited_round(db, ["en", "en"])
    batch = batch_of(db, round_)
    server.refused.add(batch.messages[0].email)
    sender = Actor(name="coordinator@partnership.example.eu", address="192.0.2.9")
    mail_sending.send_batch(sessions, batch.id, settings_for(server), actor=sender)
    query = select(AuditEvent).where(AuditEvent.action.startswith("mail_")).order_by(AuditEvent.id)
    events = db.scalars(query).all()
    assert [(e.action, e.target, e.detail) for e in events] == [
        ("mail_batch_created", f"round {round_.id}", f"invitation batch {batch.id}: 2 recipients"),
        ("mail_sent", f"round {round_.id}", f"invitation batch {batch.id}: 1 sent, 1 failed"),
    ]
    assert (events[1].actor_email, events[1].address) == (sender.name, "192.0.2.9")


# --- Migration 0003 ------------------------------------------------------------------------


def test_migration_0003_keeps_messages_and_rolls_a_sending_one_back_to_sent(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        batch = batch_of(db, invited_round(db, ["en", "en"]))
        caught = batch.messages[0].id
        db.execute(
            text("UPDATE mail_messages SET status = 'sending' WHERE id = :id"), {"id": caught}
        )
        db.commit()
    migrate.downgrade(engine, "0002")
    read = text("SELECT status FROM mail_messages ORDER BY id")
    with engine.connect() as conn:
        assert conn.execute(read).scalars().all() == ["sent", "pending"]
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(read).scalars().all() == ["sent", "pending"]
    engine.dispose()
