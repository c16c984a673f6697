"""The Excel summary of a round: Summary, Chapters, Feedback, Responses, Codebook.

Written in constant memory to a temporary file that replaces `path` only when complete;
xlsxwriter's work files live in a private directory beside it that is always removed, so a
failure (a full disk, say) leaves nothing behind. Every text goes through `cells.Cells`
(formula-safe; cut cells listed at the end of Summary).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from xlsxwriter import Workbook  # type: ignore[import-untyped]
from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from ..definitions import Manual, Question, Survey, localize
from ..errors import InvalidRequest
from ..files import replacing, scratch_directory
from ..models import Round
from ..services.feedback_sheet import translate
from ..services.monitor import round_figures
from ..services.rounds import round_survey
from .aggregate import QuestionStats, RoundSummary, summarise
from .cells import WORKBOOK_OPTIONS, Cells
from .compare import Comparison, compare_rounds
from .export_rows import ANSWER_COLUMNS, write_feedback, write_responses
from .sheet_layout import N_, NARROW, NUMBER, WIDE, Formats, filter_table, headers, lay_out
from .shuffled import ResponseNumbers

SHEETS = ("Summary", "Chapters", "Feedback", "Responses", "Codebook")
STATS_HEADER = [N_("question_id"), N_("row"), N_("question"), N_("type"), N_("n"), N_("mean")]
STATS_HEADER += [N_("median"), N_("sd"), N_("not applicable"), N_("no answer"), N_("value")]
STATS_HEADER += [N_("label"), N_("count"), N_("share")]
STATS_WIDTHS = [NARROW, NARROW, 45, NARROW, *[NUMBER] * 7, WIDE, NUMBER, NUMBER]
LABEL_COL, SHARE_COL, CHART_COL = 11, 13, 15
MEAN_COLS = (5, 6, 7)  # mean, median, sd: two decimals
CHART_ROWS = 9  # rows a chart covers at least; each question's block is at least this tall
ROW_PX, BAR_PX = 20, 26  # a row's default height; the height each bar needs, label wrapped
MAX_CHARTS = 300
# progress(responses written, responses to write)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    submitted: int
    questions: int
    feedback: int
    cut_cells: list[str]


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


RATE = N_("Response rate (personal links)")
_WORDS = {
    N_("yes"),
    N_("no"),
    N_("drawn at random for this file, in a random order; not stored anywhere"),
    N_("submission dates without times"),
    N_("language, group and country of each response"),
}


def _round_rows(
    session: Session, round_: Round, survey: Survey, submitted: int, lang: str
) -> list[list[Any]]:
    """The round's figures, labelled in `lang` (the Summary sheet's first column)."""
    figures = round_figures(session, [round_.id]).get(round_.id)
    invited = figures.invited if figures else 0
    rows: list[tuple[str, Any]] = [
        (N_("Round"), round_.id),
        (N_("Survey"), f"{survey.id}: {localize(survey.title, lang)}"),
        (N_("Manual revision"), round_.revision),
        (N_("Anonymous"), N_("yes") if round_.is_anonymous else N_("no")),
        (N_("Opened"), _when(round_.opened_at)),
        (N_("Opens"), _when(round_.opens_at)),
        (N_("Closes"), _when(round_.closes_at)),
        (N_("Closed"), _when(round_.closed_at)),
        (N_("Invited"), invited),
        (N_("Submitted"), submitted),
        (N_("Submitted through personal links"), figures.submitted if figures else 0),
        (RATE, figures.rate if figures else None),
        (N_("Language"), lang),
        *_anonymous_rows(round_),
    ]
    return [[translate(label, lang), _in(value, lang)] for label, value in rows]


def _in(value: Any, lang: str) -> Any:
    """The explanations are texts of the workbook too; figures and names are not."""
    return translate(value, lang) if isinstance(value, str) and value in _WORDS else value


def _anonymous_rows(round_: Round) -> list[tuple[str, Any]]:
    """What an anonymous round's sheets leave out, said where analysts look first."""
    if not round_.is_anonymous:
        return []
    numbers = N_("drawn at random for this file, in a random order; not stored anywhere")
    return [
        (N_("Response numbers"), numbers),
        (N_("Dates"), N_("submission dates without times")),
        (N_("Left out"), N_("language, group and country of each response")),
    ]


