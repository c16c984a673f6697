"""Reading the triage columns of an uploaded Excel summary (openpyxl, read-only).

The Feedback sheet and its columns are found by their headers, never by position: rows may
be re-sorted, columns added, moved, hidden or widened, and headers written as the export's
English keys or as the interface's labels in any interface language.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from ..csv_output import as_text_cell
from ..errors import SurveyAppError
from ..languages import INTERFACE_LANGUAGES
from .feedback_sheet import COMMENT_ID, NOTE, REVISION, STAMP, STATUS, header_key, translate

FEEDBACK_SHEET = "Feedback"
# Where the export says the workbook's language: the Summary sheet's "Language" row.
SUMMARY_SHEET, LANGUAGE_LABEL, SUMMARY_ROWS = "Summary", "Language", 40
REQUIRED = (COMMENT_ID, STATUS)
MAX_ROWS = 100_000  # a sheet longer than any round's feedback is not read to its end


class UnreadableWorkbook(SurveyAppError):
    """Nothing could be read; `reason` says why ("not_xlsx", "no_sheet")."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class SheetRow:
    """One row of the Feedback sheet as written in it (text, stripped)."""

    row: int  # as the spreadsheet numbers it: the header is row 1
    comment_id: str
    status: str
    note: str
    revision: str
    stamp: str


@dataclass
class SheetRead:
    rows: list[SheetRow] = field(default_factory=list)
    language: str = "en"
    columns: dict[str, int] = field(default_factory=dict)  # header key → 0-based column


def read_workbook(data: bytes) -> SheetRead:
    """The triage rows of a workbook's Feedback sheet; raises UnreadableWorkbook."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableWorkbook("not_xlsx", str(error)) from error
    try:
        return _read(book)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise UnreadableWorkbook("not_xlsx", str(error)) from error
    finally:
        book.close()


def _read(book: Any) -> SheetRead:
    found = _feedback_sheet(book)
    if found is None:
        raise UnreadableWorkbook("no_sheet")
    sheet, columns = found
    read = SheetRead(language=_language(book), columns=columns)
    for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if number > MAX_ROWS:
            break
        row = _row(number, cells, columns)
        if row is not None:
            read.rows.append(row)
    return read


def _feedback_sheet(book: Any) -> tuple[Any, dict[str, int]] | None:
    """The sheet named Feedback if its header has the columns, else the first that has."""
    names = sorted(book.sheetnames, key=lambda name: name != FEEDBACK_SHEET)
    for name in names:
        sheet = book[name]
        if not hasattr(sheet, "iter_rows"):
            continue  # a chart sheet
        columns = _columns(next(sheet.iter_rows(max_row=1, values_only=True), ()))
        if all(key in columns for key in REQUIRED):
            return sheet, columns
    return None


def _columns(header: tuple[Any, ...]) -> dict[str, int]:
    """Header key → column of its first occurrence."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = header_key(cell)
        if key is not None and key not in columns:
            columns[key] = index
    return columns


def _row(number: int, cells: tuple[Any, ...], columns: dict[str, int]) -> SheetRow | None:
    values = {
        key: _text(cells[index] if index < len(cells) else None) for key, index in columns.items()
    }
    if not any(values.get(key) for key in (COMMENT_ID, STATUS, NOTE, REVISION)):
        return None  # an empty row (the drop-down's spare rows)
    return SheetRow(
        row=number,
        comment_id=values.get(COMMENT_ID, ""),
        status=values.get(STATUS, ""),
        note=values.get(NOTE, ""),
        revision=values.get(REVISION, ""),
        stamp=values.get(STAMP, ""),
    )


def _text(value: Any) -> str:
    """A cell as the text it was exported from: numbers as people typed them (12, 0.11),
    and the apostrophe the export puts before a formula-like text taken off again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value).strip()
    if text.startswith("'") and as_text_cell(text[1:]) == text:
        return text[1:]
    return text


def _language(book: Any) -> str:
    """The workbook's language from its Summary sheet ("en" when it does not say)."""
    if SUMMARY_SHEET not in book.sheetnames:
        return "en"
    # The label is in the workbook's language: the one it names.
    labels = {translate(LANGUAGE_LABEL, lang): lang for lang in INTERFACE_LANGUAGES}
    for cells in _first_rows(book[SUMMARY_SHEET]):
        if len(cells) > 1 and cells[1] in INTERFACE_LANGUAGES and cells[0] in labels:
            return str(cells[1])
    return "en"


def _first_rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    if hasattr(sheet, "iter_rows"):
        yield from sheet.iter_rows(max_row=SUMMARY_ROWS, max_col=2, values_only=True)
