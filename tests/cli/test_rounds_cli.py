"""The command line: rounds, links, demo, init."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp import migrate
from surveyapp.models import Invitation, Response, Round
from surveyapp.services import users


def test_init_reports_the_database_is_current(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert f"up to date (revision {migrate.head_revision()})" in result.output


def test_round_open_prints_the_id_last_and_invites_the_group(
    runner: FlaskCliRunner, session: Session, make_participant: Callable[..., Any]
) -> None:
    make_participant(group="validation-group")
    make_participant(group="validation-group")
    make_participant(group="city-pilot")
    result = runner.invoke(
        args=[
            "round",
            "open",
            "manual-usability",
            "--revision",
            "0.3",
            "--group",
            "validation-group",
            "--closes",
            "2099-01-31T23:00",
        ]
    )
    assert result.exit_code == 0, result.output
    round_id = int(result.output.strip().splitlines()[-1])
    round_ = session.get_one(Round, round_id)
    assert (round_.survey_id, round_.revision, round_.status) == ("manual-usability", "0.3", "open")
    assert "manual-usability" in round_.definition_yaml
    assert (
        len(session.scalars(select(Invitation).where(Invitation.round_id == round_id)).all()) == 2
    )


def test_round_open_with_open_link_prints_it(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["round", "open", "city-pilot", "--revision", "0.4", "--open-link"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 0
    assert any(line.startswith("Open link: http://127.0.0.1:5000/o/") for line in lines)
    assert lines[-1].isdigit()


def test_round_open_unknown_survey_fails_with_one_line(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["round", "open", "no-such-survey", "--revision", "1"])
    assert result.exit_code == 1
    assert "no survey 'no-such-survey'" in result.output
    assert "Traceback" not in result.output


def test_round_open_rejects_a_bad_date(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["round", "open", "city-pilot", "--revision", "1", "--opens", "next tuesday"]
    )
    assert result.exit_code != 0 and "2026-12-01T09:00" in result.output


def test_close_and_reopen_keep_answers(
    runner: FlaskCliRunner, session: Session, make_round: Callable[..., Any]
) -> None:
    round_ = make_round()
    session.add(Response(round_id=round_.id, status="submitted"))
    session.commit()
    assert runner.invoke(args=["round", "close", str(round_.id)]).exit_code == 0
    session.rollback()
    session.expire_all()
    assert session.get_one(Round, round_.id).status == "closed"
    listing = runner.invoke(args=["round", "list"]).output
    assert "closed" in listing
    assert runner.invoke(args=["round", "reopen", str(round_.id)]).exit_code == 0
    session.rollback()
    session.expire_all()
    assert session.get_one(Round, round_.id).status == "open"
    assert len(session.scalars(select(Response)).all()) == 1


def test_close_unknown_round_fails_cleanly(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["round", "close", "999"])
    assert result.exit_code == 1 and "there is no round 999" in result.output


def test_links_writes_the_mail_merge_csv(
    runner: FlaskCliRunner,
    tmp_path: Path,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    round_ = make_round()
    make_invitation(round_, make_participant(name="Åsa Öberg", language="sv"))
    make_invitation(round_, make_participant(name="Jean Dupont", language="fr"))
    out = tmp_path / "links.csv"
    result = runner.invoke(args=["links", str(round_.id), "-o", str(out)])
    assert result.exit_code == 0 and "Wrote 2 link(s)" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "name,email,language,link"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["Jean Dupont", "Åsa Öberg"]
    assert [r["language"] for r in rows] == ["en", "sv"], "unknown languages fall back to default"
    assert all(r["link"].startswith("http://127.0.0.1:5000/s/") for r in rows)
    assert len(rows[0]["link"].rsplit("/", 1)[1]) >= 22, "at least 128 random bits"


def test_demo_builds_rounds_and_answers_then_stays_quiet_with_if_empty(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/s/" in result.output
    for language in ("fi", "sv", "en"):
        assert f"({language})" in result.output, "a link to try in each survey language"
    revisions = sorted(r.revision for r in session.scalars(select(Round)))
    assert revisions == ["0.3", "0.4"]
    statuses = {r.status for r in session.scalars(select(Response))}
    assert statuses == {"draft", "submitted"}
    # Each response in its respondent's language, as answering would store it.
    invitations = {i.id: i for i in session.scalars(select(Invitation))}
    for response in session.scalars(select(Response)):
        invitation = invitations[response.invitation_id]
        assert response.language == (invitation.participant.language or "en")
        assert invitation.started_at is not None
        assert (invitation.submitted_at is not None) == (response.status == "submitted")
    login = re.search(r"coordinator: (\S+)  password: (\S+)", result.output)
    assert login, "the demo prints where and how to log in"
    assert users.authenticate(session, login[1], login[2]) is not None
    session.rollback()  # let go of the write lock the login's timestamp took
    again = runner.invoke(args=["demo", "--if-empty"])
    assert "not added" in again.output
    assert "http://127.0.0.1:5000/s/" in again.output
    assert len(session.scalars(select(Round)).all()) == 2


def test_links_csv_never_carries_a_live_formula(
    runner: FlaskCliRunner,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    round_ = make_round()
    make_invitation(round_, make_participant(name='=HYPERLINK("http://evil.example","x")'))
    output = runner.invoke(args=["links", str(round_.id)]).output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example","x")'


def test_round_list_counts_open_link_responses_apart(
    runner: FlaskCliRunner, session: Session, make_round: Callable[..., Any]
) -> None:
    round_ = make_round(open_link=True)
    session.add(Response(round_id=round_.id, status="submitted"))
    session.commit()
    line = runner.invoke(args=["round", "list"]).output.strip().splitlines()[-1]
    assert line.split()[-4:] == ["0", "0", "0", "1/1"], "invited, started, submitted, open link"


def test_round_open_warns_about_a_group_with_nobody_in_it(
    runner: FlaskCliRunner, make_participant: Callable[..., Any]
) -> None:
    make_participant(group="validation-group")
    args = ["round", "open", "city-pilot", "--revision", "0.9"]
    result = runner.invoke(args=[*args, "--group", "validation-group", "--group", "valdiation"])
    assert result.exit_code == 0, result.output
    assert "Warning: no participant is in group 'valdiation'." in result.output
    assert "'validation-group'" not in result.output
