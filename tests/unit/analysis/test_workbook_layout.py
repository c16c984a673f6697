"""How the Excel summary reads in Excel and LibreOffice: read back with openpyxl (widths,
wrapped text, frozen headers, autofilters, number formats, unique headers in the export's
language), its charts' XML (a title each, every label), and rendered by LibreOffice to PDF
(`soffice --headless`), whose text must hold every chart's title and every bar's label.

tests/data/wide/wide-test.yaml has a question with 28 long option labels: LibreOffice used
to drop every other one."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from analysis_dataset import Dataset, build, respond
from openpyxl.utils import get_column_letter
from pypdf import PdfReader
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.analysis.export_xlsx import write_summary
from surveyapp.analysis.sheet_layout import LABEL_WIDTH, NARROW
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Round
from surveyapp.services import rounds
from surveyapp.services.feedback_sheet import translate

WIDE = Path(__file__).resolve().parents[2] / "data" / "wide"
LABELS = [f"Member state number {n:02d} with a rather long official name" for n in range(1, 29)]
QUESTION = "Which member state do you work in?"


@pytest.fixture
def wide(db: Session) -> Round:
    round_ = rounds.open_round(db, SurveyRegistry(WIDE), "wide-test", "0.3", actor=SETUP)
    for n in range(56):
        respond(db, round_, {"member_state": f"m{n % 28 + 1:02d}", "clarity": n % 5 + 1})
    db.commit()
    return round_


def header_rows(book: Any) -> dict[str, tuple[Any, ...]]:
    """Each sheet's header row: the row its frozen pane starts below."""
    found = {}
    for sheet in book.worksheets:
        row = int(re.sub(r"\D", "", sheet.freeze_panes)) - 1
        found[sheet.title] = next(sheet.iter_rows(min_row=row, max_row=row, values_only=True))
    return found


def test_every_sheet_has_widths_a_frozen_header_a_filter_and_unique_headers_in_finnish(
    db: Session, tmp_path: Path
) -> None:
    data: Dataset = build(db, tmp_path)
    path = write_summary(db, data.current, tmp_path / "fi.xlsx", lang="fi").path
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.freeze_panes, f"{sheet.title}: no frozen header"
        assert sheet.auto_filter.ref, f"{sheet.title}: no autofilter"
        widths = [d.width for d in sheet.column_dimensions.values() if d.width]
        assert widths, f"{sheet.title}: no column widths"
    headers = header_rows(book)
    for title, header in headers.items():
        names = [h for h in header if h is not None]
        assert len(names) == len(set(names)), f"{title}: repeated headers {names}"
    assert "keskiarvo" in headers["Summary"] and "mean" not in headers["Summary"]
    assert headers["Chapters"][:2] == (translate("chapter", "fi"), "keskiarvo")
    assert "kysymys" in headers["Feedback"] and "Tila" in headers["Feedback"]
    assert translate("participant_country", "fi") in headers["Responses"]
    summary = book["Summary"]
    labels = {row[0].value: row[1] for row in summary.iter_rows(max_row=13, max_col=2)}
    assert labels["Vastanneet"].value == 3, "the round's figures are labelled in Finnish"
    mean = next(
        row[5]
        for row in summary.iter_rows()
        if row[0].value == "how_clarity" and isinstance(row[5].value, float)
    )
    assert mean.number_format == "0.00", "a mean shows two decimals"
    wrapped = summary.cell(row=mean.row, column=3)
    assert wrapped.alignment.wrap_text, "a question's text wraps"
    assert book["Feedback"].column_dimensions["E"].width >= 50, "the answers get room"
    responses = book["Responses"]
    header = headers["Responses"]
    last = get_column_letter(len(header))
    assert responses.auto_filter.ref == f"A1:{last}4", "the filter covers the label columns"
    for col, name in enumerate(header, start=1):
        width = responses.column_dimensions[get_column_letter(col)].width
        if name.endswith(" (selite)"):
            assert header[col - 2] == name.removesuffix(" (selite)")
            assert width == pytest.approx(LABEL_WIDTH, abs=1), f"{name}: its labels get room"
        else:
            assert width == pytest.approx(NARROW, abs=1), name


def chart_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        return [archive.read(name).decode() for name in names]


def test_each_chart_is_titled_shows_every_label_and_is_as_tall_as_its_bars(
    db: Session, wide: Round, tmp_path: Path
) -> None:
    path = write_summary(db, wide, tmp_path / "wide.xlsx").path
    charts = chart_xml(path)
    assert len(charts) == 2
    for xml in charts:
        assert "<c:title>" in xml and 'c:autoTitleDeleted val="1"' not in xml
        assert '<c:tickLblSkip val="1"/>' in xml, "every category label, none skipped"
    with zipfile.ZipFile(path) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
    spans = [
        int(b) - int(a)
        for a, b in re.findall(
            r"<xdr:from><xdr:col>\d+</xdr:col>"
            r"<xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>.*?<xdr:to><xdr:col>\d+"
            r"</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>",
            drawing,
            re.S,
        )
    ]
    assert spans[0] > 2 * spans[1], f"28 bars get a taller chart than 5: {spans}"


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing: .ci/run installs it")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_libreoffice_renders_every_chart_title_and_every_label(
    db: Session, wide: Round, tmp_path: Path, lang: str
) -> None:
    book = write_summary(db, wide, tmp_path / f"wide-{lang}.xlsx", lang=lang).path
    profile = (tmp_path / "profile").as_uri()  # its own profile: tests may run side by side
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # The Summary's pages only, before the Chapters sheet's: the Responses sheet has the
    # labels too (beside the codes), the Codebook all of them.
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(tmp_path / f"wide-{lang}.pdf").pages
    ]
    chapters = translate("previous revision", lang)
    summary = list(itertools.takewhile(lambda page: chapters not in page, pages))
    assert 0 < len(summary) < len(pages), "the Summary's pages found"
    text = " ".join(summary)
    sheet = openpyxl.load_workbook(book)["Summary"]
    labels = [c.value for c in sheet["L"][1:] if isinstance(c.value, str) and c.row > 15]
    assert len(labels) == 28 + 5
    for label in labels:
        # Once in its cell and once beside its bar: a chart that dropped it shows it once.
        assert text.count(" ".join(label.split())) >= 2, f"{label!r} is not in the chart"
    # The title on the chart itself, not LibreOffice's placeholder: once in its cell and
    # once above its chart, both on the Summary's pages.
    title = " ".join(str(sheet["C16"].value).split())
    assert text.count(title) >= 2, f"the chart's title {title!r} is not shown"
    assert "Chart Title" not in text, "a chart shows LibreOffice's placeholder title"
