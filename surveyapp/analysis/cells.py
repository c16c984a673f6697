"""Cells that spreadsheets show as written: text never becomes a formula or link, and
a text longer than an Excel cell holds is cut visibly, never silently."""

from __future__ import annotations

import json
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from ..csv_output import as_text_cell

MAX_CELL = 32_767
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def cut_marker(length: int) -> str:
    return f" [CUT: {length:,} characters in all; the full text is in the tidy CSV export]"


def fit_text(value: str) -> tuple[str, bool]:
    """The text as a safe cell (leading ' before = + - @ tab CR LF NUL, look-alikes too) and
    whether it was cut.

    A text over 32,767 characters keeps its beginning and ends with a visible marker.
    """
    text = as_text_cell(value)
    if len(text) <= MAX_CELL:
        return text, False
    marker = cut_marker(len(value))
    return text[: MAX_CELL - len(marker)] + marker, True


class Cells:
    """Writes values into worksheets and remembers every cell whose text had to be cut."""

    def __init__(self) -> None:
        self.cut: list[str] = []

    def text(self, sheet: Worksheet, row: int, col: int, value: str, fmt: Any = None) -> None:
        safe, was_cut = fit_text(value)
        sheet.write_string(row, col, safe, fmt)
        if was_cut:
            self.cut.append(f"{sheet.name}!{xl_rowcol_to_cell(row, col)}")

    def value(self, sheet: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """A number as a number, text as text, None as an empty cell."""
        if value is None:
            return
        if isinstance(value, bool):
            sheet.write_number(row, col, int(value), fmt)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, fmt)
        elif isinstance(value, str):
            self.text(sheet, row, col, value, fmt)
        else:
            self.text(sheet, row, col, json.dumps(value, ensure_ascii=False), fmt)

    def row(self, sheet: Worksheet, row: int, values: list[Any], fmt: Any = None) -> None:
        for col, value in enumerate(values):
            self.value(sheet, row, col, value, fmt)