def chart_rows(options: int) -> int:
    """The rows a chart of `options` bars covers: each bar has room for a wrapped label."""
    return max(CHART_ROWS, -(-(70 + BAR_PX * options) // ROW_PX))


def _chart(book: Workbook, sheet: Worksheet, top: int, stats: QuestionStats, title: str) -> None:
    """A bar chart titled with the question, as tall as its options need; every label is
    shown (LibreOffice drops every other crowded label unless told the interval is 1)."""
    chart = book.add_chart({"type": "bar"})
    last = top + len(stats.counts)
    text = [sheet.name, top, 2]  # the question's text cell: never parsed as a formula
    chart.add_series(
        {
            "name": text,
            "categories": [sheet.name, top + 1, LABEL_COL, last, LABEL_COL],
            "values": [sheet.name, top + 1, SHARE_COL, last, SHARE_COL],
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    # The title as text, not as a reference to the question's cell, which LibreOffice shows
    # as its "Chart Title" placeholder. xlsxwriter reads a name starting with "=" as a
    # formula, so such a text starts with a space instead.
    name = " " + title if title.startswith("=") else title
    chart.set_title({"name": name, "overlay": False, "name_font": {"size": 10, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
    chart.set_size({"width": 560, "height": chart_rows(len(stats.counts)) * ROW_PX - 10})
    # Moves with its rows, which grow when a question's text wraps, but keeps its size.
    sheet.insert_chart(top, CHART_COL, chart, {"object_position": 2})


def write_summary_sheet(
    book: Workbook,
    sheet: Worksheet,
    cells: Cells,
    rows: list[list[Any]],
    summary: RoundSummary,
    survey: Survey,
    lang: str,
) -> int:
    """Round figures, then per question a figures row and a row per answer value."""
    formats = Formats.of(book)
    lay_out(sheet, STATS_WIDTHS, formats, wrapped=(2, LABEL_COL))
    rate = translate(RATE, lang)
    for r, (label, value) in enumerate(rows):
        cells.text(sheet, r, 0, label, formats.header)
        cells.value(sheet, r, 1, value, formats.percent if label == rate else None)
    head = len(rows) + 1
    cells.row(sheet, head, headers(STATS_HEADER, lang), formats.header)
    top, charts = head + 1, 0
    texts = {q.id: localize(q.text, lang) for q in survey.iter_questions()}
    for s in summary.questions:
        text = texts[s.question_id] + (f" — {s.row_label}" if s.row else "")
        cells.row(sheet, top, [s.question_id, s.row, text, s.type, s.n])
        for col, value in zip(MEAN_COLS, (s.mean, s.median, s.sd), strict=True):
            cells.value(sheet, top, col, value, formats.mean)
        cells.value(sheet, top, 8, s.not_applicable)
        cells.value(sheet, top, 9, s.no_answer)
        for i, c in enumerate(s.counts, start=1):
            cells.value(sheet, top + i, 0, s.question_id)
            cells.value(sheet, top + i, 1, s.row)
            cells.row(sheet, top + i, [None] * 10 + [c.value, c.label, c.count])
            cells.value(sheet, top + i, SHARE_COL, c.share, formats.percent)
        if s.counts and charts < MAX_CHARTS:
            _chart(book, sheet, top, s, text)
            charts += 1
        top += max(len(s.counts) + 2, chart_rows(len(s.counts)) + 1 if s.counts else 2)
    filter_table(sheet, head, top, len(STATS_WIDTHS))
    return top


CHAPTERS_HEADER = [
    N_("chapter"),
    N_("mean"),
    N_("answers"),
    N_("previous revision"),
    N_("previous mean"),
    N_("change"),
    N_("title"),
    N_("compared with"),
]
CHAPTERS_WIDTHS = [WIDE, NUMBER, NUMBER, NARROW, NUMBER, NUMBER, 40, WIDE]


def write_chapters_sheet(
    sheet: Worksheet,
    cells: Cells,
    summary: RoundSummary,
    comparison: Comparison | None,
    titles: Mapping[str, str] | None = None,
    formats: Formats | None = None,
    lang: str = "en",
) -> None:
    """Chapter means beside the previous revision's, then the question-level comparison.
    `titles` names the chapters; "compared with" lists the earlier chapters a renamed,
    merged or split chapter is compared with."""
    mean = formats.mean if formats else None
    if formats:
        lay_out(sheet, CHAPTERS_WIDTHS, formats, wrapped=(6, 7))
    cells.row(sheet, 0, headers(CHAPTERS_HEADER, lang), formats.header if formats else None)
    old = {c.key: c for c in comparison.chapters} if comparison else {}
    revision = comparison.previous_revision if comparison else None
    for r, c in enumerate(summary.chapters, start=1):
        before = old.get(c.chapter)
        change = [before.previous, before.change] if before else [None, None]
        title = (titles or {}).get(c.chapter, c.chapter)
        compared = ", ".join(before.compared_with) if before else ""
        cells.row(sheet, r, [c.chapter, None, c.n, revision, None, None, title, compared])
        for col, value in ((1, c.mean), (4, change[0]), (5, change[1])):
            cells.value(sheet, r, col, value, mean)
    below = len(summary.chapters) + 2
    filter_table(sheet, 0, len(summary.chapters), len(CHAPTERS_HEADER))
    if comparison is None:
        cells.text(sheet, below, 0, "No round of an earlier manual revision.")
    else:
        _write_question_changes(sheet, cells, comparison, below)


def _write_question_changes(sheet: Worksheet, cells: Cells, comparison: Comparison, r: int) -> None:
    """Added, removed and reworded questions (never compared), then matched ones' means."""
    title = f"Questions against revision {comparison.previous_revision}"
    cells.row(sheet, r, [title, "mean", "", "", "previous mean", "change"])
    changes = comparison.definitions
    listed = [("added", changes.added), ("removed", changes.removed)]
    for kind, ids in [*listed, ("reworded", changes.reworded)]:
        for qid in ids:
            r += 1
            cells.row(sheet, r, [qid, None, kind, "not compared"])
    for q in comparison.questions:
        r += 1
        cells.row(sheet, r, [q.key, q.mean, "matched", "", q.previous, q.change])


def _labels(q: Question, lang: str) -> str:
    """The values of a question and what they mean, as one line."""
    parts = [f"{o.value} = {localize(o.label, lang)}" for o in q.options]
    if q.rows:
        parts.append("rows: " + ", ".join(f"{r.value} = {localize(r.label, lang)}" for r in q.rows))
    if q.scale:
        parts += [f"{p.value} = {localize(p.label, lang)}" for p in q.scale.points]
    if q.kind.points == "range" and q.min is not None:
        parts.append(
            f"{q.min:g} = {localize(q.min_label, lang)}; {q.max:g} = {localize(q.max_label, lang)}"
        )
    if q.other:
        parts.append(f"other = Other (its text in {q.id}.other)")
    if q.na:
        parts.append("NA = not applicable")
    note = ANSWER_COLUMNS[q.kind.shape].note
    if note:
        parts.append(note)
    return "; ".join(parts)


CODEBOOK_HEADER = [N_("id"), N_("section"), N_("chapter"), N_("type"), N_("text")]
CODEBOOK_HEADER += [N_("value labels"), N_("chapter title")]


def write_codebook(
    sheet: Worksheet,
    cells: Cells,
    survey: Survey,
    lang: str,
    titles: Mapping[str, str],
    formats: Formats | None = None,
) -> None:
    """The codes of the Responses sheet and what they mean, in `lang`."""
    if formats:
        lay_out(sheet, [WIDE, NARROW, NARROW, NARROW, 50, 70, WIDE], formats, wrapped=(4, 5, 6))
    cells.row(sheet, 0, headers(CODEBOOK_HEADER, lang), formats.header if formats else None)
    r = 0
    for section in survey.sections:
        chapter = section.chapter or ""
        for q in section.questions:
            if q.is_answerable:
                r += 1
                row = [q.id, section.id, chapter, q.type, localize(q.text, lang)]
                cells.row(sheet, r, [*row, _labels(q, lang), titles.get(chapter, chapter)])
    filter_table(sheet, 0, r, len(CODEBOOK_HEADER))


def write_summary(
    session: Session,
    round_: Round,
    path: Path | str,
    lang: str = "en",
    *,
    progress: Progress | None = None,
    numbers: ResponseNumbers | None = None,
    manual: Manual | None = None,
) -> ExportResult:
    """Write the round's Excel summary to `path` in `lang`; never leaves a partial file.
    Chapters are titled, and compared across revisions, by `manual`.

    `progress(written, total)` follows the Responses sheet, the longest part; a failure
    to write (a full disk, say) is raised as the OSError it is. An anonymous round's
    Feedback and Responses sheets number its responses by `numbers`, drawn if not given.
    """
    survey = round_survey(round_)
    if lang not in survey.languages:
        raise InvalidRequest(
            f"the survey has no language {lang!r} (it has {', '.join(survey.languages)})"
        )
    summary = summarise(session, round_, lang)
    book_of = manual or Manual()
    comparison = compare_rounds(session, round_, summary, book_of)  # means: not by lang
    titles = book_of.chapter_titles(lang, round_.revision)
    total = summary.submitted
    if progress is not None:
        progress(0, total)
    cells, target = Cells(), Path(path)
    with replacing(target) as tmp, scratch_directory(target) as work:
        book = Workbook(str(tmp), {**WORKBOOK_OPTIONS, "tmpdir": str(work)})
        sheets = {name: book.add_worksheet(name) for name in SHEETS}
        rows = _round_rows(session, round_, survey, total, lang)
        end = write_summary_sheet(book, sheets["Summary"], cells, rows, summary, survey, lang)
        formats = Formats.of(book)
        chapters_sheet = sheets["Chapters"]
        write_chapters_sheet(chapters_sheet, cells, summary, comparison, titles, formats, lang)
        if round_.is_anonymous and numbers is None:
            numbers = ResponseNumbers.draw(session, round_.id)
        feedback_sheet, responses_sheet = sheets["Feedback"], sheets["Responses"]
        feedback = write_feedback(
            session, round_, survey, feedback_sheet, cells, lang, numbers, titles, formats
        )
        written = None if progress is None else (lambda count: progress(count, total))
        write_responses(
            session, round_, survey, responses_sheet, cells, written, numbers, formats, lang
        )
        write_codebook(sheets["Codebook"], cells, survey, lang, titles, formats)
        _list_cut_cells(sheets["Summary"], cells, end)
        _close(book)
    return ExportResult(target, total, len(summary.questions), feedback, cells.cut)


def _close(book: Workbook) -> None:
    """Close the workbook; xlsxwriter wraps an OSError (ENOSPC…) that callers should see."""
    try:
        book.close()
    except FileCreateError as error:
        cause = error.args[0] if error.args else None
        if isinstance(cause, OSError):
            raise cause from error
        raise OSError(str(error)) from error


def _list_cut_cells(sheet: Worksheet, cells: Cells, row: int) -> None:
    """Excel cells hold 32,767 characters: say which texts were cut, below everything else."""
    cut = list(cells.cut)
    cells.text(sheet, row, 0, f"Texts cut at 32,767 characters: {len(cut)}")
    for i, where in enumerate(cut, start=1):
        cells.text(sheet, row + i, 0, where)
