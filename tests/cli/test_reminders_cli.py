"""`surveyapp round reminders` and `surveyapp mail due` at the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from surveyapp.services.mail import reminders


def test_set_list_and_send_due_reminders(
    app: Flask,
    runner: FlaskCliRunner,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
    smtp_server: Any,
) -> None:
    round_ = make_round()
    person = make_participant(email="late@city.example", language="sv")
    make_invitation(round_, person)
    today = reminders.today()
    later = today + dt.timedelta(days=7)
    result = runner.invoke(
        args=["round", "reminders", str(round_.id), "--on", today.isoformat(), "--on", str(later)]
    )
    assert result.exit_code == 0, result.output
    assert f"{today.isoformat()}  due" in result.output
    assert f"{later.isoformat()}  waiting" in result.output
    bad = runner.invoke(args=["round", "reminders", str(round_.id), "--on", "2001-01-01"])
    assert bad.exit_code == 1 and "has passed" in bad.output
    no_mail = runner.invoke(args=["mail", "due"])
    assert no_mail.exit_code == 1 and "mail is not configured" in no_mail.output
    app.config.update(smtp_server.config())
    sent = runner.invoke(args=["mail", "due"])
    assert sent.exit_code == 0, sent.output
    assert "1 sent, 0 failed" in sent.output
    assert [m["Content-Language"] for m in smtp_server.to("late@city.example")] == ["sv"]
    again = runner.invoke(args=["mail", "due"])
    assert again.output.strip() == "No reminder is due."
    listed = runner.invoke(args=["round", "reminders", str(round_.id)])
    assert f"{today.isoformat()}  sent" in listed.output


def test_the_mail_history_shows_scheduled_dates_and_their_batches(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    login: Callable[[FlaskClient, str], Any],
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
    smtp_server: Any,
) -> None:
    login(client, "coordinator")
    round_ = make_round()
    make_invitation(round_, make_participant(email="p@city.example", language="en"))
    today = reminders.today()
    later = today + dt.timedelta(days=2)
    runner.invoke(
        args=["round", "reminders", str(round_.id), "--on", str(today), "--on", str(later)]
    )
    app.config.update(smtp_server.config())
    assert runner.invoke(args=["mail", "due"]).exit_code == 0
    html = client.get(f"/workspace/rounds/{round_.id}/mail/").text
    assert f"<li>{today.isoformat()}: sent</li>" in html
    assert f"<li>{later.isoformat()}: not sent yet</li>" in html
    assert f"(scheduled for {today.isoformat()})" in html
