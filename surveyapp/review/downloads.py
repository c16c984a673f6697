"""A report as a download: the PDF (WeasyPrint) or the workbook (xlsxwriter) of a review, in
a language; for the coordinator's pages and for the host's members by their links. Each
download is audited (services.peer_reviews.report_downloaded)."""

from __future__ import annotations

from flask import Response

from ..db import get_session
from ..review_models import PeerReview
from ..services import peer_reviews
from ..services.audit import Actor
from ..web.lookups import writing_session
from .pdf import report_pdf
from .workbook import report_workbook

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_download(
    review: PeerReview, kind: str, fmt: str, lang: str, *, actor: Actor
) -> Response:
    """`kind` is "pre" or "summary", `fmt` "pdf" or "xlsx"; the file name never holds a link."""
    if fmt == "pdf":
        body, mimetype = report_pdf(get_session(), review, kind, lang), PDF
    else:
        body, mimetype = report_workbook(get_session(), review, kind, lang), XLSX
    name = f"review-{review.id}-{kind}-{lang}.{fmt}"
    # Drawing takes seconds: SQLite's write lock is taken only now, for the audit event.
    db = writing_session()
    peer_reviews.report_downloaded(db, review, kind, name, len(body), actor=actor)
    db.commit()
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
