"""The round's printable report: the dashboard's figures as an A4 PDF drawn on the server.

The report is the dashboard of all responses (no filters), in one language of the survey:
survey texts, chapter titles and the report's own words alike, so an editor can attach it
to a mail to the partnership. It is built from the dashboard's own data (data.dashboard), so
it follows the dashboard's anonymity rules exactly, and its size does not grow with the
round: per question one chart and its table, and per free-text question the first
free_texts.TEXTS_SHOWN answers. WeasyPrint draws it while the request waits (a round's report is
a few pages, whatever its number of responses); it fetches nothing: every style is in the
template and the fonts are the system's (DejaVu).
"""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_date

from ..analysis.anonymity import min_count
from ..analysis.filters import Filters
from ..auth.access import actor, role_required
from ..db import get_session
from ..i18n import document_language
from ..jobs import downloads
from ..jobs.exports import file_name
from ..models import Round
from ..services.rounds import round_survey
from ..web.lookups import manual, round_or_404, writing_session
from . import data
from .blueprint import bp, survey_lang

PDF = "application/pdf"


@bp.get("/rounds/<id:round_id>/report.pdf")
@document_language  # downloading a Swedish report leaves the interface as it was
@role_required("editor")
def report_pdf(round_id: int) -> ResponseReturnValue:
    """The report in `?lang=` (a language of the survey; by default as the Excel summary's:
    the interface's if the survey has it), as an attachment; the download is audited."""
    round_ = round_or_404(round_id)
    asked = request.args.get("lang")
    if asked is not None and asked not in round_survey(round_).languages:
        abort(404)
    lang = survey_lang(round_)
    pdf = render_report(round_, lang)
    name = file_name(round_.id, round_.revision, lang, "pdf")
    # Drawing takes seconds: SQLite's write lock is taken only now, for the audit event.
    db = writing_session()
    downloads.report_downloaded(db, round_, lang, name, len(pdf), actor=actor())
    db.commit()
    response = Response(pdf, mimetype=PDF)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def report_html(round_: Round, lang: str) -> str:
    """The report's HTML: the dashboard of all responses with every text in `lang`."""
    limit = min_count(current_app.config)
    with force_locale(lang):
        book = manual()
        found = data.dashboard(get_session(), round_, lang, Filters(), limit, book, ui_lang=lang)
        return render_template(
            "results/report.html",
            round=round_,
            d=found,
            chart=data,
            limit=limit,
            lang=lang,
            today=format_date(dt.date.today(), format="long"),
        )


def render_report(round_: Round, lang: str) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # An empty list of allowed protocols: no stored text can make the renderer fetch a file
    # or an address (Jinja escapes them all anyway).
    fetcher = URLFetcher(allowed_protocols=())
    document = HTML(string=report_html(round_, lang), url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf
