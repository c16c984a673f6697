"""CSV downloads: UTF-8 with a BOM for Excel, never a live formula, never cached."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

# OWASP's rule against CSV injection: a cell starting like a formula is read as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def as_text_cell(value: str) -> str:
    """The value, with a leading apostrophe if a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV in the format of `surveyapp links`: comma separated, one "\\n" per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([as_text_cell(str(cell)) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Response:
    """A CSV attachment in UTF-8 with a byte-order mark, so Excel reads the accents right."""
    body = csv_text(header, rows).encode("utf-8-sig")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
