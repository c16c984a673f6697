"""The read API's answers as plain JSON values, built from the analysis and the services.

Nothing here reads an answer's text or anything about a person: results are the dashboard's
aggregated figures under its anonymity rules, the codebook is the survey's definition, and
the feedback report gives what editors did, never what was said.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..analysis import anonymity
from ..analysis.aggregate import QuestionStats, summarise
from ..analysis.anonymity import Count, FewerThan
from ..analysis.filters import Filters, matching_responses
from ..analysis.tidy import submitted_count
from ..definitions import Manual, Question, Survey, localize
from ..definitions.schema import OTHER_VALUE, LangText
from ..models import FEEDBACK_STATUSES, Response, Round
from ..services import published_reports
from ..services.feedback import you_said_we_did
from ..services.monitor import round_figures
from ..services.rounds import previous_revision_round, round_state, round_survey

JSON = dict[str, Any]


def when(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive UTC times back
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def texts(text: LangText | None, languages: Iterable[str]) -> dict[str, str]:
    """A text in each of `languages` (falling back as pages do), English always among them."""
    return {lang: localize(text, lang) for lang in dict.fromkeys(["en", *languages])}


def count(value: Count) -> int | JSON:
    """A count as the dashboard shows it: a number, or why it is not shown."""
    if isinstance(value, FewerThan):
        return {"fewer_than": value.limit}
    if isinstance(value, int):
        return value
    return {"withheld": True}


# --- /rounds ----------------------------------------------------------------------------------


def rounds_list(session: Session, rounds: list[Round]) -> JSON:
    ids = [r.id for r in rounds]
    query = (
        select(Response.round_id, func.count())
        .where(Response.round_id.in_(ids), Response.status == "submitted")
        .group_by(Response.round_id)
    )
    submitted = {rid: int(n) for rid, n in session.execute(query)} if ids else {}
    figures = round_figures(session, ids)
    found = []
    for r in rounds:
        survey = round_survey(r)
        invited = figures[r.id].invited if r.id in figures else 0
        found.append(
            {
                "id": r.id,
                "survey_id": r.survey_id,
                "title": texts(survey.title, survey.languages),
                "languages": list(survey.languages),
                "revision": r.revision,
                "status": r.status,
                "state": round_state(r),
                "anonymous": r.is_anonymous,
                "opens_at": when(r.opens_at),
                "closes_at": when(r.closes_at),
                "opened_at": when(r.opened_at),
                "closed_at": when(r.closed_at),
                "invited": invited,
                "submitted": submitted.get(r.id, 0),
            }
        )
    return {"rounds": found}


# --- /rounds/<id>/results ---------------------------------------------------------------------


def checked_filters(
    session: Session, round_: Round, filters: Filters, limit: int
) -> Filters | None:
    """The filters to apply, or None when they are refused.

    An anonymous round goes by the dashboard's own rule (anonymity.check_filters). The API
    holds every other round to the same rule, as its answers leave the workspace: no two
    filters at once, none that selects fewer than `limit` responses or leaves fewer out.
    """
    if round_.is_anonymous:
        checked = anonymity.check_filters(session, round_, filters, limit)
        return None if checked.refused else checked.filters
    if filters.is_empty:
        return filters
    if filters.dimensions > 1:
        return None
    selected = submitted_count(session, round_.id, responses=matching_responses(round_, filters))
    left_out = submitted_count(session, round_.id) - selected
    return None if selected < limit or 0 < left_out < limit else filters


def _question(q: Question, s: QuestionStats, chapter: str | None, lang: str, limit: int) -> JSON:
    """One question (or matrix row) as the dashboard shows it, counts from 1 to limit - 1
    hidden when `limit` is set (a filtered view)."""
    shown = anonymity.shown_counts([c.count for c in s.counts], limit)
    n, not_applicable, no_answer = (
        anonymity.shown(x, limit) for x in (s.n, s.not_applicable, s.no_answer)
    )
    hidden = any(anonymity.is_hidden(c) for c in [n, *shown])
    return {
        "question_id": s.question_id,
        "row": s.row or None,
        "row_label": s.row_label or None,
        "chapter": chapter,
        "topic": q.topic,
        "type": s.type,
        "text": localize(q.text, lang),
        "n": count(n),
        "not_applicable": count(not_applicable),
        "no_answer": count(no_answer),
        # The dashboard's rule: with any count hidden, the mean and median would tell it.
        "mean": None if hidden else s.mean,
        "median": None if hidden else s.median,
        "counts": [
            {
                "value": c.value,
                "label": "Other" if q.other and c.value == OTHER_VALUE else c.label,
                "count": count(shown_count),
                "share": None if anonymity.is_hidden(shown_count) else c.share,
            }
            for c, shown_count in zip(s.counts, shown, strict=True)
        ],
    }


def results(
    session: Session,
    round_: Round,
    lang: str,
    filters: Filters,
    limit: int,
    manual: Manual,
) -> JSON:
    """The round's aggregated figures per question and chapter (never a free text)."""
    survey = round_survey(round_)
    checked = checked_filters(session, round_, filters, limit)
    applied = checked if checked is not None else Filters()
    responses = matching_responses(round_, applied)
    summary = summarise(session, round_, lang, responses=responses)
    # Chapter means are of every response, filtered or not (as the dashboard compares them).
    whole = summary if responses is None else summarise(session, round_, lang)
    chapters = {q.id: s.chapter for s in survey.sections for q in s.questions}
    questions = {q.id: q for q in survey.iter_questions()}
    hide_below = limit if responses is not None else 0
    titles = manual.chapter_titles(lang, round_.revision)
    return {
        "round_id": round_.id,
        "lang": lang,
        "anonymous": round_.is_anonymous,
        "anonymity_min_count": limit,
        "filters": {"language": applied.language or None, "answer": applied.answer or None},
        "filters_refused": checked is None,
        "submitted": count(anonymity.shown(summary.submitted, hide_below)),
        "questions": [
            _question(questions[s.question_id], s, chapters[s.question_id], lang, hide_below)
            for s in summary.questions
        ],
        "chapters": [
            {
                "chapter": c.chapter,
                "title": titles.get(c.chapter, c.chapter),
                "mean": c.mean,
                "n": c.n,
            }
            for c in whole.chapters
        ],
    }


