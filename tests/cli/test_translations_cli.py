"""`surveyapp translations`, `check` and `round open` with stale translations, and the
respondent's mark of a language offered incomplete (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polib
import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from surveyapp.models import Round
from surveyapp.services import rounds

SHIPPED = Path(__file__).resolve().parents[2] / "surveys"
CLARITY = "sections/why/questions/why_clarity/text"
SURVEY = """\
id: demo
title: Demo
languages: [en, fi]
sections:
  - id: why
    title: Why
    questions:
      - id: why_clarity
        type: text
        text: How clear is the chapter?
"""
FINNISH = {"Demo": "Demo", "Why": "Miksi", "How clear is the chapter?": "Kuinka selkeä luku on?"}


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """A surveys folder of our own, with translations/ beside it."""
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    (surveys / "demo.yaml").write_text(SURVEY, encoding="utf-8")
    return {**app_config, "SURVEYS_DIR": str(surveys)}


def _run(runner: FlaskCliRunner, *args: str) -> Any:
    """`check` and `translations` run without the app: they read SURVEYS_DIR from the
    environment, as `make run` and an editor's hook give it."""
    return runner.invoke(args=list(args), env={"SURVEYS_DIR": runner.app.config["SURVEYS_DIR"]})


def _folder(runner: FlaskCliRunner) -> Path:
    return Path(runner.app.config["SURVEYS_DIR"])


def _catalogue(runner: FlaskCliRunner) -> Path:
    return _folder(runner).parent / "translations" / "demo" / "fi.po"


def _reload(runner: FlaskCliRunner) -> None:
    runner.app.extensions["surveys"].reload()


def _translated(runner: FlaskCliRunner) -> None:
    """translations update, then a translator fills the catalogue (polib, as Poedit would)."""
    result = _run(runner, "translations", "update", "demo")
    assert result.exit_code == 0, result.output
    assert f"Wrote {_catalogue(runner)}" in result.output
    po = polib.pofile(str(_catalogue(runner)))
    for entry in po:
        entry.msgstr = FINNISH[entry.msgid]
    po.save()
    _reload(runner)


def _change_source(runner: FlaskCliRunner) -> None:
    survey = _folder(runner) / "demo.yaml"
    survey.write_text(
        SURVEY.replace("How clear is the chapter?", "How clear was the chapter?"), encoding="utf-8"
    )
    _reload(runner)


def test_status_of_the_shipped_surveys(runner: FlaskCliRunner, tmp_path: Path) -> None:
    shutil.copytree(SHIPPED, tmp_path / "shipped" / "surveys")
    shutil.copytree(SHIPPED.parent / "translations", tmp_path / "shipped" / "translations")
    runner.app.config["SURVEYS_DIR"] = str(tmp_path / "shipped" / "surveys")
    result = _run(runner, "translations", "status")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["survey", "language", "translated", "stale", "missing"]
    for survey in ("city-pilot", "manual-usability", "peer-review"):
        assert f"{survey:<22} en        {'(source language)':>26}" in lines
        for lang in ("fi", "sv"):
            (row,) = [line for line in lines if line.split()[:2] == [survey, lang]]
            translated, stale, missing = map(int, row.split()[2:])
            assert translated > 50 and (stale, missing) == (0, 0)
    # Up to date: the committed catalogues and lock files are what update writes.
    result = _run(runner, "translations", "update")
    assert result.output.count("up to date") == 3, result.output


def test_status_counts_stale_and_missing(runner: FlaskCliRunner) -> None:
    _translated(runner)
    _change_source(runner)
    result = _run(runner, "translations", "status")
    (row,) = [line for line in result.output.splitlines() if line.split()[:2] == ["demo", "fi"]]
    assert row.split()[2:] == ["2", "1", "0"]


