"""`surveyapp participants import`: per-line report, good rows kept, re-import updates."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import Participant

CSV_DIR = Path(__file__).parent.parent / "data" / "csv"


def emails(session: Session) -> list[str]:
    session.rollback()
    return sorted(session.scalars(select(Participant.email)))


def test_import_reports_bad_rows_by_line_and_keeps_the_good_ones(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    data = (
        "name;email;language\nAino;aino@tampere.example;fi\nNo mail;;fi\nÅsa;asa@malmo.example;sv\n"
    )
    path = tmp_path / "people.csv"
    path.write_bytes(b"\xef\xbb\xbf" + data.encode())  # Excel's UTF-8 with BOM
    result = runner.invoke(args=["participants", "import", str(path), "--group", "vg"])
    assert result.exit_code == 0, result.output
    assert f"{path}:3:" in result.output
    assert "2 new, 0 updated, 0 unchanged, 1 row(s) skipped" in result.output
    assert emails(session) == ["aino@tampere.example", "asa@malmo.example"]
    assert set(session.scalars(select(Participant.group))) == {"vg"}


def test_reimport_updates_by_email(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    path.write_text("email,city\nanna@x.example,Munich\n", encoding="utf-8")
    runner.invoke(args=["participants", "import", str(path)])
    path.write_text("EMAIL,City\nAnna@X.example,München\n", encoding="cp1252")
    result = runner.invoke(args=["participants", "import", str(path)])
    assert "0 new, 1 updated" in result.output
    session.rollback()
    assert session.scalars(select(Participant.city)).all() == ["München"]


def test_a_file_without_an_email_column_imports_nothing_and_fails(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["participants", "import", str(CSV_DIR / "no_email_column.csv")])
    assert result.exit_code == 1
    assert "no participant imported" in result.output
    assert emails(session) == []
