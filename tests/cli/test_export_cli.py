"""`surveyapp export ROUND [--lang] [-o FILE.xlsx] [--csv FILE.csv]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from analysis_dataset import build
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session


def test_export_writes_the_default_file_and_prints_counts(
    runner: FlaskCliRunner, session: Session, app: Flask, tmp_path: Path
) -> None:
    data = build(session, tmp_path)
    result = runner.invoke(args=["export", str(data.current.id), "--lang", "fi"])
    assert result.exit_code == 0, result.output
    expected = Path(app.config["EXPORTS_DIR"]) / f"round-{data.current.id}-0.10-fi.xlsx"
    assert f"Wrote {expected}: 3 submitted response(s)" in result.output
    assert "2 feedback item(s)" in result.output
    book: Any = openpyxl.load_workbook(expected)
    assert book["Codebook"]["E2"].value == "Roolisi"


def test_export_with_output_and_csv(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    data = build(session, tmp_path)
    xlsx, tidy = tmp_path / "summary.xlsx", tmp_path / "tidy.csv"
    args = ["export", str(data.current.id), "-o", str(xlsx), "--csv", str(tidy)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert xlsx.exists()
    assert f"Wrote {tidy}: 25 answer row(s)." in result.output
    assert len(tidy.read_text(encoding="utf-8").splitlines()) == 26


def test_export_fails_with_one_line(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    data = build(session, tmp_path)
    unknown = runner.invoke(args=["export", "99999"])
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "Error: there is no round 99999"
    language = runner.invoke(args=["export", str(data.current.id), "--lang", "de"])
    assert language.exit_code == 1
    assert len(language.output.strip().splitlines()) == 1
    assert "no language 'de'" in language.output
