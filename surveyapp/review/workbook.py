"""The pre-report and the summary as workbooks (xlsxwriter): one row per criterion and
organisation (pre-report) or per criterion (summary), the actions and, in a re-run, the
earlier actions' statuses; headers in the report's language, column widths, wrapped text,
frozen headers and an autofilter. Every text is written formula-safe (analysis.cells)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from sqlalchemy.orm import Session
from xlsxwriter import Workbook  # type: ignore[import-untyped]

from ..analysis.cells import WORKBOOK_OPTIONS, Cells
from ..analysis.peer_review_data import PreReport, SummaryReport
from ..analysis.peer_review_reports import pre_report, summary_report
from ..analysis.sheet_layout import NARROW, NUMBER, TEXT, WIDE, Formats, filter_table, lay_out
from ..i18n import _
from ..review_models import PeerReview
from ..web.lookups import manual
from .names import PRIORITY_NAMES, status_name

Row = Sequence[Any]


def report_workbook(session: Session, review: PeerReview, kind: str, lang: str) -> bytes:
    """The report as .xlsx bytes: `kind` is "pre" or "summary"."""
    buffer = io.BytesIO()
    book = Workbook(buffer, {**WORKBOOK_OPTIONS, "constant_memory": False, "in_memory": True})
    with force_locale(lang):
        if kind == "pre":
            _write_pre(book, pre_report(session, review, lang, manual=manual()))
        else:
            _write_summary(book, summary_report(session, review, lang, manual=manual()))
    book.close()
    return buffer.getvalue()


def _table(
    book: Workbook, name: str, header: Row, widths: Sequence[float], rows: Sequence[Row],
    wrapped: Sequence[int],
) -> None:  # fmt: skip
    """One sheet: the header, the rows, widths and wrapping per column, an autofilter."""
    formats = Formats.of(book)
    sheet = book.add_worksheet(name)
    lay_out(sheet, widths, formats, wrapped)
    cells = Cells()
    day = book.add_format({"num_format": "yyyy-mm-dd", "align": "left", "valign": "top"})
    for col, title in enumerate(header):
        cells.text(sheet, 0, col, str(title), formats.header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, dt.date):  # a real date cell: sorted and filtered as a day
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), day)
            else:
                cells.value(sheet, r, col, value)
    filter_table(sheet, 0, len(rows), len(header), freeze_cols=2)


def _write_pre(book: Workbook, report: PreReport) -> None:
    header = [_("Chapter"), _("Criterion"), _("Organisation"), _("Level"), _("Level label")]
    header += [_("Evidence or observations"), _("Questions"), _("Links to documents")]
    header += [_("Key people to meet"), _("Spread"), _("Divergence")]
    rows: list[Row] = []
    host = report.heading.host
    for chapter in report.chapters:
        for c in chapter.criteria:
            common = [chapter.title, c.text]
            figures = [c.spread, c.divergence]
            rows.append([*common, host, c.self_level, c.self_label, c.evidence, "",
                         c.links, c.key_people, *figures])  # fmt: skip
            for p in c.peers:
                rows.append([*common, p.party, p.level, p.level_label, p.observations,
                             p.questions, "", "", *figures])  # fmt: skip
    widths = [WIDE, TEXT, WIDE, NUMBER, WIDE, TEXT, TEXT, WIDE, WIDE, NUMBER, NUMBER]
    _table(book, _("Pre-report")[:31], header, widths, rows, (0, 1, 4, 5, 6, 7, 8))
    people = [[i.people, "; ".join(i.criteria)] for i in report.interviews]
    interviews = [_("Key people to meet"), _("Criteria")]
    _table(book, _("Interviews")[:31], interviews, [WIDE, TEXT], people, (0, 1))


def _write_summary(book: Workbook, report: SummaryReport) -> None:
    header = [_("Chapter"), _("Criterion"), _("Self-assessed level"), _("Final level")]
    header += [_("Level label"), _("Earlier final level"), _("Change")]
    header += [_("Strengths"), _("Development areas")]
    rows: list[Row] = [
        [
            chapter.title,
            c.text,
            c.self_level,
            c.final_level,
            c.final_label,
            c.earlier_level,
            c.change,
            c.strengths,
            c.development_areas,
        ]
        for chapter in report.chapters
        for c in chapter.criteria
    ]
    widths = [WIDE, TEXT, NUMBER, NUMBER, WIDE, NUMBER, NUMBER, TEXT, TEXT]
    _table(book, _("Summary")[:31], header, widths, rows, (0, 1, 4, 7, 8))
    _write_actions(book, report)


def _write_actions(book: Workbook, report: SummaryReport) -> None:
    """The action proposals and, in a re-run, what became of the earlier review's."""
    actions = [
        [a.title, a.criterion or _("The whole review"), a.owner,
         a.due_on, str(PRIORITY_NAMES.get(a.priority, a.priority))]
        for a in report.actions
    ]  # fmt: skip
    action_header = [_("Action"), _("Criterion"), _("Owner"), _("Due date"), _("Priority")]
    _table(book, _("Actions")[:31], action_header, [TEXT, TEXT, WIDE, NARROW, NARROW], actions,
           (0, 1, 2))  # fmt: skip
    if report.heading.earlier_review_id is not None:
        earlier = [
            [f.action.title, status_name(f.status), f.explanation] for f in report.earlier_actions
        ]
        names = [_("Earlier action"), _("Status"), _("Explanation")]
        _table(book, _("Earlier actions")[:31], names, [TEXT, NARROW, TEXT], earlier, (0, 2))
