"""The pre-report and the summary as pages, PDFs (WeasyPrint) and workbooks (xlsxwriter),
in the host's language unless another of the set's languages is asked for; Publish."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..analysis.peer_review_reports import pre_report
from ..auth.access import actor, role_required
from ..db import get_session
from ..errors import InvalidRequest
from ..i18n import _, document_language
from ..review_models import PeerReview
from ..services import peer_reviews
from ..web.lookups import manual
from .blueprint import bp
from .downloads import report_download
from .lookups import review_criteria, review_or_404
from .summary_page import render_summary, report_lang


@bp.get("/<id:review_id>/pre-report")
@document_language
@role_required("coordinator")
def pre_report_page(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    lang = report_lang(review)
    return render_template(
        "review/pre_report.html",
        review=review,
        report=pre_report(get_session(), review, lang, manual=manual()),
        lang=lang,
        languages=review_criteria(review).languages,
    )


def _download(review: PeerReview, kind: str, fmt: str) -> Response:
    return report_download(review, kind, fmt, report_lang(review), actor=actor())


@bp.get("/<id:review_id>/pre-report.pdf")
@document_language
@role_required("coordinator")
def pre_report_pdf(review_id: int) -> ResponseReturnValue:
    return _download(review_or_404(review_id), "pre", "pdf")


@bp.get("/<id:review_id>/pre-report.xlsx")
@document_language
@role_required("coordinator")
def pre_report_xlsx(review_id: int) -> ResponseReturnValue:
    return _download(review_or_404(review_id), "pre", "xlsx")


@bp.get("/<id:review_id>/summary")
@document_language
@role_required("coordinator")
def summary(review_id: int) -> ResponseReturnValue:
    return render_summary(review_or_404(review_id))


@bp.get("/<id:review_id>/summary.pdf")
@document_language
@role_required("coordinator")
def summary_pdf(review_id: int) -> ResponseReturnValue:
    return _download(review_or_404(review_id), "summary", "pdf")


@bp.get("/<id:review_id>/summary.xlsx")
@document_language
@role_required("coordinator")
def summary_xlsx(review_id: int) -> ResponseReturnValue:
    return _download(review_or_404(review_id), "summary", "xlsx")


@bp.post("/<id:review_id>/publish")
@role_required("coordinator")
def publish(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    try:
        peer_reviews.publish(get_session(), review, actor=actor())
    except InvalidRequest as error:
        get_session().rollback()
        flash(str(error))
    else:
        get_session().commit()
        flash(_("The summary is published: the host's members can read it by their links."))
    return redirect(url_for("review.summary", review_id=review.id), 303)
