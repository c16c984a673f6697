"""Invitations and reminders by email, sent to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from mailserver import MAIL_FROM, MailServer, closed_port
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import SETUP, assert_by_account, participant_maker, round_maker
from surveyapp.auth.access import session_claims
from surveyapp.models import AuditEvent, Invitation, MailBatch, MailMessage, Response, Round, User
from surveyapp.services import mail, rounds, users
from surveyapp.services.audit import Actor

BASE_URL = "https://survey.partnership.example.eu"
NUMBERS = itertools.count(1)
SUBJECT_START = {
    "en": "Invitation: Test survey",
    "fi": "Kutsu: Testikysely",
    "sv": "Inbjudan: Testenkät",
}
LINK_LINE = {
    "en": "Your personal link:",
    "fi": "Henkilökohtainen vastauslinkkisi:",
    "sv": "Din personliga länk:",
}


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: MailServer) -> dict[str, Any]:
    """Mail goes to the test's SMTP server, and is sent inside the request (no thread)."""
    return app_config | smtp_server.config() | {"BASE_URL": BASE_URL, "MAIL_SEND_INLINE": True}


def log_in(client: FlaskClient, session: Session, role: str = "coordinator") -> User:
    user = users.add_user(
        session, f"{role}{next(NUMBERS)}@partnership.example.eu", role, "x" * 12, actor=SETUP
    )
    session.commit()
    with client.session_transaction() as browser:
        browser.update(session_claims(user))
    return user


def invited_round(session: Session, languages: list[str | None]) -> Round:
    """A round of the en/fi/sv test survey, one invited participant per language."""
    round_ = round_maker(session)()
    make = participant_maker(session)
    people = [make(email=f"p{next(NUMBERS)}@city.example", language=lang) for lang in languages]
    rounds.invite_participants(session, round_, [p.id for p in people], actor=SETUP)
    session.commit()
    return round_


def invitations(session: Session, round_: Round) -> list[Invitation]:
    query = select(Invitation).where(Invitation.round_id == round_.id).order_by(Invitation.id)
    return list(session.scalars(query))


def compose_url(round_: Round, kind: str) -> str:
    return f"/workspace/rounds/{round_.id}/mail/{kind}"


