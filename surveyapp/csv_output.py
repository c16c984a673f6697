"""CSV that spreadsheets open safely: a cell never becomes a live formula (OWASP's rule)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
LINK_HEADER = ("name", "email", "language", "link")


def as_text_cell(value: str) -> str:
    """The value, with a leading apostrophe if a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Comma separated, "\\r\\n" after each row (RFC 4180: a CR in a cell is then quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([as_text_cell(str(cell)) for cell in row] for row in rows)
    return buffer.getvalue()
