"""Background work whose worker died (killed, or restarted mid-job) is not lost silently.

A job's thread dies with its worker, leaving the job as it was in the database: an export
`running` (or still `queued`) with an old `updated_at`, a mail batch started but never
finished, with a message claimed long ago. Its page then says it stopped, and why, instead
of waiting forever; a new start works, and nothing already done is done twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import analysis_dataset
import pytest
from flask import Flask
from flask.testing import FlaskClient
from mailserver import MailServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, participant_maker, round_maker, table_rows, workspace_token
from surveyapp.db import utcnow
from surveyapp.jobs import exports
from surveyapp.models import ExportJob, MailBatch, MailMessage, Round
from surveyapp.services import mail, rounds
from surveyapp.services.audit import Actor

REFRESH = 'http-equiv="refresh"'
EXPORT_STOPPED = "Preparing the file stopped before the end"
MAIL_STOPPED = "Sending stopped before the end"


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_on(client: FlaskClient, url: str, action: str, **data: str) -> Any:
    """Post the form at `action` with the token of the page at `url`, as a browser would."""
    return client.post(action, data={"csrf_token": workspace_token(client, url), **data})


# --- an export ---------------------------------------------------------------------------------


def export_rows(session: Session) -> list[ExportJob]:
    fresh(session)
    return list(session.scalars(select(ExportJob).order_by(ExportJob.id)))


def state_in_list(html: str, job_id: int) -> str:
    """The State cell of the job's row on the round's export page."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        if f'/export/{job_id}"' in row:
            found = re.search(r'data-label="State">([^<]*)<', row)
            assert found
            return found.group(1)
    raise AssertionError(f"export {job_id} is not listed")


@pytest.mark.parametrize("status", ["running", "queued"])
def test_an_export_whose_worker_died_shows_why_and_a_new_start_builds_it(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    data: analysis_dataset.Dataset,
    status: str,
) -> None:
    """`running`: killed mid-build, one response written; `queued`: killed before it began."""
    app.config["EXPORT_INLINE"] = True
    login(client, "editor")
    round_ = session.get_one(Round, data.current.id)
    dead, _ = exports.start_export(session, round_, "fi", actor=SETUP)
    last_sign_of_life = utcnow() - exports.STALE_AFTER - dt.timedelta(seconds=1)
    dead.status, dead.updated_at = status, last_sign_of_life
    if status == "running":
        dead.started_at, dead.written = last_sign_of_life, 1
    session.commit()
    dead_url = f"/workspace/rounds/{round_.id}/export/{dead.id}"
    listing_url = f"/workspace/rounds/{round_.id}/export"

    html = page(client, dead_url)
    assert EXPORT_STOPPED in html and "the server restarted" in html and 'role="alert"' in html
    assert REFRESH not in html, "nothing to wait for"
    assert state_in_list(page(client, listing_url), dead.id) == "failed"

    started = post_on(client, dead_url, listing_url, lang="fi")  # the page's "Try again"
    assert started.status_code == 303
    old, new = export_rows(session)
    assert started.headers["Location"].endswith(f"/export/{new.id}")
    assert (old.id, old.status, old.failure) == (dead.id, "failed", "stopped")
    assert old.finished_at is not None
    assert (new.status, new.written, new.total) == ("done", 3, 3)
    assert EXPORT_STOPPED in page(client, dead_url), "the reason stays on the old job's page"
    assert "download>" in page(client, started.headers["Location"])

    # A late thread of the dead job (a worker only stalled) cannot take it up again.
    sessions = app.extensions["sessionmaker"]
    assert exports.run_export(sessions, old.id, app.config["EXPORTS_DIR"]) == "failed"
    assert export_rows(session)[0].failure == "stopped"


# --- a mail batch --------------------------------------------------------------------------------


def test_a_mail_batch_whose_worker_died_shows_why_and_can_be_finished_and_started_again(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    session: Session,
    smtp_server: MailServer,
) -> None:
    """A reminder batch's loop was killed: one message had gone, one was going, one waited."""
    app.config.update(smtp_server.config() | {"MAIL_SEND_INLINE": True})
    coordinator = login(client, "coordinator")
    round_ = round_maker(session)()
    make = participant_maker(session)
    people = [make(email=f"p{n}@city.example", language="en") for n in range(3)]
    rounds.invite_participants(session, round_, [p.id for p in people], actor=SETUP)
    batch = mail.create_batch(session, round_, "reminder", actor=Actor.from_user(coordinator, ""))
    long_ago = utcnow() - mail.batches.STALE_AFTER - dt.timedelta(minutes=1)
    batch.created_at = batch.started_at = long_ago
    sent, caught, waiting = batch.messages
    sent.status, sent.claimed_at, sent.sent_at = "sent", long_ago, long_ago
    caught.status, caught.claimed_at = "sending", long_ago
    session.commit()
    base = f"/workspace/rounds/{round_.id}/mail"
    batch_url = f"{base}/batches/{batch.id}"

    html = page(client, batch_url)
    assert MAIL_STOPPED in html and "the server restarted" in html
    assert REFRESH not in html
    assert re.search(rf"Delivery unknown</h2>.*<li>{caught.email}</li>", html, re.S)
    assert "Send again to the ones not reached" in html
    (_header, row) = table_rows(page(client, f"{base}/"), "Email batches")
    assert row[-1] == "stopped"
    assert "being sent or was started a moment ago" not in page(client, f"{base}/reminder")

    assert post_on(client, batch_url, f"{batch_url}/send").status_code == 303
    assert [r.rcpt_tos for r in smtp_server.received] == [(waiting.email,)], "nobody twice"
    fresh(session)
    statuses = {m.email: m.status for m in session.scalars(select(MailMessage))}
    assert statuses == {sent.email: "sent", caught.email: "sending", waiting.email: "sent"}
    assert session.get_one(MailBatch, batch.id).finished_at is not None
    (_header, row) = table_rows(page(client, f"{base}/"), "Email batches")
    assert row[-1] == "finished"

    # A new batch of the same kind is not refused as busy.
    new = post_on(client, f"{base}/reminder", f"{base}/reminder")
    assert new.status_code == 303
    assert len(smtp_server.received) == 1 + 3
