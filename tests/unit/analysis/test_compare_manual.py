"""Chapters compared across revisions through the manual: a renamed chapter keeps its history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from analysis_dataset import PREVIOUS, SURVEY_FILE, SURVEYS, respond
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.analysis.compare import compare_rounds
from surveyapp.analysis.export_xlsx import write_summary
from surveyapp.definitions import SurveyRegistry, load_manual_text
from surveyapp.models import Round
from surveyapp.services import rounds
from surveyapp.services.feedback_sheet import translate

# 0.9 calls the "how" chapter "method"; 0.10 renames it, splits "why" and adds "impact".
MANUAL = load_manual_text("""\
languages: [en, fi]
revisions:
  - id: "0.9"
    chapters:
      - {id: why, title: {en: Why, fi: Miksi}}
      - {id: method, title: {en: Method, fi: Menetelmä}}
  - id: "0.10"
    continues:
      how: [method]
      purpose: [why]
    chapters:
      - {id: why, title: {en: Why, fi: Miksi}}
      - {id: purpose, title: {en: Purpose, fi: Tarkoitus}}
      - {id: how, title: {en: How, fi: Miten}}
      - {id: impact, title: {en: Impact, fi: Vaikutus}}
""")


def rounds_of_two_revisions(db: Session, tmp_path: Path) -> Round:
    """Round 0.9 whose "how" section is chapter "method", and round 0.10 with "how"."""
    old = tmp_path / "old"
    old.mkdir()
    text = SURVEY_FILE.read_text(encoding="utf-8").replace("chapter: how", "chapter: method")
    text = text.split("      - id: usefulness")[0]
    (old / SURVEY_FILE.name).write_text(text, encoding="utf-8")
    previous = rounds.open_round(db, SurveyRegistry(old), "analysis-test", "0.9", actor=SETUP)
    for values in PREVIOUS:
        respond(db, previous, {k: v for k, v in values.items() if k != "old_q"})
    current = rounds.open_round(db, SurveyRegistry(SURVEYS), "analysis-test", "0.10", actor=SETUP)
    respond(db, current, {"why_clarity": 4, "how_clarity": 5, "why_comment": "Shorter"})
    db.commit()
    return current


def test_the_renamed_chapter_is_compared_with_its_old_id(db: Session, tmp_path: Path) -> None:
    current = rounds_of_two_revisions(db, tmp_path)
    comparison = compare_rounds(db, current, manual=MANUAL)
    assert comparison is not None
    chapters = {c.key: c for c in comparison.chapters}
    assert chapters["how"].compared_with == ("method",)
    assert chapters["how"].previous == pytest.approx(2)  # how_clarity 3 and 1 in 0.9
    assert chapters["how"].change == pytest.approx(3)
    assert chapters["why"].compared_with == () and chapters["why"].previous is not None
    # Without the manual the renamed chapter has no history.
    plain = compare_rounds(db, current)
    assert plain is not None
    assert {c.key: c.previous for c in plain.chapters}["how"] is None


def test_the_chapters_sheet_titles_and_pairs_the_renamed_chapter(
    db: Session, tmp_path: Path
) -> None:
    current = rounds_of_two_revisions(db, tmp_path)
    path = write_summary(db, current, tmp_path / "out.xlsx", lang="fi", manual=MANUAL).path
    sheet: Any = openpyxl.load_workbook(path)["Chapters"]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][6:8] == (translate("title", "fi"), translate("compared with", "fi"))
    how = next(r for r in table if r[0] == "how")
    assert how[3:8] == ("0.9", pytest.approx(2), pytest.approx(3), "Miten", "method")
    codebook = {
        r[0]: r for r in openpyxl.load_workbook(path)["Codebook"].iter_rows(values_only=True)
    }
    assert codebook["how_clarity"][2] == "how" and codebook["how_clarity"][6] == "Miten"
    feedback = list(openpyxl.load_workbook(path)["Feedback"].iter_rows(values_only=True))
    title = feedback[0].index(translate("chapter title", "fi"))
    assert feedback[0][title + 1 :] == ("Kommentin tunniste", "exported state (do not edit)")
    assert (feedback[1][1], feedback[1][4], feedback[1][title]) == ("why", "Shorter", "Miksi")
