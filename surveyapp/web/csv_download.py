"""CSV downloads: UTF-8 with a BOM for Excel, never a live formula, never cached."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Response

from ..csv_output import csv_text


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Response:
    """A CSV attachment in UTF-8 with a byte-order mark, so Excel reads the accents right."""
    body = csv_text(header, rows).encode("utf-8-sig")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
