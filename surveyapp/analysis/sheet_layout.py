"""How the Excel summary's sheets read in Excel and LibreOffice: column widths, wrapped
text, frozen header rows, an autofilter, number formats, and headers in the workbook's
language (the codes stay in the Codebook and in the Responses sheet's answer columns)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter import Workbook  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from ..services.feedback_sheet import translate

# Column widths in characters: what a column mostly holds.
NARROW, NUMBER, WIDE, TEXT = 12, 10, 30, 60
LABEL_WIDTH = 20  # an answer's label beside its code (Responses)


def N_(message: str) -> str:
    """Marks a header for extraction; `headers` translates it for the workbook."""
    return message


@dataclass(frozen=True)
class Formats:
    """The workbook's shared cell formats (xlsxwriter wants one object per format)."""

    header: Any
    wrap: Any
    mean: Any
    percent: Any

    @classmethod
    def of(cls, book: Workbook) -> Formats:
        return cls(
            header=book.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
            wrap=book.add_format({"text_wrap": True, "valign": "top"}),
            mean=book.add_format({"num_format": "0.00"}),
            percent=book.add_format({"num_format": "0.0%"}),
        )


def headers(keys: Iterable[str], lang: str) -> list[str]:
    """The column headers in `lang`, each unique (a repeated one gets " (2)", " (3)"…)."""
    found: list[str] = []
    for key in keys:
        name, n = translate(key, lang), 1
        while name in found:
            n += 1
            name = f"{translate(key, lang)} ({n})"
        found.append(name)
    return found


def unique(names: Sequence[str]) -> list[str]:
    """`names` with repeats numbered, so that every column of a sheet has its own name."""
    return headers(names, "en")


def lay_out(
    sheet: Worksheet, widths: Sequence[float], formats: Formats, wrapped: Iterable[int] = ()
) -> None:
    """Widths, and wrapped text, per column; before any cell is written (in constant-memory
    mode a cell written before its column's format keeps the plain one)."""
    wrap = set(wrapped)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width, formats.wrap if col in wrap else None)


def filter_table(
    sheet: Worksheet, header_row: int, last_row: int, columns: int, freeze_cols: int = 0
) -> None:
    """The header row frozen, and an autofilter over the table below it."""
    sheet.freeze_panes(header_row + 1, freeze_cols)
    if columns:
        sheet.autofilter(header_row, 0, max(last_row, header_row), columns - 1)