def post_from(client: FlaskClient, page_url: str, action_url: str) -> Any:
    """Post to `action_url` with the form token of the page at `page_url`, as a browser would."""
    html = client.get(page_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert token, f"no csrf_token on {page_url}"
    return client.post(action_url, data={"csrf_token": token.group(1)})


def send(client: FlaskClient, round_: Round, kind: str) -> Any:
    url = compose_url(round_, kind)
    return post_from(client, url, url)


def send_again(client: FlaskClient, batch_url: str) -> Any:
    return post_from(client, batch_url, batch_url + "/send")


def messages(session: Session) -> list[MailMessage]:
    session.rollback()  # a fresh snapshot: the app wrote through its own sessions
    session.expire_all()
    return list(session.scalars(select(MailMessage).order_by(MailMessage.id)))


def batch_count(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(MailBatch)) or 0


def test_invitations_reach_every_participant_once_in_their_language_with_their_link(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["fi", "sv", "en", "de", None])
    response = send(client, round_, "invitation")
    assert response.status_code == 303
    expected = {
        inv.participant.email: (inv.participant.language, inv.token)
        for inv in invitations(session, round_)
    }
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(expected)
    for email, (language, token) in expected.items():
        [message] = smtp_server.to(email)
        lang = language if language in ("fi", "sv") else "en"  # de is not offered: the default
        assert message["Subject"].startswith(SUBJECT_START[lang])
        assert message["Content-Language"] == lang
        assert (message["From"], message["To"]) == (MAIL_FROM, email)
        assert message["Message-ID"] and message["Date"]
        body = message.get_content()
        assert f"{LINK_LINE[lang]}\n{BASE_URL}/s/{token}\n" in body
        others = [t for e, (_lang, t) in expected.items() if e != email]
        assert not any(t in body for t in others)
    assert {m.status for m in messages(session)} == {"sent"}


def test_the_progress_page_shows_the_outcome(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en", "en"])
    smtp_server.refused.add(invitations(session, round_)[0].participant.email)
    page = client.get(send(client, round_, "invitation").location).get_data(as_text=True)
    assert re.search(r"<dt>Sent</dt><dd>1</dd>\s*<dt>Failed</dt><dd>1</dd>", page)
    assert "Recipient address rejected" in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    assert "Send again to the ones not reached" in page


def test_reminders_go_only_to_those_who_have_not_submitted(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en", "fi", "sv"])
    submitted, draft, untouched = invitations(session, round_)
    session.add(Response(round_id=round_.id, invitation_id=submitted.id, status="submitted"))
    session.add(Response(round_id=round_.id, invitation_id=draft.id, status="draft"))
    session.commit()
    send(client, round_, "reminder")
    reached = {r.rcpt_tos[0]: r.message for r in smtp_server.received}
    assert set(reached) == {draft.participant.email, untouched.participant.email}
    assert reached[draft.participant.email]["Subject"].startswith("Muistutus: Testikysely")
    assert reached[untouched.participant.email]["Subject"].startswith("Påminnelse: Testenkät")
    assert f"/s/{draft.token}" in reached[draft.participant.email].get_content()


def test_a_refused_address_fails_with_the_reason_and_sending_again_reaches_only_it(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en", "fi", "sv"])
    refused = invitations(session, round_)[1].participant.email
    smtp_server.refused.add(refused)
    batch_url = send(client, round_, "invitation").location
    failed = [m for m in messages(session) if m.status == "failed"]
    assert [(m.email, m.error[:31]) for m in failed] == [
        (refused, "refused by the mail server: 550")
    ]
    assert len(smtp_server.received) == 2
    smtp_server.refused.clear()
    assert send_again(client, batch_url).status_code == 303
    everyone = sorted(r.rcpt_tos[0] for r in smtp_server.received)
    assert everyone == sorted(inv.participant.email for inv in invitations(session, round_))
    assert {m.status for m in messages(session)} == {"sent"}
    assert "Send again" not in client.get(batch_url).get_data(as_text=True)
    send_again(client, batch_url)  # nothing left: nobody gets a second one
    assert len(smtp_server.received) == 3


def test_with_the_server_down_all_fail_with_a_clear_reason_then_a_rerun_sends(
    app: Flask, client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en", "fi"])
    port = closed_port()
    app.config["SMTP_PORT"] = port
    batch_url = send(client, round_, "invitation").location
    reason = (
        f"could not connect to the mail server 127.0.0.1:{port}: [Errno 111] Connection refused"
    )
    assert [(m.status, m.error) for m in messages(session)] == [("failed", reason)] * 2
    assert reason in client.get(batch_url).get_data(as_text=True)
    app.config["SMTP_PORT"] = smtp_server.port
    send_again(client, batch_url)
    assert [m.status for m in messages(session)] == ["sent", "sent"]
    assert len(smtp_server.received) == 2


def test_without_smtp_there_is_no_send_button_and_sending_is_refused(
    app: Flask, client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en"])
    app.config["SMTP_HOST"] = None
    page = client.get(compose_url(round_, "invitation")).get_data(as_text=True)
    assert "Email is not configured on this server" in page
    assert "<button" not in page.split("<main")[1]
    assert "Dear [name]," in page  # the preview is still there
    response = send(client, round_, "invitation")
    assert response.status_code == 409
    assert (batch_count(session), smtp_server.received) == (0, [])


def test_sending_and_sending_again_need_the_form_token(
    app: Flask, client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en"])
    assert client.post(compose_url(round_, "invitation")).status_code == 400
    forged = client.post(compose_url(round_, "invitation"), data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert batch_count(session) == 0
    app.config["SMTP_PORT"] = closed_port()
    batch_url = send(client, round_, "invitation").location
    app.config["SMTP_PORT"] = smtp_server.port
    assert client.post(batch_url + "/send").status_code == 400
    assert smtp_server.received == []


def test_two_clicks_on_send_make_one_batch(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en", "sv"])
    send(client, round_, "invitation")
    second = send(client, round_, "invitation")
    assert second.status_code == 409
    assert "has received the invitation already" in second.get_data(as_text=True)
    send(client, round_, "reminder")
    assert send(client, round_, "reminder").status_code == 409  # a moment after the first
    assert batch_count(session) == 2
    assert len(smtp_server.received) == 4  # one invitation and one reminder each


def test_a_closed_round_offers_no_sending(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en"])
    rounds.close_round(session, round_, actor=SETUP)
    session.commit()
    page = client.get(compose_url(round_, "reminder")).get_data(as_text=True)
    assert "This round is closed" in page
    assert send(client, round_, "reminder").status_code == 409
    assert smtp_server.received == []


def test_compose_shows_recipients_by_language_and_a_preview_in_each_without_tokens(
    client: FlaskClient, session: Session
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["fi", "fi", "sv", None])
    response = client.get(compose_url(round_, "invitation"))
    assert response.headers["Cache-Control"] == "no-store"  # it lists people: nobody keeps it
    page = response.get_data(as_text=True)
    assert "This message would go to 4 people." in page
    assert re.search(r"<th scope=\"row\">suomi</th><td[^>]*>2</td>", page)
    for lang in ("en", "fi", "sv"):
        assert SUBJECT_START[lang] in page
        assert f'<div lang="{lang}">' in page
    assert f"{BASE_URL}/s/[personal-link]" in page
    assert not any(inv.token in page for inv in invitations(session, round_))
    assert "Send to 4 people" in page


def test_the_progress_page_refreshes_while_messages_are_pending(
    app: Flask, client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    coordinator = log_in(client, session)
    round_ = invited_round(session, ["en", "fi"])
    batch = mail.create_batch(session, round_, "invitation", actor=Actor.from_user(coordinator, ""))
    session.commit()
    page = client.get(f"/workspace/rounds/{round_.id}/mail/batches/{batch.id}").get_data(
        as_text=True
    )
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="mail-progress" max="2" value="0">' in page
    calm = client.get(f"/workspace/rounds/{round_.id}/mail/batches/{batch.id}?refresh=0")
    assert 'http-equiv="refresh"' not in calm.get_data(as_text=True)  # WCAG 2.2.1
    assert "Send again" not in page  # a running batch is not started twice


def test_sending_runs_in_a_background_thread_and_the_page_follows_it(
    app: Flask, client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    app.config["MAIL_SEND_INLINE"] = False
    log_in(client, session)
    round_ = invited_round(session, ["en", "fi", "sv"])
    batch_url = send(client, round_, "invitation").location
    deadline = time.monotonic() + 20
    while 'http-equiv="refresh"' in client.get(batch_url).get_data(as_text=True):
        assert time.monotonic() < deadline, "the batch never finished"
        time.sleep(0.05)
    assert len(smtp_server.received) == 3
    assert [m.status for m in messages(session)] == ["sent"] * 3


def test_each_send_run_is_audited_with_counts_and_no_link(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    log_in(client, session)
    round_ = invited_round(session, ["en", "fi"])
    smtp_server.refused.add(invitations(session, round_)[0].participant.email)
    batch_url = send(client, round_, "invitation").location
    send_again(client, batch_url)
    session.rollback()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "mail_sent")).all()
    details = [e.detail.split(": ")[1] for e in events]
    assert details == ["1 sent, 1 failed", "0 sent, 1 failed"]
    created = session.scalars(select(AuditEvent).where(AuditEvent.action == "mail_batch_created"))
    for event_ in [*created, *events]:  # also from the send loop, after its request
        assert_by_account(session, event_, "coordinator")
    logged = " ".join(f"{e.target} {e.detail}" for e in session.scalars(select(AuditEvent)))
    assert not any(inv.token in logged for inv in invitations(session, round_))
    assert "/s/" not in logged


def _mail_urls(app: Flask, round_id: int, batch_id: int) -> list[tuple[str, str]]:
    """Every route of the mail blueprint, from the URL map, so a new one cannot escape."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("mail."):
            continue
        values = {"round_id": round_id, "batch_id": batch_id, "kind": "invitation"}
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_mail_page_is_for_coordinators_only(
    app: Flask, client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    round_ = invited_round(session, ["en"])
    batch = MailBatch(round_id=round_.id, kind="invitation")
    session.add(batch)
    session.commit()
    urls = _mail_urls(app, round_.id, batch.id)
    assert len(urls) == 5
    app.config["WTF_CSRF_ENABLED"] = False  # so that only the role decides
    for method, url in urls:
        assert client.open(url, method=method).status_code == 302, url  # to the login page
    log_in(client, session, "editor")
    for method, url in urls:
        assert client.open(url, method=method).status_code == 403, url
    assert (batch_count(session), smtp_server.received) == (1, [])


def test_the_round_panel_shows_links_and_history_to_coordinators_only(
    app: Flask, session: Session, smtp_server: MailServer
) -> None:
    round_ = invited_round(session, ["en"])
    session.add(MailBatch(round_id=round_.id, kind="reminder"))
    coordinator = users.add_user(
        session, "c@partnership.example.eu", "coordinator", "x" * 12, actor=SETUP
    )
    editor = users.add_user(session, "e@partnership.example.eu", "editor", "x" * 12, actor=SETUP)
    session.commit()
    counts = {"invited": 1, "started": 0, "submitted": 0}
    panel = '{% include "mail/_round_panel.html" %}'
    with app.test_request_context():
        from flask import g

        g.user = coordinator
        shown = render_template_string(panel, round=round_, counts=counts)
        g.user = editor
        hidden = render_template_string(panel, round=round_, counts=counts)
    assert f'href="/workspace/rounds/{round_.id}/mail/invitation"' in shown
    assert f'href="/workspace/rounds/{round_.id}/mail/reminder"' in shown
    assert f'href="/workspace/rounds/{round_.id}/mail/"' in shown
    assert "1 not submitted" in shown and "Reminder" in shown
    assert hidden.strip() == ""


def test_a_batch_stopped_by_a_restart_can_be_finished_without_sending_twice(
    client: FlaskClient, session: Session, smtp_server: MailServer
) -> None:
    """A worker ended mid-batch: one message was going out, one was still waiting."""
    coordinator = log_in(client, session)
    round_ = invited_round(session, ["en", "en"])
    batch = mail.create_batch(session, round_, "invitation", actor=Actor.from_user(coordinator, ""))
    long_ago = batch.created_at - dt.timedelta(hours=1)
    batch.created_at = batch.started_at = long_ago
    caught, waiting = batch.messages
    caught.status, caught.claimed_at = "sending", long_ago
    session.commit()
    batch_url = f"/workspace/rounds/{round_.id}/mail/batches/{batch.id}"
    page = client.get(batch_url).get_data(as_text=True)
    assert "Sending stopped before the end" in page
    assert 'http-equiv="refresh"' not in page
    assert re.search(rf"Delivery unknown</h2>.*<li>{caught.email}</li>", page, re.S)
    assert send_again(client, batch_url).status_code == 303
    assert [r.rcpt_tos for r in smtp_server.received] == [(waiting.email,)]
    assert {m.email: m.status for m in messages(session)} == {
        caught.email: "sending",
        waiting.email: "sent",
    }
