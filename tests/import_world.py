"""Editing an exported Excel summary's Feedback sheet as a person would, with openpyxl:
rows re-sorted, a column of one's own added in front, cells changed by the comment's text."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import openpyxl

from surveyapp.analysis.export_rows import CHAPTER_TITLE, FEEDBACK_HEADER, PEOPLE_HEADER
from surveyapp.languages import INTERFACE_LANGUAGES
from surveyapp.services.feedback_sheet import header_key, translate

ANSWER = "answer"


def column_key(cell: Any) -> Any:
    """The English key of a header cell written in any interface language."""
    found = header_key(cell)
    if found is not None:
        return found
    for key in [*FEEDBACK_HEADER, *PEOPLE_HEADER, CHAPTER_TITLE]:
        if any(translate(key, lang) == cell for lang in INTERFACE_LANGUAGES):
            return key
    return cell


def feedback_rows(data: bytes) -> list[dict[str, Any]]:
    """The Feedback sheet's rows as header key → value, whatever the workbook's language."""
    book: Any = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    header, *rows = list(book["Feedback"].iter_rows(values_only=True))
    keys = [column_key(h) for h in header]
    return [dict(zip(keys, row, strict=False)) for row in rows]


def edit_sheet(
    data: bytes,
    edits: Mapping[str, Mapping[str, Any]],
    extra: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    headers: Mapping[str, str] | None = None,
) -> tuple[bytes, dict[str, int]]:
    """The workbook with the Feedback rows in reverse order behind a new first column
    ("my remarks"), the cells of `edits` (answer text → header → value) changed, `extra`
    rows added at the end and headers renamed by `headers`; and the sheet row of each
    answer and of each extra row (keyed "extra 0", ...)."""
    book: Any = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Feedback"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    keys = [column_key(h) for h in header]
    rows = [r for r in rows if any(v is not None for v in r)][::-1]
    where: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        answer = row[keys.index(ANSWER)]
        where[answer] = number
        for column, value in edits.get(answer, {}).items():
            row[keys.index(column)] = value
    for n, values in enumerate(extra):
        rows.append([values.get(key) for key in keys])
        where[f"extra {n}"] = len(rows) + 1
    header = [(headers or {}).get(k, h) for k, h in zip(keys, header, strict=True)]
    sheet.delete_rows(1, sheet.max_row)
    for r, row in enumerate([header, *rows], start=1):
        sheet.cell(r, 1, "my remarks" if r == 1 else f"remark {r}")
        for c, value in enumerate(row, start=2):
            sheet.cell(r, c, value)
    sheet.column_dimensions["C"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), where
