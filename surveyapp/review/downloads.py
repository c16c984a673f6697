"""A report as a download: the PDF (WeasyPrint) or the workbook (xlsxwriter) of a review, in
a language; for the coordinator's pages and for the host's members by their links."""

from __future__ import annotations

from flask import Response

from ..db import get_session
from ..review_models import PeerReview
from .pdf import report_pdf
from .workbook import report_workbook

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_download(review: PeerReview, kind: str, fmt: str, lang: str) -> Response:
    """`kind` is "pre" or "summary", `fmt` "pdf" or "xlsx"; the file name never holds a link."""
    if fmt == "pdf":
        body, mimetype = report_pdf(get_session(), review, kind, lang), PDF
    else:
        body, mimetype = report_workbook(get_session(), review, kind, lang), XLSX
    response = Response(body, mimetype=mimetype)
    name = f"review-{review.id}-{kind}-{lang}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
