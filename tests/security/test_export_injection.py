"""Formula and link injection in every export.

Payloads sit in answers, "Other" texts, editors' notes, participants' fields and the survey's
own text and option values. Read back: no formula cell, no hyperlink, and every text exactly
as typed apart from OWASP's leading apostrophe (surveyapp.csv_output.as_text_cell).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from flask.testing import FlaskClient
from openpyxl.utils.escape import unescape
from security_kit import answer, invite
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.analysis.export_csv import write_tidy_csv
from surveyapp.analysis.export_xlsx import write_summary
from surveyapp.csv_output import FORMULA_START, as_text_cell
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import FeedbackItem, Round, User
from surveyapp.services import feedback, rounds

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-1+1",
    "@SUM(1)",
    "\t=1+1",
    "\n=1+1",
    "line one\n=1+1",
    "http://evil.example",
    "https://evil.example/login",
    "mailto:x@y",
]
# A carriage return that a CSV writer leaves unquoted ends the row in a spreadsheet, and what
# follows it starts the next row: "=1+1" becomes a live formula. See test_carriage_returns....
CR_PAYLOADS = ["\r=1+1", "looks harmless\r=1+1"]
# Look-alike triggers: full-width and small-form = + - @ (NFKC makes them ASCII), and triggers
# behind zero-width, direction and other invisible characters that a spreadsheet may skip.
LOOKALIKE_PAYLOADS = [
    '\uff1dHYPERLINK("http://evil.example","click")',  # full-width =
    "\u200b=1+1",  # zero-width space
    "\ufe66cmd|' /C calc'!A0",  # small-form =
    "\uff0b1+1",  # full-width +
    "\ufe621+1",  # small-form +
    "\uff0d1+1",  # full-width -
    "\ufe631+1",  # small-form -
    "\uff20SUM(1)",  # full-width @
    "\ufe6bSUM(1)",  # small-form @
    "\u207c1+1",  # superscript =
    "\u202e=1+1",  # right-to-left override
    "\u2066\u200f+1+1",  # isolate, right-to-left mark
    "\ufeff@SUM(1)",  # byte order mark
    "\u2060\u2064-1+1",  # word joiner, invisible plus
    "\u200d\uff1d1+1",  # zero-width joiner before a full-width =
    "\u061c=1+1",  # Arabic letter mark
    "\u00ad=1+1",  # soft hyphen
    "\u034f=1+1",  # combining grapheme joiner
    "\u180e=1+1",  # Mongolian vowel separator
    "\ufe0f=1+1",  # variation selector
    "\u3000=1+1",  # ideographic space
]
# Survey YAML texts are stripped when loaded, so only payloads without leading space go there.
TEXT_PAYLOADS = [p for p in PAYLOADS if p == p.strip()]
OPTION_VALUE = "@SUM(2)"  # an option's value is written into the Responses sheet and tidy CSV


def survey_yaml() -> str:
    options = "\n".join(
        f"          - {{value: o{n}, label: {json.dumps(p)}}}" for n, p in enumerate(TEXT_PAYLOADS)
    )
    return f"""id: formula-test
title: Formula test
languages: [en]
sections:
  - id: s1
    chapter: why
    title: {json.dumps(TEXT_PAYLOADS[0])}
    questions:
      - id: pick
        type: single
        other: true
        text: {json.dumps(TEXT_PAYLOADS[1])}
        options:
{options}
          - {{value: {json.dumps(OPTION_VALUE)}, label: plain}}
      - id: comment
        type: text
        multiline: true
        text: {json.dumps(TEXT_PAYLOADS[2])}
