"""CSV that spreadsheets open safely: a cell never becomes a live formula (OWASP's rule)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
LINK_HEADER = ("name", "email", "language", "link")
# Invisible characters a spreadsheet may skip before a formula: zero-width spaces and joiners,
# direction marks and embeddings, word joiner and invisible operators, isolates, and BOM.
INVISIBLE_START = re.compile("^[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+")


def as_text_cell(value: str) -> str:
    """The value, with a leading apostrophe if a spreadsheet would run it as a formula.

    Look-alikes count too: a full-width or small-form = + - @ (U+FF1D, U+FE62 ...: NFKC
    makes them the ASCII ones), and a trigger behind invisible characters.
    """
    return "'" + value if _formula_like(value) else value


def _formula_like(value: str) -> bool:
    if value.startswith(FORMULA_START):
        return True
    if value[:1].isascii():  # most cells: NFKC leaves ASCII as it is, and none is invisible
        return False
    invisible = INVISIBLE_START.match(value)
    start = invisible.end() if invisible else 0
    # A few characters are enough: NFKC turns one look-alike into one ASCII character.
    return unicodedata.normalize("NFKC", value[start : start + 4]).startswith(FORMULA_START)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Comma separated, "\\r\\n" after each row (RFC 4180: a CR in a cell is then quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([as_text_cell(str(cell)) for cell in row] for row in rows)
    return buffer.getvalue()
