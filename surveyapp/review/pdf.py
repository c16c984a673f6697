"""The pre-report and the summary as A4 PDFs, drawn by WeasyPrint from the same report data
as the pages (analysis.peer_review_reports), every word in the report's language. It fetches
nothing: the styles are in the template and the fonts are the system's."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_babel import force_locale, format_date
from sqlalchemy.orm import Session

from ..analysis.peer_review_reports import pre_report, summary_report
from ..review_models import PeerReview
from ..web.lookups import manual
from .names import report_words

KINDS = ("pre", "summary")


def report_html(session: Session, review: PeerReview, kind: str, lang: str) -> str:
    """The report's HTML for the PDF: `kind` is "pre" or "summary"."""
    build = pre_report if kind == "pre" else summary_report
    with force_locale(lang):
        report = build(session, review, lang, manual=manual())
        return render_template(
            "review/report_pdf.html", report=report, kind=kind, lang=lang,
            today=format_date(dt.date.today(), format="long"), **report_words(),
        )  # fmt: skip


def report_pdf(session: Session, review: PeerReview, kind: str, lang: str) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # No protocol allowed: no stored text can make the renderer fetch a file or an address.
    fetcher = URLFetcher(allowed_protocols=())
    pdf: bytes = HTML(
        string=report_html(session, review, kind, lang), url_fetcher=fetcher
    ).write_pdf()
    return pdf
