"""CSV that spreadsheets open safely: a cell never becomes a live formula (OWASP's rule)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
LINK_HEADER = ("name", "email", "language", "link")
# Characters a spreadsheet may skip or draw as nothing before a formula: format characters
# (zero-width, direction marks, BOM, soft hyphen: Unicode category Cf), combining and variation
# marks (Mn, Me) and spaces other than the ASCII one (Zs). Matched by category, not by a list,
# so a mark we did not think of is skipped too.
SKIPPED_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Zs"})
MAX_SKIPPED = 64  # a longer invisible run is suspicious in itself: it gets the apostrophe


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
    start = _visible_start(value)
    if start is None:
        return True
    # A few characters are enough: NFKC turns one look-alike into one ASCII character.
    return unicodedata.normalize("NFKC", value[start : start + 4]).startswith(FORMULA_START)


def _visible_start(value: str) -> int | None:
    """Where the first visible character is; None past MAX_SKIPPED invisible ones."""
    for index, char in enumerate(value[: MAX_SKIPPED + 1]):
        if char == " " or unicodedata.category(char) not in SKIPPED_CATEGORIES:
            return index
    return None if len(value) > MAX_SKIPPED else len(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Comma separated, "\\r\\n" after each row (RFC 4180: a CR in a cell is then quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([as_text_cell(str(cell)) for cell in row] for row in rows)
    return buffer.getvalue()
