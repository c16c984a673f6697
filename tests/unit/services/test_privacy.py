"""Forgetting a person and retention, on the suite's database (SQLite, or PostgreSQL when
TEST_DATABASE_URL says so): afterwards no table holds what had to go."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from privacy_world import (
    AINO,
    BRUNO,
    World,
    build_world,
    closed_days_ago,
    count,
    database_rows,
    linked_responses,
    traces,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.models import (
    Answer,
    AuditEvent,
    FeedbackItem,
    Invitation,
    MailBatch,
    MailMessage,
    Participant,
    Response,
    Round,
)
from surveyapp.services import anonymous, privacy, response_reads, response_writes, rounds

NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(
    session: Session,
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[..., Invitation],
) -> World:
    return build_world(session, make_round, make_participant, make_invitation)


def forget(session: Session, email: str) -> privacy.Erasure:
    erasure = privacy.forget_participant(
        session, privacy.find_participant(session, email), actor=SETUP
    )
    session.commit()
    return erasure


def responses_of(session: Session, round_: Round) -> list[Response]:
    session.rollback()
    query = select(Response).where(Response.round_id == round_.id).order_by(Response.id)
    return list(session.scalars(query))


# --- forgetting --------------------------------------------------------------------------------


def test_forgetting_leaves_no_trace_of_the_person_in_any_table(
    session: Session, world: World
) -> None:
    before = traces(session, AINO)
    assert {line.split(":")[0] for line in before} == {
        "participants",
        "mail_messages",
        "audit_events",
    }, "the search finds her where she is"
    forget(session, AINO["email"])
    assert traces(session, AINO) == []
    bruno = {line.split(":")[0] for line in traces(session, BRUNO)}
    assert bruno == {"participants", "mail_messages"}, "Bruno is still where he was"


def test_forgetting_deletes_named_answers_and_keeps_anonymous_ones_linked_to_no_one(
    session: Session, world: World
) -> None:
    aino_id = world.aino.id
    erasure = forget(session, AINO["email"].upper())
    assert erasure == privacy.Erasure(
        participant_id=aino_id,
        invitations=3,
        responses_deleted=2,  # the named round's and the later round's draft
        responses_kept=1,  # submitted in the anonymous round
        feedback_items=1,
        mail_messages=1,
        audit_events_cleaned=1,
    )
    assert [email for _, email in linked_responses(session, world.named)] == [BRUNO["email"]]
    named = responses_of(session, world.named)
    assert len(named) == 1
    anonymous = responses_of(session, world.anonymous)
    assert len(anonymous) == 2, "her anonymous answers stay for the results"
    kept = [r for r in anonymous if r.invitation_id is None]
    assert len(kept) == 1 and kept[0].token is None and kept[0].status == "submitted"
    assert linked_responses(session, world.anonymous) == [(anonymous[1].id, BRUNO["email"])]
    assert count(session, select(Answer).where(Answer.response_id == kept[0].id)) == 3
    assert responses_of(session, world.later) == []


def test_feedback_of_deleted_answers_goes_and_of_anonymous_rounds_stays(
    session: Session, world: World
) -> None:
    def items(round_: Round) -> int:
        return count(session, select(FeedbackItem).where(FeedbackItem.round_id == round_.id))

    assert (items(world.named), items(world.anonymous)) == (2, 2)
    forget(session, AINO["email"])
    assert (items(world.named), items(world.anonymous)) == (1, 2)


def test_forgetting_invalidates_the_links_and_deletes_the_mail_records(
    session: Session, world: World
) -> None:
    tokens = list(
        session.scalars(select(Invitation.token).where(Invitation.participant_id == world.aino.id))
    )
    forget(session, AINO["email"])
    assert count(session, select(Invitation).where(Invitation.token.in_(tokens))) == 0
    assert [m.email for m in session.scalars(select(MailMessage))] == [BRUNO["email"]]
    assert session.get(Participant, world.aino.id) is None
    assert session.get(Participant, world.bruno.id) is not None


def test_mail_sent_to_her_address_goes_even_on_another_invitation(
    session: Session, world: World
) -> None:
    # Bruno's row once carried her address by mistake: the frozen message still holds it.
    bruno_invitation = session.scalars(
        select(Invitation).where(
            Invitation.participant_id == world.bruno.id, Invitation.round_id == world.anonymous.id
        )
    ).one()
    batch = MailBatch(round_id=world.anonymous.id, kind="reminder")
    batch.messages.append(
        MailMessage(
            invitation_id=bruno_invitation.id, email="AINO.virtanen@tampere.example", language="fi"
        )
    )
    session.add(batch)
    session.commit()
    assert forget(session, AINO["email"]).mail_messages == 2
    assert traces(session, AINO) == []
    assert count(session, select(Invitation).where(Invitation.id == bruno_invitation.id)) == 1


def test_the_audit_event_holds_counts_and_an_id_only(session: Session, world: World) -> None:
    aino_id = world.aino.id
    forget(session, AINO["email"])
    (event,) = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "participant_forgotten")
    )
    assert event.target == f"participant {aino_id}"
    assert "2 response(s) with 1 feedback item(s) deleted" in event.detail
    assert "1 response(s) of anonymous rounds kept" in event.detail
    (login,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed"))
    assert login.target == privacy.FORGOTTEN


def test_the_preview_counts_what_forgetting_does_and_changes_nothing(
    session: Session, world: World
) -> None:
    rows = database_rows(session)
    preview = privacy.erasure_preview(session, privacy.find_participant(session, AINO["email"]))
    session.commit()
    assert database_rows(session) == rows
    erasure = forget(session, AINO["email"])
    assert preview == privacy.Erasure(**{**erasure.__dict__, "audit_events_cleaned": 0})


@pytest.mark.parametrize(
    "typed", ["  AINO.Virtanen@TAMPERE.example ", "aino.virtanen@tampere.example"]
)
def test_the_email_matches_in_any_case(session: Session, world: World, typed: str) -> None:
    assert privacy.find_participant(session, typed).id == world.aino.id


def test_an_unknown_email_is_refused(session: Session, world: World) -> None:
    with pytest.raises(privacy.UnknownParticipant, match=re.escape("nobody@x.example")):
        privacy.find_participant(session, "Nobody@X.example")


# --- retention ---------------------------------------------------------------------------------


def _close(session: Session, round_: Round, at: dt.datetime) -> None:
    round_.status, round_.closed_at = "closed", at
    session.commit()


def test_rounds_are_due_only_when_closed_longer_than_the_retention_period(
    session: Session, make_round: Callable[..., Round]
) -> None:
    old, recent, running = make_round(), make_round(revision="0.4"), make_round(revision="0.5")
    past_closing = make_round(revision="0.6", closes_at=NOW - dt.timedelta(days=40))
    _close(session, old, NOW - dt.timedelta(days=31))
    _close(session, recent, NOW - dt.timedelta(days=29))
    due = privacy.rounds_due(session, 30, NOW)
    assert [(r.id, closed) for r, closed in due] == [
        (old.id, NOW - dt.timedelta(days=31)),
        (past_closing.id, NOW - dt.timedelta(days=40)),
    ]
    assert running.id not in {r.id for r, _ in due}
    assert privacy.rounds_due(session, 45, NOW) == []


def test_a_purged_round_is_due_again_only_after_it_is_reopened_and_closed(
    session: Session, make_round: Callable[..., Round]
) -> None:
    round_ = make_round()
    _close(session, round_, NOW - dt.timedelta(days=100))
    privacy.apply_retention(session, 30, NOW, actor=SETUP)
    session.commit()
    assert privacy.rounds_due(session, 30, NOW) == []
    rounds.reopen_round(session, round_, actor=SETUP)
    _close(session, round_, NOW + dt.timedelta(days=1))
    later = NOW + dt.timedelta(days=40)
    assert [r.id for r, _ in privacy.rounds_due(session, 30, later)] == [round_.id]


def test_purging_keeps_submitted_answers_linked_to_no_one(session: Session, world: World) -> None:
    before = responses_of(session, world.named)
    _close(session, world.named, NOW - dt.timedelta(days=31))
    report = privacy.apply_retention(session, 30, NOW, actor=SETUP)
    session.commit()
    assert [p.round_id for p in report.purged] == [world.named.id]
    (purge,) = report.purged
    assert (purge.invitations, purge.drafts_deleted, purge.responses_kept) == (2, 0, 2)
    assert purge.mail_messages == 2
    assert linked_responses(session, world.named) == []
    after = responses_of(session, world.named)
    assert [r.id for r in after] == [r.id for r in before]
    assert all(r.invitation_id is None and r.token is None for r in after)
    assert count(session, select(Answer).where(Answer.response_id.in_([r.id for r in after]))) == 6
    assert count(session, select(FeedbackItem).where(FeedbackItem.round_id == world.named.id)) == 2
    assert count(session, select(MailMessage)) == 0
    assert count(session, select(Invitation).where(Invitation.round_id == world.named.id)) == 0
    assert len(linked_responses(session, world.anonymous)) == 2, "other rounds are untouched"
    session.refresh(world.named)
    assert rounds.as_utc(world.named.personal_data_purged_at) == NOW


def test_purging_deletes_unsubmitted_responses_and_is_audited(
    session: Session, world: World
) -> None:
    _close(session, world.later, NOW - dt.timedelta(days=31))
    (purge,) = privacy.apply_retention(session, 30, NOW, actor=SETUP).purged
    session.commit()
    assert (purge.drafts_deleted, purge.responses_kept) == (1, 0)
    assert responses_of(session, world.later) == []
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention_purged"))
    assert event.target == f"round {world.later.id}"
    assert "1 unsubmitted response(s) deleted" in event.detail
    assert AINO["email"] not in event.detail


def test_after_every_round_is_purged_only_the_participant_list_names_people(
    session: Session, world: World
) -> None:
    for round_ in (world.named, world.anonymous, world.later):
        closed_days_ago(session, round_, 400)
    report = privacy.apply_retention(session, 365, actor=SETUP)
    session.commit()
    assert len(report.purged) == 3
    assert report.participants_without_invitations == 2
    left = {line.split(":")[0] for line in traces(session, AINO)}
    assert left == {"participants", "audit_events"}, "the list stays until someone forgets her"
    forget(session, AINO["email"])
    assert traces(session, AINO) == []


def test_purging_twice_does_nothing_the_second_time(session: Session, world: World) -> None:
    _close(session, world.named, NOW - dt.timedelta(days=31))
    privacy.apply_retention(session, 30, NOW, actor=SETUP)
    session.commit()
    rows = database_rows(session)
    assert (
        privacy.apply_retention(session, 30, NOW + dt.timedelta(days=1), actor=SETUP).purged == []
    )
    session.commit()
    assert database_rows(session) == rows


# --- anonymous responses begun through a private link -------------------------------------------


def _begun(session: Session, invitation: Invitation, *, submit: bool) -> str:
    """The invitation's anonymous response, begun (and submitted if asked) as the respondent
    pages do: detached from the invitation from the start; returns its private token."""
    token = anonymous.begin_response(
        session, response_reads.resolve_link(session, invitation.token), "fi"
    )
    assert token is not None
    if submit:
        link = response_reads.resolve_link(session, token)
        response = response_writes.ensure_response(session, link)
        survey = rounds.round_survey(session.get_one(Round, invitation.round_id))
        response_writes.submit_response(session, response, survey)
        response_writes.mark_invitation_submitted(session, invitation.id, invitation.round_id)
    session.commit()
    return token


def test_forgetting_counts_and_keeps_an_anonymous_response_it_cannot_find(
    session: Session,
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[..., Invitation],
) -> None:
    round_ = make_round(is_anonymous=True)
    carla = make_participant(email="carla.rossi@bologna.example")
    token = _begun(session, make_invitation(round_, carla), submit=True)
    preview = privacy.erasure_preview(session, carla)
    assert (preview.responses_deleted, preview.responses_kept) == (0, 1)
    erasure = forget(session, "carla.rossi@bologna.example")
    assert (erasure.invitations, erasure.responses_deleted, erasure.responses_kept) == (1, 0, 1)
    (kept,) = responses_of(session, round_)
    assert (kept.invitation_id, kept.token, kept.status) == (None, token, "submitted")
    assert count(session, select(Invitation).where(Invitation.round_id == round_.id)) == 0


def test_purging_an_anonymous_round_deletes_drafts_and_private_links(
    session: Session,
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[..., Invitation],
) -> None:
    round_ = make_round(is_anonymous=True)
    _begun(session, make_invitation(round_, make_participant()), submit=True)
    _begun(session, make_invitation(round_, make_participant()), submit=False)
    _close(session, round_, NOW - dt.timedelta(days=31))
    (purge,) = privacy.apply_retention(session, 30, NOW, actor=SETUP).purged
    session.commit()
    assert (purge.invitations, purge.drafts_deleted, purge.responses_kept) == (2, 1, 1)
    (kept,) = responses_of(session, round_)
    assert (kept.status, kept.invitation_id, kept.token) == ("submitted", None, None)
