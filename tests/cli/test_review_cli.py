"""The command line of peer reviews: create, parties, members, list, links, publish, re-run;
each write audited with the command-line actor."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import fresh
from surveyapp.review_models import PeerReview


def _create(runner: FlaskCliRunner) -> int:
    result = runner.invoke(
        args=[
            "review",
            "create",
            "--title",
            "Peer review 2027",
            "--host",
            "City of Tampere",
            "--host-language",
            "fi",
            "--criteria",
            "procurement-unit",
            "--days",
            "2027-05-10",
            "2027-05-11",
        ]
    )
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


def _invoke(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_create_party_member_list_links(
    runner: FlaskCliRunner, session: Session, audit_events: Callable[..., Any], tmp_path: Path
) -> None:
    review_id = _create(runner)
    _invoke(
        runner,
        "review",
        "party",
        "add",
        str(review_id),
        "--role",
        "peer",
        "--name",
        "City of Malmö",
        "--language",
        "sv",
        "--country",
        "SE",
    )
    _invoke(
        runner,
        "review",
        "member",
        "add",
        str(review_id),
        "city of malmö",
        "--name",
        "Eva Berg",
        "--email",
        "eva@malmo.example",
    )
    _invoke(
        runner,
        "review",
        "member",
        "add",
        str(review_id),
        "City of Tampere",
        "--name",
        "Tiina Virtanen",
        "--email",
        "tiina@tampere.example",
    )
    review = fresh(session).get_one(PeerReview, review_id)
    assert review.criteria_set_id == "procurement-unit" and review.host_language == "fi"
    assert [(p.role, p.name) for p in review.parties] == [
        ("host", "City of Tampere"),
        ("peer", "City of Malmö"),
    ]
    listed = _invoke(runner, "review", "list")
    assert "Peer review 2027" in listed and "City of Malmö" in listed
    target = tmp_path / "links.csv"
    _invoke(runner, "review", "links", str(review_id), "-o", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    assert [(r["organisation"], r["name"], r["language"]) for r in rows] == [
        ("City of Tampere", "Tiina Virtanen", "fi"),
        ("City of Malmö", "Eva Berg", "sv"),
    ]
    assert all(r["link"].startswith("http://127.0.0.1:5000/r/") for r in rows)
    events = audit_events()
    assert [e.action for e in events] == [
        "review_created",
        "review_party_added",
        "review_party_added",
        "review_member_added",
        "review_member_added",
        "review_links_downloaded",
    ]
    assert all("(command line" in e.actor_email for e in events)
    tokens = [r["link"].rsplit("/", 1)[1] for r in rows]
    assert not any(t in e.detail + e.target for t in tokens for e in events)


def test_errors_are_one_line_messages(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "review",
            "create",
            "--title",
            "t",
            "--host",
            "h",
            "--host-language",
            "fi",
            "--criteria",
            "no-such-set",
            "--days",
            "2027-05-10",
            "2027-05-11",
        ]
    )
    assert result.exit_code == 1 and "no criteria set 'no-such-set'" in result.output
    review_id = _create(runner)
    result = runner.invoke(
        args=[
            "review",
            "member",
            "add",
            str(review_id),
            "Nobody",
            "--name",
            "X",
            "--email",
            "x@y.example",
        ]
    )
    assert result.exit_code == 1 and "has no party 'Nobody'" in result.output
    result = runner.invoke(
        args=["review", "rerun", str(review_id), "--days", "2029-05-14", "2029-05-15"]
    )
    assert result.exit_code == 1 and f"publish review {review_id}" in result.output
    result = runner.invoke(
        args=[
            "review",
            "create",
            "--title",
            "t",
            "--host",
            "h",
            "--host-language",
            "fi",
            "--criteria",
            "procurement-unit",
            "--days",
            "10.5.2027",
            "11.5.2027",
        ]
    )
    assert result.exit_code == 2 and "two dates like" in result.output


def test_publish_and_rerun(
    runner: FlaskCliRunner, session: Session, audit_events: Callable[..., Any]
) -> None:
    review_id = _create(runner)
    _invoke(
        runner,
        "review",
        "member",
        "add",
        str(review_id),
        "City of Tampere",
        "--name",
        "Tiina Virtanen",
        "--email",
        "tiina@tampere.example",
    )
    assert "Published review" in _invoke(runner, "review", "publish", str(review_id))
    output = _invoke(
        runner, "review", "rerun", str(review_id), "--days", "2029-05-14", "2029-05-15"
    )
    rerun = fresh(session).get_one(PeerReview, int(output.strip().splitlines()[-1]))
    assert rerun.previous_review_id == review_id
    assert rerun.criteria_set_id == "procurement-unit"
    assert [m.email for p in rerun.parties for m in p.members] == ["tiina@tampere.example"]
    assert [e.action for e in audit_events()][-2:] == ["review_published", "review_rerun_started"]
    assert "re-run of " + str(review_id) in _invoke(runner, "review", "list")


def test_demo_adds_the_peer_review_once_and_prints_its_links(
    runner: FlaskCliRunner, session: Session
) -> None:
    first = _invoke(runner, "demo")
    assert "Demo peer review" in first
    links = [line for line in first.splitlines() if "http://127.0.0.1:5000/r/" in line]
    assert len(links) == 3 and any("City of Tampere (fi)" in line for line in links)
    again = _invoke(runner, "demo", "--if-empty")
    assert [line for line in again.splitlines() if "/r/" in line] == links
    _invoke(runner, "demo")  # a full run again: new rounds, the same review
    assert len(fresh(session).scalars(select(PeerReview)).all()) == 2


def _refused(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output  # one clear line
    return result.output


def test_a_language_the_criteria_set_lacks_is_refused(
    runner: FlaskCliRunner, session: Session
) -> None:
    """procurement-unit is written in en, fi and sv: "se" (Sweden's country code) or "FI"
    would show every page in a fallback language."""
    create = ["review", "create", "--title", "t", "--host", "h", "--criteria", "procurement-unit"]
    days = ["--days", "2027-05-10", "2027-05-11"]
    output = _refused(runner, *create, "--host-language", "FI", *days)
    assert "the host's language is 'FI' (did you mean 'fi'?)" in output
    assert "procurement-unit is written in en, fi, sv" in output
    review_id = str(_create(runner))
    party = ["review", "party", "add", review_id, "--role", "peer", "--name", "City of Malmö"]
    output = _refused(runner, *party, "--language", "se")
    assert "the language of City of Malmö is 'se'; the criteria set" in output
    _invoke(runner, *party, "--language", "sv")
    member = ["review", "member", "add", review_id, "City of Malmö", "--name", "Eva"]
    output = _refused(runner, *member, "--email", "eva@malmo.example", "--language", "de")
    assert "the reviewer's language is 'de'" in output
    _invoke(runner, *member, "--email", "eva@malmo.example", "--language", "en")
    review = fresh(session).get_one(PeerReview, int(review_id))
    assert [(p.name, p.language) for p in review.parties] == [
        ("City of Tampere", "fi"),
        ("City of Malmö", "sv"),
    ]
    assert [(m.name, m.language) for m in review.parties[1].members] == [("Eva", "en")]


def _successor_set(directory: Path) -> None:
    """procurement-unit and a successor that renames `influence` without saying it continues
    it, and names an id the earlier set never had."""
    source = Path(__file__).resolve().parents[2] / "criteria" / "procurement-unit.yaml"
    text = source.read_text(encoding="utf-8")
    (directory / "procurement-unit.yaml").write_text(text, encoding="utf-8")
    successor = text.replace("id: procurement-unit", "id: procurement-unit-2", 1).replace(
        "  - id: influence\n", "  - id: leverage\n    continues: [influense]\n", 1
    )
    (directory / "procurement-unit-2.yaml").write_text(successor, encoding="utf-8")


def test_rerun_names_the_criteria_its_mapping_leaves_out(
    runner: FlaskCliRunner,
    app: Flask,
    session: Session,
    audit_events: Callable[..., Any],
    tmp_path: Path,
) -> None:
    _successor_set(tmp_path)
    app.config["CRITERIA_DIR"] = str(tmp_path)
    app.extensions.pop("criteria", None)
    review_id = _create(runner)
    _invoke(runner, "review", "publish", str(review_id))
    output = _invoke(
        runner,
        "review",
        "rerun",
        str(review_id),
        "--days",
        "2029-05-14",
        "2029-05-15",
        "--criteria",
        "procurement-unit-2",
    )
    note = (
        "earlier criteria not carried on: influence; new criteria without an earlier one: "
        "leverage; not in the earlier set: leverage continues influense"
    )
    assert f"Note: {note}." in output
    rerun = fresh(session).get_one(PeerReview, int(output.strip().splitlines()[-1]))
    assert rerun.criteria_set_id == "procurement-unit-2"
    assert audit_events()[-1].detail.endswith(note)