def test_a_stale_translation_fails_check_and_refuses_round_open(
    runner: FlaskCliRunner, session: Session
) -> None:
    _translated(runner)
    assert _run(runner, "check").exit_code == 0
    _change_source(runner)

    result = _run(runner, "check")
    assert result.exit_code == 1
    po_file = _catalogue(runner)
    line = next(e.linenum for e in polib.pofile(str(po_file)) if e.msgctxt == CLARITY)
    (problem,) = [row for row in result.output.splitlines() if CLARITY in row]
    assert problem.startswith(f"{po_file}:")
    assert int(problem.split(":")[1]) in (line, line + 1)
    assert "survey 'demo'" in problem and "'fi' translation is stale" in problem

    result = runner.invoke(args=["round", "open", "demo", "--revision", "0.3"])
    assert result.exit_code == 1
    assert "the fi translation of demo has stale or missing texts" in result.output
    assert CLARITY in result.output and "--allow-incomplete" in result.output
    assert rounds.list_rounds(session) == []
    session.rollback()  # end the read, so the round the command opens below is seen

    # update marks it fuzzy with the previous msgid; the translator reviews it in a tool.
    assert _run(runner, "translations", "update", "demo").exit_code == 0
    po = polib.pofile(str(po_file))
    entry = next(e for e in po if e.msgctxt == CLARITY)
    assert "fuzzy" in entry.flags and entry.previous_msgid == "How clear is the chapter?"
    entry.flags.remove("fuzzy")
    entry.previous_msgid = None
    entry.msgstr = "Kuinka selkeä luku oli?"
    po.save()
    _reload(runner)
    assert _run(runner, "check").exit_code == 0
    result = runner.invoke(args=["round", "open", "demo", "--revision", "0.3"])
    assert result.exit_code == 0, result.output
    round_ = session.get_one(Round, int(result.output.strip().splitlines()[-1]))
    survey = rounds.round_survey(round_)
    assert survey.language_states == {"en": "complete", "fi": "complete"}
    assert survey.question("why_clarity").text["fi"] == "Kuinka selkeä luku oli?"


def test_a_stale_inline_translation_refuses_round_open(runner: FlaskCliRunner) -> None:
    survey = _folder(runner) / "demo.yaml"
    survey.write_text(
        SURVEY.replace(
            "text: How clear is the chapter?",
            "text: {en: How clear is the chapter?, fi: Kuinka selkeä luku on?}",
        )
        .replace("title: Demo", "title: {en: Demo, fi: Demo}")
        .replace("title: Why", "title: {en: Why, fi: Miksi}"),
        encoding="utf-8",
    )
    assert _run(runner, "translations", "update", "demo").exit_code == 0
    assert (_folder(runner) / "demo.translations.lock").is_file()
    survey.write_text(
        survey.read_text(encoding="utf-8").replace("en: How clear is", "en: How clear was"),
        encoding="utf-8",
    )
    _reload(runner)
    result = _run(runner, "check")
    assert result.exit_code == 1
    assert f"{survey}:8: survey 'demo', {CLARITY}: the 'fi' translation is stale" in result.output
    result = runner.invoke(args=["round", "open", "demo", "--revision", "0.3"])
    assert result.exit_code == 1 and CLARITY in result.output


def test_allow_incomplete_offers_the_language_partly_in_english(
    runner: FlaskCliRunner, client: FlaskClient, session: Session
) -> None:
    _translated(runner)
    _change_source(runner)
    result = runner.invoke(
        args=[
            "round",
            "open",
            "demo",
            "--revision",
            "0.3",
            "--open-link",
            "--allow-incomplete",
            "fi",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "'fi' is offered incomplete" in result.output
    round_ = session.get_one(Round, int(result.output.strip().splitlines()[-1]))
    survey = rounds.round_survey(round_)
    # The state of each language at opening is frozen with the definition.
    assert survey.language_states == {"en": "complete", "fi": "incomplete"}
    assert "frozen: {" in round_.definition_yaml
    # The stale text is not shown as current: it falls back to the English source.
    assert survey.question("why_clarity").text == {"en": "How clear was the chapter?"}
    assert survey.section("why").title == {"en": "Why", "fi": "Miksi"}

    assert round_.open_link_token
    finnish = client.get(f"/o/{round_.open_link_token}?lang=fi").get_data(as_text=True)
    assert "partly-translated" in finnish
    assert "näytetään englanniksi" in finnish
    english = client.get(f"/o/{round_.open_link_token}?lang=en").get_data(as_text=True)
    assert "partly-translated" not in english


def test_allow_incomplete_needs_a_language_of_the_survey(runner: FlaskCliRunner) -> None:
    _translated(runner)
    result = runner.invoke(
        args=["round", "open", "demo", "--revision", "0.3", "--allow-incomplete", "de"]
    )
    assert result.exit_code == 1
    assert "de is not a language of the survey demo (en, fi)" in result.output
