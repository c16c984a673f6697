"""The printable report: the dashboard's figures as an A4 PDF (surveyapp/results/report.py).

On tests/analysis_dataset.py's three submitted responses of round 0.10 (see
tests/web/test_results.py for the figures worked out by hand). pypdf reads the text back.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import analysis_dataset
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import assert_by_account
from surveyapp.definitions import localize
from surveyapp.models import AuditEvent
from surveyapp.results.report import report_html
from surveyapp.services.rounds import round_survey

CSS = Path(__file__).parents[2] / "surveyapp" / "static" / "css" / "app.css"


def report(client: FlaskClient, round_id: int, query: str = "?lang=en") -> bytes:
    response = client.get(f"/workspace/rounds/{round_id}/report.pdf{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response.get_data()


def pages(pdf: bytes) -> list[str]:
    """Each page's text, its white space made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_the_report_has_numbered_pages_every_chapter_and_every_question(
    app: Flask, editor: FlaskClient, data: analysis_dataset.Dataset, lang: str
) -> None:
    texts = pages(report(editor, data.current.id, f"?lang={lang}"))
    total = len(texts)
    assert total >= 2
    for number, text in enumerate(texts, start=1):
        assert f"{number} / {total}" in text, f"page {number} has no page number"
    whole = " ".join(texts)
    manual = app.extensions["surveys"].manual
    first, *others = [
        manual.chapter_title(chapter, lang, data.current.revision) for chapter in ("why", "how")
    ]
    assert first in texts[0], "the first chapter follows the contents"
    for title in others:
        assert title != "how", "the manual has the chapter"
        starts = [n for n, text in enumerate(texts) if text.startswith(f"{title} ")]
        assert starts and starts[0] > 0, f"chapter {title!r} does not start a page"
    for q in round_survey(data.current).iter_questions():
        assert localize(q.text, lang) in whole, f"no question {q.id}"
    assert "Too long" in whole and "=1+1" in whole, "the free texts"
    if lang == "fi":
        assert "3,67" in whole and "3.67" not in whole, "Finnish numbers"
        assert "Sisällys" in whole, "the report's own words in Finnish"
        assert "Contents" not in whole
    else:
        assert "3.67" in whole and "Contents" in whole


def test_each_question_has_its_chart_and_figures_table(
    app: Flask, data: analysis_dataset.Dataset
) -> None:
    with app.test_request_context():
        html = report_html(data.current, "fi")
    assert html.count('<svg class="chart"') == html.count('<table class="figures">') - 2, (
        "a chart and a table per question, and the comparison's two tables"
    )
    chart = html[html.index("<svg", html.index("Roolisi")) :]
    chart = chart[: chart.index("</svg>")]
    assert ">Hankinta-asiantuntija: 2 (67\xa0%)<" in chart, "the bar's text, in Finnish"
    assert "<nav" in html and "<form" not in html and "<script" not in html


def test_the_download_is_an_audited_attachment_named_after_the_round(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    response = editor.get(f"/workspace/rounds/{data.current.id}/report.pdf?lang=fi")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="round-{data.current.id}-0.10-fi.pdf"'
    assert response.get_data().startswith(b"%PDF-")
    session.rollback()
    (event,) = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report_downloaded")
    ).all()
    assert event.target == f"round {data.current.id}"
    assert event.detail.startswith(f"pdf in fi: round-{data.current.id}-0.10-fi.pdf")
    assert_by_account(session, event, "editor")


def test_without_a_language_the_report_is_in_the_interface_language(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    response = editor.get(f"/workspace/rounds/{data.current.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-0.10-en.pdf"')


def test_the_reports_language_leaves_the_interfaces_as_it_was(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    report(editor, data.current.id, "?lang=sv")
    html = editor.get(f"/workspace/rounds/{data.current.id}/results").get_data(as_text=True)
    assert ">Contents</h2>" in html, "still in English"


def test_a_language_the_survey_lacks_is_refused(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    for lang in ("de", "", "fi-FI"):
        response = editor.get(f"/workspace/rounds/{data.current.id}/report.pdf?lang={lang}")
        assert response.status_code == 404, lang
    assert editor.get("/workspace/rounds/999999/report.pdf?lang=en").status_code == 404
    session.rollback()
    found = session.scalars(select(AuditEvent).where(AuditEvent.action == "report_downloaded"))
    assert found.all() == [], "nothing was handed out"


def test_an_anonymous_rounds_report_shows_no_group_and_no_language_of_free_texts(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    anonymous = analysis_dataset.build(session, tmp_path, anonymous=True).current
    whole = " ".join(pages(report(editor, anonymous.id)))
    assert "Too long" in whole and "Lawyer" in whole, "the answers are there"
    for secret in ("Secret Person", "secret.person", "Secret Organisation", "g1", "g2"):
        assert secret not in whole
    for language in ("English", "suomi", "unknown language"):
        assert f"({language}" not in whole, "no language beside a free text"
    assert "without their language" in whole


def test_a_named_rounds_report_shows_the_group_of_a_free_text(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    whole = " ".join(pages(report(editor, data.current.id)))
    assert re.search(r"“Too long” \(English; g1\)", whole)
    assert "Secret Person" not in whole and "secret.person" not in whole, "names never"


def test_a_script_in_a_free_text_is_printed_as_text_and_fetches_nothing(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    payload = '<img src="file:///etc/hostname"><b>bold</b>'
    analysis_dataset.respond(session, data.current, {"why_comment": payload})
    session.commit()
    whole = " ".join(pages(report(editor, data.current.id)))
    assert '<img src="file:///etc/hostname">' in whole


def test_the_dashboard_offers_the_pdf_in_the_surveys_languages(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    response = editor.get(f"/workspace/rounds/{data.current.id}/results?lang=fi")
    html = response.get_data(as_text=True)
    form = html[html.rindex("<form", 0, html.index('id="report-form"')) :]
    form = form[: form.index("</form>")]
    assert f'action="/workspace/rounds/{data.current.id}/report.pdf"' in form
    assert re.findall(r'<option value="(\w+)"', form) == ["en", "fi", "sv"]
    assert '<option value="fi" selected>' in form


def test_the_dashboard_prints_without_navigation_filters_or_forms() -> None:
    css = CSS.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"@media print \{(.*?)\n\}", css, re.S) if ".toc" in b]
    assert blocks, "app.css has a print block for the dashboard"
    block = blocks[0]
    hidden = re.search(r"([^{}]*)\{\s*display: none", block)
    assert hidden
    for selector in (".site-header", ".workspace-nav", ".filter-form", ".toc", "form"):
        assert selector in hidden.group(1), f"{selector} is printed"
    assert "h2.chapter" in block and "break-before: page" in block
    assert "break-inside: avoid" in block
