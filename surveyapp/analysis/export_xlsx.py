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
from ..services.monitor import round_figures
from ..services.rounds import round_survey
from .aggregate import QuestionStats, RoundSummary, summarise
from .cells import WORKBOOK_OPTIONS, Cells
from .compare import Comparison, compare_rounds
from .export_rows import ANSWER_COLUMNS, write_feedback, write_responses
from .shuffled import ResponseNumbers

SHEETS = ("Summary", "Chapters", "Feedback", "Responses", "Codebook")
STATS_HEADER = ["question_id", "row", "question", "type", "n", "mean", "median", "sd"]
STATS_HEADER += ["not applicable", "no answer", "value", "label", "count", "share"]
LABEL_COL, SHARE_COL, CHART_COL = 11, 13, 15
CHART_ROWS = 9  # rows a chart covers; each question's block is at least this tall
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


def _round_rows(
    session: Session, round_: Round, survey: Survey, submitted: int, lang: str
) -> list[list[Any]]:
    figures = round_figures(session, [round_.id]).get(round_.id)
    invited = figures.invited if figures else 0
    return [
        ["Round", round_.id],
        ["Survey", f"{survey.id}: {localize(survey.title, lang)}"],
        ["Manual revision", round_.revision],
        ["Anonymous", "yes" if round_.is_anonymous else "no"],
        ["Opened", _when(round_.opened_at)],
        ["Opens", _when(round_.opens_at)],
        ["Closes", _when(round_.closes_at)],
        ["Closed", _when(round_.closed_at)],
        ["Invited", invited],
        ["Submitted", submitted],
        ["Submitted through personal links", figures.submitted if figures else 0],
        ["Response rate (personal links)", figures.rate if figures else None],
        ["Language", lang],
        *_anonymous_rows(round_),
    ]


def _anonymous_rows(round_: Round) -> list[list[Any]]:
    """What an anonymous round's sheets leave out, said where analysts look first."""
    if not round_.is_anonymous:
        return []
    numbers = "drawn at random for this file, in a random order; not stored anywhere"
    return [
        ["Response numbers", numbers],
        ["Dates", "submission dates without times"],
        ["Left out", "language, group and country of each response"],
    ]


def _chart(book: Workbook, sheet: Worksheet, top: int, stats: QuestionStats) -> None:
    chart = book.add_chart({"type": "bar"})
    last = top + len(stats.counts)
    chart.add_series(
        {
            "name": [sheet.name, top, 2],  # the question's text cell: never parsed as a formula
            "categories": [sheet.name, top + 1, LABEL_COL, last, LABEL_COL],
            "values": [sheet.name, top + 1, SHARE_COL, last, SHARE_COL],
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 520, "height": CHART_ROWS * 20})
    sheet.insert_chart(top, CHART_COL, chart)


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
    bold, percent = book.add_format({"bold": True}), book.add_format({"num_format": "0.0%"})
    for r, (label, value) in enumerate(rows):
        cells.text(sheet, r, 0, label, bold)
        cells.value(sheet, r, 1, value, percent if label.startswith("Response rate") else None)
    top = len(rows) + 1
    cells.row(sheet, top, STATS_HEADER, bold)
    top, charts = top + 1, 0
    texts = {q.id: localize(q.text, lang) for q in survey.iter_questions()}
    for s in summary.questions:
        text = texts[s.question_id] + (f" — {s.row_label}" if s.row else "")
        figures = [s.n, s.mean, s.median, s.sd, s.not_applicable, s.no_answer]
        cells.row(sheet, top, [s.question_id, s.row, text, s.type, *figures])
        for i, c in enumerate(s.counts, start=1):
            cells.value(sheet, top + i, 0, s.question_id)
            cells.value(sheet, top + i, 1, s.row)
            for col, value in zip(range(10, 14), (c.value, c.label, c.count, c.share), strict=True):
                cells.value(sheet, top + i, col, value, percent if col == SHARE_COL else None)
        if s.counts and charts < MAX_CHARTS:
            _chart(book, sheet, top, s)
            charts += 1
        top += max(len(s.counts) + 2, CHART_ROWS + 1 if s.counts else 2)
    return top


CHAPTERS_HEADER = [
    "chapter",
    "mean",
    "answers",
    "previous revision",
    "previous mean",
    "change",
    "title",
    "compared with",
]


def write_chapters_sheet(
    sheet: Worksheet,
    cells: Cells,
    summary: RoundSummary,
    comparison: Comparison | None,
    titles: Mapping[str, str] | None = None,
) -> None:
    """Chapter means beside the previous revision's, then the question-level comparison.
    `titles` names the chapters; "compared with" lists the earlier chapters a renamed,
    merged or split chapter is compared with."""
    cells.row(sheet, 0, CHAPTERS_HEADER)
    old = {c.key: c for c in comparison.chapters} if comparison else {}
    revision = comparison.previous_revision if comparison else None
    for r, c in enumerate(summary.chapters, start=1):
        before = old.get(c.chapter)
        change = [before.previous, before.change] if before else [None, None]
        title = (titles or {}).get(c.chapter, c.chapter)
        compared = ", ".join(before.compared_with) if before else ""
        cells.row(sheet, r, [c.chapter, c.mean, c.n, revision, *change, title, compared])
    below = len(summary.chapters) + 2
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


def write_codebook(
    sheet: Worksheet, cells: Cells, survey: Survey, lang: str, titles: Mapping[str, str]
) -> None:
    header = ["id", "section", "chapter", "type", "text", "value labels", "chapter title"]
    cells.row(sheet, 0, header)
    r = 0
    for section in survey.sections:
        chapter = section.chapter or ""
        for q in section.questions:
            if q.is_answerable:
                r += 1
                row = [q.id, section.id, chapter, q.type, localize(q.text, lang)]
                cells.row(sheet, r, [*row, _labels(q, lang), titles.get(chapter, chapter)])


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
        write_chapters_sheet(sheets["Chapters"], cells, summary, comparison, titles)
        if round_.is_anonymous and numbers is None:
            numbers = ResponseNumbers.draw(session, round_.id)
        feedback_sheet, responses_sheet = sheets["Feedback"], sheets["Responses"]
        feedback = write_feedback(
            session, round_, survey, feedback_sheet, cells, lang, numbers, titles
        )
        written = None if progress is None else (lambda count: progress(count, total))
        write_responses(session, round_, survey, responses_sheet, cells, written, numbers)
        write_codebook(sheets["Codebook"], cells, survey, lang, titles)
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
