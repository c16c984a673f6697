"""The Excel summary read back with openpyxl: values, chart, drop-down, safety, anonymity."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from analysis_dataset import Dataset, build, respond
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.analysis import export_xlsx
from surveyapp.analysis.cells import MAX_CELL
from surveyapp.analysis.export_csv import write_tidy_csv
from surveyapp.analysis.export_rows import FEEDBACK_HEADER
from surveyapp.analysis.export_xlsx import write_summary
from surveyapp.analysis.sheet_layout import headers
from surveyapp.errors import InvalidRequest
from surveyapp.models import Round
from surveyapp.services.feedback_sheet import translate

PAYLOADS = ["=1+1", '=HYPERLINK("http://x","y")', "http://evil.example", "@SUM(A1)", "-2+3"]


def read(path: Path) -> Any:
    return openpyxl.load_workbook(path)


def rows(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def all_cells(book: Any) -> Iterator[Any]:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def latest(db: Session) -> Round:
    return db.scalars(select(Round).where(Round.revision == "0.11")).one()


def test_sheets_hold_the_hand_computed_figures(db: Session, data: Dataset, tmp_path: Path) -> None:
    result = write_summary(db, data.current, tmp_path / "out.xlsx")
    assert (result.submitted, result.feedback, result.cut_cells) == (3, 2, [])
    book = read(result.path)
    assert book.sheetnames == ["Summary", "Chapters", "Feedback", "Responses", "Codebook"]
    summary = rows(book["Summary"])
    head = {r[0]: r[1] for r in summary[:13]}
    assert (head["Round"], head["Manual revision"], head["Invited"]) == (data.current.id, "0.10", 4)
    assert (head["Submitted"], head["Response rate (personal links)"]) == (3, 0.75)
    stats = {(r[0], r[1]): r for r in summary if r[3] is not None and r[0] != "question_id"}
    assert stats[("how_clarity", "")][4:8] == (
        3,
        pytest.approx(11 / 3),
        4,
        pytest.approx(1.5275, abs=1e-4),
    )
    assert stats[("why_clarity", "")][8:10] == (1, 0)  # one not applicable, none unanswered
    shares = {(r[0], r[10]): r[12:14] for r in summary if r[3] is None and r[10] is not None}
    assert shares[("role", "officer")] == (2, pytest.approx(2 / 3))
    assert shares[("role", "other")] == (1, pytest.approx(1 / 3))
    assert book["Summary"]._charts


def test_chapters_compare_with_the_previous_revision(
    db: Session, data: Dataset, tmp_path: Path
) -> None:
    book = read(write_summary(db, data.current, tmp_path / "out.xlsx").path)
    chapters = rows(book["Chapters"])
    why = next(r for r in chapters if r[0] == "why")
    assert why[1:6] == (
        pytest.approx(26 / 7),
        7,
        "0.9",
        pytest.approx(13 / 6),
        pytest.approx(26 / 7 - 13 / 6),
    )
    kinds = {r[0]: r[2] for r in chapters[4:]}
    assert (kinds["usefulness"], kinds["old_q"], kinds["why_clarity"]) == (
        "added",
        "removed",
        "reworded",
    )
    assert kinds["how_clarity"] == "matched"


def test_feedback_responses_and_codebook(db: Session, data: Dataset, tmp_path: Path) -> None:
    book = read(write_summary(db, data.current, tmp_path / "out.xlsx", lang="fi").path)
    feedback = rows(book["Feedback"])
    assert list(feedback[0][:7]) == headers(FEEDBACK_HEADER, "fi"), "headers in Finnish"
    assert feedback[0][1] == "luku"
    assert [r[4] for r in feedback[1:]] == ["Too long", "'=1+1"]
    assert feedback[1][3] == "Mitä pitäisi muuttaa?"
    assert feedback[1][6:9] == ("g1", "Secret Person1", "Secret Organisation1")
    assert {r[9] for r in feedback[1:]} == {"uusi"}, "the status in the workbook's language"
    validation = book["Feedback"].data_validations.dataValidation
    assert validation and validation[0].type == "list"
    assert "osittain hyväksytty" in validation[0].formula1
    assert "kaksoiskappale" in validation[0].formula1
    header = rows(book["Responses"])[0]
    assert len(set(header)) == len(header), "every column has its own name"
    responses = [dict(zip(header, r, strict=True)) for r in rows(book["Responses"])[1:]]
    assert len(responses) == 3
    first, second, third = responses
    assert (first["how_read.steps"], first["how_read.cases"], first["how_read.templates"]) == (
        1,
        1,
        0,
    )
    assert third["how_read.steps"] is None
    assert (second["why_clarity"], second["role"], second["role.other"]) == (
        "NA",
        "other",
        "Lawyer",
    )
    assert (first["why_tools.kraljic"], second["why_tools.kraljic"]) == (3, None)
    language, country = translate("language", "fi"), translate("participant_country", "fi")
    assert (second[language], second[country]) == ("fi", "SE")


def test_each_coded_column_has_its_labels_beside_it_in_the_export_language(
    db: Session, data: Dataset, tmp_path: Path
) -> None:
    book = read(write_summary(db, data.current, tmp_path / "out.xlsx", lang="fi").path)
    table = rows(book["Responses"])
    header = list(table[0])
    coded = ["role", "why_clarity", "why_tools.canvas", "why_tools.kraljic", "how_clarity"]
    for code in coded:
        assert header[header.index(code) + 1] == f"{code} (selite)", code
    labelled = [h for h in header if h.endswith(" (selite)")]
    assert labelled == [f"{code} (selite)" for code in coded], "numbers, texts and 0/1 alone"
    assert len(set(header)) == len(header)
    first, second, third = (dict(zip(header, r, strict=True)) for r in table[1:])
    assert (first["role"], first["role (selite)"]) == ("officer", "Hankinta-asiantuntija")
    assert (second["role"], second["role (selite)"], second["role.other"]) == (
        "other",
        "Muu",
        "Lawyer",
    )
    assert (first["why_clarity"], first["why_clarity (selite)"]) == (4, "Jokseenkin samaa mieltä")
    assert (second["why_clarity"], second["why_clarity (selite)"]) == ("NA", "ei koske")
    assert (first["why_tools.kraljic"], first["why_tools.kraljic (selite)"]) == (
        3,
        "Kohtalaisen hyödyllinen",
    )
    assert (second["why_tools.kraljic"], second["why_tools.kraljic (selite)"]) == (None, None)
    assert (third["how_clarity"], third["how_clarity (selite)"]) == (5, "Täysin samaa mieltä")
    assert (first["usefulness"], first["years"]) == (8, 5), "numbers stay single columns"
    english = rows(read(write_summary(db, data.current, tmp_path / "en.xlsx").path)["Responses"])
    assert list(english[0][5:]) == [h.replace(" (selite)", " (label)") for h in header[5:]]
    row = dict(zip(english[0], english[1], strict=True))
    assert (row["role (label)"], row["why_clarity (label)"]) == ("Procurement officer", "Agree")


def test_codebook(db: Session, data: Dataset, tmp_path: Path) -> None:
    book = read(write_summary(db, data.current, tmp_path / "out.xlsx", lang="fi").path)
    codebook = {r[0]: r for r in rows(book["Codebook"])}
    assert codebook["why_clarity"][1:5] == ("why", "why", "likert", "Luku on selkeä.")
    assert "1 = Täysin eri mieltä" in codebook["why_clarity"][5]
    assert "NA = not applicable" in codebook["why_clarity"][5]


def test_formula_and_link_payloads_are_text(db: Session, data: Dataset, tmp_path: Path) -> None:
    round_ = latest(db)
    for payload in PAYLOADS:
        respond(db, round_, {"role": "other", "role.other": payload, "why_comment": payload})
    db.commit()
    book = read(write_summary(db, round_, tmp_path / "out.xlsx").path)
    found = [
        c for c in all_cells(book) if isinstance(c.value, str) and c.value.lstrip("'") in PAYLOADS
    ]
    # Feedback's answer, and Responses' role.other and why_comment
    assert len(found) == 3 * len(PAYLOADS)
    assert all(c.data_type == "s" and c.hyperlink is None for c in found)
    assert {c.value for c in found if c.value.startswith("'")} == {
        "'" + p for p in PAYLOADS if p[0] in "=@-"
    }
    assert not [c for c in all_cells(book) if c.data_type == "f"]


def test_anonymous_round_names_nobody(db: Session, tmp_path: Path) -> None:
    data = build(db, tmp_path, anonymous=True)
    book = read(write_summary(db, data.current, tmp_path / "out.xlsx").path)
    text = [str(c.value) for c in all_cells(book) if c.value is not None]
    assert not [t for t in text if "Secret" in t or "hidden.example" in t]
    assert "respondent" not in rows(book["Feedback"])[0]
    header, *answers = rows(book["Responses"])
    assert "group" not in header
    labels = {r[header.index("why_clarity (label)")] for r in answers}
    assert labels == {"Agree", "not applicable", "Disagree"}, "labels as elsewhere"


def test_a_too_long_answer_is_cut_visibly_and_listed(
    db: Session, data: Dataset, tmp_path: Path
) -> None:
    round_ = latest(db)
    respond(db, round_, {"why_comment": "x" * 40_000})
    db.commit()
    result = write_summary(db, round_, tmp_path / "out.xlsx")
    assert result.cut_cells == ["Feedback!E2", "Responses!P2"]
    book = read(result.path)
    cell = book["Feedback"]["E2"].value
    assert len(cell) == MAX_CELL and "[CUT: 40,000 characters" in cell
    listed = [r[0] for r in rows(book["Summary"]) if r[0]]
    assert listed[-3:] == ["Texts cut at 32,767 characters: 2", "Feedback!E2", "Responses!P2"]
    write_tidy_csv(db, round_, tmp_path / "tidy.csv")
    with (tmp_path / "tidy.csv").open(encoding="utf-8") as handle:
        assert max(len(r["value"]) for r in csv.DictReader(handle)) == 40_000


def test_a_failure_leaves_no_file(
    db: Session, data: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_xlsx, "write_codebook", broken)
    out = tmp_path / "exports"
    with pytest.raises(RuntimeError):
        write_summary(db, data.current, out / "out.xlsx")
    assert list(out.iterdir()) == []


def test_unknown_language_is_refused(db: Session, data: Dataset, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest):
        write_summary(db, data.current, tmp_path / "out.xlsx", lang="de")


def test_tidy_csv(db: Session, data: Dataset, tmp_path: Path) -> None:
    assert write_tidy_csv(db, data.current, tmp_path / "tidy.csv") == 25
    with (tmp_path / "tidy.csv").open(encoding="utf-8") as handle:
        found = list(csv.DictReader(handle))
    assert list(found[0]) == ["response_id", "question_id", "row", "value", "is_na", "language"]
    assert {r["value"] for r in found if r["question_id"] == "why_comment"} == {"Too long", "'=1+1"}
    na = [r for r in found if r["is_na"] == "1"]
    assert [(r["question_id"], r["value"], r["language"]) for r in na] == [
        ("why_clarity", "", "fi")
    ]