# --- /rounds/<id>/you-said-we-did -------------------------------------------------------------


def feedback_report(session: Session, round_: Round, lang: str, manual: Manual) -> JSON:
    """What was done with the previous revision's feedback: per item its question, chapter,
    status, the editors' note and the revision; never the comment, its language or group.
    The newest published version of that round's report when there is one (its note in
    `lang` where translated), else the editors' current report."""
    previous = previous_revision_round(session, round_.survey_id, round_.revision)
    published = published_reports.latest(session, previous.id) if previous else None
    items: list[JSON] = []
    if published is not None:
        view = published_reports.report_view(published.content, lang, manual)
        for chapter, found in view.chapters:
            items += [
                _report_item(chapter, r.section, r.question_id, r.question, r.status,
                             r.note.text if r.note else "", r.revision)
                for r in found
            ]  # fmt: skip
    elif previous is not None:
        report = you_said_we_did(session, round_.survey_id, round_.revision, lang, manual)
        for chapter, rows in report.chapters if report else []:
            items += [
                _report_item(chapter, row.section, row.question_id, row.question, row.status,
                             row.note, row.revision)
                for row in rows
            ]  # fmt: skip
    by_status = dict.fromkeys(FEEDBACK_STATUSES, 0)
    by_chapter: dict[str, dict[str, int]] = {}
    for item in items:
        by_status[item["status"]] += 1
        per = by_chapter.setdefault(item["chapter"] or "", dict.fromkeys(FEEDBACK_STATUSES, 0))
        per[item["status"]] += 1
    titles = manual.chapter_titles(lang, previous.revision if previous else None)
    return {
        "round_id": round_.id,
        "lang": lang,
        # Published: frozen as a coordinator published it; else the editors' current report.
        "published": published is not None,
        "version": published.version if published else None,
        "published_at": when(published_reports.published_at(published)) if published else None,
        "previous_round": (
            {"id": previous.id, "revision": previous.revision, "anonymous": previous.is_anonymous}
            if previous
            else None
        ),
        "items": items,
        "counts": {
            "total": len(items),
            "by_status": by_status,
            "by_chapter": [
                {"chapter": c or None, "title": titles.get(c, c) if c else None, "by_status": n}
                for c, n in by_chapter.items()
            ],
        },
    }


def _report_item(
    chapter: str | None,
    section: str,
    question_id: str,
    question: str,
    status: str,
    note: str,
    revision: str | None,
) -> JSON:
    return {
        "chapter": chapter,
        "section": section,
        "question_id": question_id,
        "question": question,
        "status": status,
        "note": note,
        "addressed_in_revision": revision,
    }


# --- /rounds/<id>/codebook --------------------------------------------------------------------


def _points(points: Iterable[Any], languages: tuple[str, ...]) -> list[JSON]:
    return [{"value": p.value, "label": texts(p.label, languages)} for p in points]


def _codebook_question(q: Question, section: Any, languages: tuple[str, ...]) -> JSON:
    entry: JSON = {
        "id": q.id,
        "section": section.id,
        "chapter": section.chapter,
        "topic": q.topic,
        "type": q.type,
        "text": texts(q.text, languages),
        "required": q.required,
        "options": _points(q.options, languages),
        "other": q.other,
        "not_applicable": q.na,
        "rows": _points(q.rows, languages),
        "scale": _points(q.scale.points, languages) if q.scale else [],
        "min": q.min,
        "max": q.max,
        "min_label": texts(q.min_label, languages) if q.min_label else None,
        "max_label": texts(q.max_label, languages) if q.max_label else None,
    }
    return entry


def codebook(round_: Round, manual: Manual) -> JSON:
    """The round's questions, types, answer codes and labels per language, and its chapters
    and topics with their titles from the manual."""
    survey: Survey = round_survey(round_)
    languages = survey.languages
    revision = manual.revision(round_.revision)
    chapter_ids = list(dict.fromkeys(s.chapter for s in survey.sections if s.chapter))
    chapters = []
    for cid in manual.chapter_order(chapter_ids, round_.revision):
        chapter = revision.chapter(cid)
        chapters.append(
            {
                "id": cid,
                "title": texts(chapter.title, languages) if chapter else texts({"en": cid}, ()),
                "topics": [
                    {"id": t.id, "title": texts(t.title, languages)}
                    for t in (chapter.topics if chapter else ())
                ],
            }
        )
    return {
        "round_id": round_.id,
        "survey_id": survey.id,
        "revision": round_.revision,
        "languages": list(languages),
        "title": texts(survey.title, languages),
        "questions": [
            _codebook_question(q, section, languages)
            for section in survey.sections
            for q in section.questions
            if q.is_answerable
        ],
        "chapters": chapters,
        "other_value": OTHER_VALUE,
    }