"""


@dataclass
class Data:
    round: Round
    later: Round
    payloads: list[str]


@pytest.fixture
def payloads() -> list[str]:
    """What respondents, editors and coordinators typed; a test may ask for other payloads."""
    return PAYLOADS


@pytest.fixture
def data(session: Session, tmp_path: Path, payloads: list[str]) -> Data:
    """Round 0.1 answered by participants whose fields are payloads, with notes on every item;
    more invited participants who never answered; round 0.2 reports what 0.1 said."""
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / "formula-test.yaml").write_text(survey_yaml(), encoding="utf-8")
    registry = SurveyRegistry(tmp_path / "surveys")
    round_ = rounds.open_round(session, registry, "formula-test", "0.1", actor=SETUP)
    for payload in payloads:
        fields = {"name": payload, "organisation": payload, "country": payload, "group": payload}
        person = invite(session, round_, **fields)
        values = {"pick": "other", "pick.other": payload, "comment": payload}
        answer(session, round_, values, person)
        invite(session, round_, **fields)  # never answers: a non-respondent
    answer(session, round_, {"pick": OPTION_VALUE})
    feedback.sync_feedback(session, round_)
    items = session.scalars(select(FeedbackItem).order_by(FeedbackItem.id)).all()
    for item, payload in zip(items, payloads * 2, strict=False):
        feedback.update_item(session, item, "accepted", payload, None, actor=SETUP)
    later = rounds.open_round(session, registry, "formula-test", "0.2", actor=SETUP)
    session.commit()
    return Data(round_, later, payloads)


# --- reading the exports back ------------------------------------------------------------------


def xlsx_cells(path: Path) -> list[str]:
    """Every text cell of the workbook, after checking there is no formula and no link."""
    book = openpyxl.load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        assert not sheet._hyperlinks, f"{sheet.title} has hyperlinks"
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                assert cell.hyperlink is None, f"{sheet.title}!{cell.coordinate} is a link"
                if isinstance(cell.value, str):
                    # xlsxwriter writes a CR as _x000D_, which Excel reads back as a CR.
                    texts.append(unescape(cell.value))
    return texts


def csv_cells(text: str) -> list[str]:
    """The cells as a spreadsheet splits them: any line break outside quotes ends a row."""
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def download(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return response.get_data().decode("utf-8-sig")


Exported = tuple[list[str], list[str]]  # the export's text cells, and the texts it must hold


def excel_summary(session: Session, data: Data, client: FlaskClient, tmp: Path) -> Exported:
    write_summary(session, data.round, tmp / "summary.xlsx", "en")
    notes = [p.strip() for p in data.payloads]  # editors' notes are stripped when saved
    expected = [*data.payloads, *notes, *TEXT_PAYLOADS, OPTION_VALUE]
    return xlsx_cells(tmp / "summary.xlsx"), expected


def tidy_csv(session: Session, data: Data, client: FlaskClient, tmp: Path) -> Exported:
    write_tidy_csv(session, data.round, tmp / "tidy.csv")
    with (tmp / "tidy.csv").open(encoding="utf-8", newline="") as handle:
        return csv_cells(handle.read()), [*data.payloads, OPTION_VALUE]


def links_csv(session: Session, data: Data, client: FlaskClient, tmp: Path) -> Exported:
    text = download(client, f"/workspace/rounds/{data.round.id}/links.csv")
    return csv_cells(text), data.payloads


def non_respondents_csv(session: Session, data: Data, client: FlaskClient, tmp: Path) -> Exported:
    text = download(client, f"/workspace/rounds/{data.round.id}/non-respondents.csv")
    return csv_cells(text), data.payloads


def you_said_we_did_csv(session: Session, data: Data, client: FlaskClient, tmp: Path) -> Exported:
    text = download(client, f"/workspace/rounds/{data.later.id}/you-said-we-did.csv")
    notes = [p.strip() for p in data.payloads]
    # Items come from the free-text question: its section's title and its own text are listed.
    return csv_cells(text), [*data.payloads, *notes, TEXT_PAYLOADS[0], TEXT_PAYLOADS[2]]


EXPORTS = [excel_summary, tidy_csv, links_csv, non_respondents_csv, you_said_we_did_csv]
CSV_EXPORTS = EXPORTS[1:]


def runs_as_formula(cell: str) -> bool:
    """A trigger at the start, once invisible characters are skipped and look-alikes made ASCII."""
    visible = "".join(itertools.dropwhile(_invisible, cell))
    return unicodedata.normalize("NFKC", visible).startswith(FORMULA_START)


def _invisible(char: str) -> bool:
    """Drawn as nothing, or as a space other than the ASCII one (any that may come first)."""
    return char != " " and unicodedata.category(char) in {"Cf", "Mn", "Me", "Zs"}


def check_export(export: Callable[..., Exported], *args: object) -> None:
    cells, expected = export(*args)
    live = [c for c in cells if runs_as_formula(c)]
    assert not live, f"cells a spreadsheet would run: {live}"
    missing = [p for p in dict.fromkeys(expected) if as_text_cell(p) not in cells]
    assert not missing, f"not found as typed (apart from a leading '): {missing}"


# Carriage returns apart: in a CSV an unquoted CR would end the row and start the next one
# with whatever follows it, a formula included.
@pytest.mark.parametrize("payloads", [PAYLOADS, CR_PAYLOADS], ids=["payloads", "carriage-returns"])
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.__name__)
def test_no_payload_becomes_a_formula_or_link_and_every_text_is_kept(
    export: Callable[..., Exported],
    session: Session,
    client: FlaskClient,
    as_user: Callable[[FlaskClient, str], User],
    data: Data,
    tmp_path: Path,
) -> None:
    as_user(client, "coordinator")
    check_export(export, session, data, client, tmp_path)


@pytest.mark.parametrize("payloads", [LOOKALIKE_PAYLOADS], ids=["look-alikes"])
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.__name__)
def test_look_alike_triggers_are_escaped_and_the_text_kept(
    export: Callable[..., Exported],
    session: Session,
    client: FlaskClient,
    as_user: Callable[[FlaskClient, str], User],
    data: Data,
    tmp_path: Path,
) -> None:
    as_user(client, "coordinator")
    cells, _expected = export(session, data, client, tmp_path)  # a workbook: no formula cell
    live = [c for c in cells if runs_as_formula(c)]
    assert not live, f"cells a spreadsheet could run: {live}"
    missing = [p for p in data.payloads if "'" + p not in cells]
    assert not missing, f"not found as typed after one apostrophe: {missing}"
