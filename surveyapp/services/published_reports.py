"""Published "you said, we did": a round's triaged feedback frozen for the public, in versions.

A coordinator publishes the report of the round whose feedback was triaged. Publishing
freezes what the draft shows (the items whose status is no longer `new`) into a
PublishedReport; publishing again makes the next version, and the newest is shown. The
frozen content never holds a comment's text, nor its language, group, country or response:
per item only its chapter, topic, question, status, the editors' note in each language and
the revision that addressed it, and the item's id, which only its respondent's own outcomes
page uses (services.outcomes; an anonymous round's ids are drawn in shuffled batches).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..definitions.manual import Manual, revision_key
from ..definitions.schema import localize
from ..errors import InvalidRequest
from ..models import FEEDBACK_STATUSES, FeedbackItem, PublishedReport, Round
from .audit import Actor, record
from .feedback import NOTE_MAX, text_questions
from .rounds import round_survey

# The statuses of the public report, in its order: `new` items are not triaged yet.
REPORT_STATUSES = tuple(s for s in FEEDBACK_STATUSES if s != "new")


@dataclass(frozen=True)
class Note:
    """An editors' note as a page shows it: `fallback` when it is not in the page's language
    but in `lang` (the survey's default language)."""

    text: str
    lang: str
    fallback: bool = False


@dataclass(frozen=True)
class ReportItem:
    """One item of a report in one language."""

    item_id: int
    chapter: str | None
    topic: str | None
    section: str
    question_id: str
    question: str
    status: str
    note: Note | None
    revision: str | None


@dataclass
class ReportView:
    """A report's content in one language: items by chapter and the counts at the top."""

    revision: str
    chapters: list[tuple[str | None, list[ReportItem]]] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    by_chapter: list[tuple[str | None, dict[str, int]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def report_content(session: Session, round_: Round, manual: Manual | None = None) -> dict[str, Any]:
    """The draft: the round's triaged items (status ≠ new) as they would be frozen, in the
    manual's chapter order, then survey order, then item id. Only reads."""
    survey = round_survey(round_)
    questions = text_questions(survey)
    order = {qid: n for n, qid in enumerate(questions)}
    query = select(FeedbackItem).where(
        FeedbackItem.round_id == round_.id,
        FeedbackItem.status != "new",
        FeedbackItem.question_id.in_(questions),
    )
    found = list(session.scalars(query))
    chapters = (manual or Manual()).chapter_order(
        (questions[i.question_id][0].chapter or "" for i in found), round_.revision
    )
    place = {c: n for n, c in enumerate(chapters)}
    default = survey.default_language
    items = []
    for item in sorted(
        found,
        key=lambda i: (
            questions[i.question_id][0].chapter is None,
            place.get(questions[i.question_id][0].chapter or "", 0),
            order[i.question_id],
            i.id,
        ),
    ):
        section, question = questions[item.question_id]
        notes = {default: item.note} if item.note else {}
        notes.update(
            {k: v for k, v in (item.note_translations or {}).items() if v and k != default}
        )
        items.append(
            {
                "item": item.id,
                "chapter": section.chapter,
                "topic": question.topic,
                "section": {lang: localize(section.title, lang) for lang in survey.languages},
                "question_id": question.id,
                "question": {lang: localize(question.text, lang) for lang in survey.languages},
                "status": item.status,
                "notes": notes,
                "revision": item.addressed_in_revision,
            }
        )
    return {
        "survey_id": round_.survey_id,
        "revision": round_.revision,
        "anonymous": round_.is_anonymous,
        "languages": list(survey.languages),
        "default_language": default,
        "items": items,
    }


def publish(
    session: Session, round_: Round, *, actor: Actor, manual: Manual | None = None
) -> PublishedReport:
    """Freeze the draft as the round's next version (1 for the first). Audited."""
    last = session.scalar(
        select(func.max(PublishedReport.version)).where(PublishedReport.round_id == round_.id)
    )
    report = PublishedReport(
        round_id=round_.id,
        version=(last or 0) + 1,
        published_by=actor.name[:254],
        content=report_content(session, round_, manual),
    )
    session.add(report)
    session.flush()
    detail = f"version {report.version}, {len(report.content['items'])} items"
    record(session, "report_published", actor=actor, target=f"round {round_.id}", detail=detail)
    return report


def versions(session: Session, round_: Round) -> list[PublishedReport]:
    """The round's published versions, the newest first."""
    query = select(PublishedReport).where(PublishedReport.round_id == round_.id)
    return list(session.scalars(query.order_by(PublishedReport.version.desc())))


def latest(session: Session, round_id: int) -> PublishedReport | None:
    """The newest published version of the round's report, if any."""
    query = select(PublishedReport).where(PublishedReport.round_id == round_id)
    return session.scalars(query.order_by(PublishedReport.version.desc()).limit(1)).first()


def published_for(session: Session, survey_id: str, revision: str) -> PublishedReport | None:
    """The newest published report of a round of `survey_id` for `revision`."""
    query = (
        select(PublishedReport)
        .join(Round, Round.id == PublishedReport.round_id)
        .where(Round.survey_id == survey_id, Round.revision == revision)
        .order_by(PublishedReport.published_at.desc(), PublishedReport.id.desc())
    )
    return session.scalars(query.limit(1)).first()


def published_revisions_before(session: Session, survey_id: str, revision: str) -> list[str]:
    """The revisions of `survey_id` earlier than `revision` that have a published report,
    the newest first: what a later round's respondents are pointed to."""
    query = (
        select(Round.revision)
        .join(PublishedReport, PublishedReport.round_id == Round.id)
        .where(Round.survey_id == survey_id)
        .distinct()
    )
    current = revision_key(revision)
    earlier = [r for r in session.scalars(query) if revision_key(r) < current]
    return sorted(earlier, key=revision_key, reverse=True)


def note_in(notes: Mapping[str, str], lang: str, default: str) -> Note | None:
    """The note in `lang`; else in the default language, marked as a fallback."""
    if notes.get(lang):
        return Note(notes[lang], lang)
    if notes.get(default):
        return Note(notes[default], default, fallback=True)
    return None


def report_view(content: Mapping[str, Any], lang: str, manual: Manual | None = None) -> ReportView:
    """The frozen `content` in `lang`, by chapter, with counts by status and chapter."""
    default = content.get("default_language", "en")
    view = ReportView(revision=content["revision"])
    groups: dict[str | None, list[ReportItem]] = {}
    for raw in content["items"]:
        item = ReportItem(
            item_id=raw["item"],
            chapter=raw["chapter"],
            topic=raw["topic"],
            section=localize(raw["section"], lang, default),
            question_id=raw["question_id"],
            question=localize(raw["question"], lang, default),
            status=raw["status"],
            note=note_in(raw["notes"], lang, default),
            revision=raw["revision"],
        )
        groups.setdefault(item.chapter, []).append(item)
    named = (manual or Manual()).chapter_order((c for c in groups if c), content["revision"])
    view.chapters = [(c, groups[c]) for c in named]
    if None in groups:
        view.chapters.append((None, groups[None]))
    totals: Counter[str] = Counter()
    for chapter, rows in view.chapters:
        counts = Counter(r.status for r in rows)
        totals.update(counts)
        view.by_chapter.append((chapter, {s: counts[s] for s in REPORT_STATUSES}))
    view.by_status = {s: totals[s] for s in REPORT_STATUSES}
    return view


def save_note_translations(
    session: Session,
    round_: Round,
    notes: Mapping[int, Mapping[str, str]],
    *,
    actor: Actor,
) -> int:
    """Set the notes of the round's items in the survey's other languages ({item id:
    {lang: text}}; an empty text removes one). Returns how many items changed. Audited
    by item ids (never the notes: they may quote the comments)."""
    survey = round_survey(round_)
    others = set(survey.languages) - {survey.default_language}
    query = select(FeedbackItem).where(
        FeedbackItem.round_id == round_.id, FeedbackItem.id.in_(list(notes))
    )
    items = {item.id: item for item in session.scalars(query)}
    if len(items) != len(set(notes)):
        raise InvalidRequest(f"feedback items not of round {round_.id}")
    changed = []
    for item_id, texts in notes.items():
        item = items[item_id]
        current = dict(item.note_translations or {})
        wanted = dict(current)
        for lang, text in texts.items():
            if lang not in others:
                raise InvalidRequest(f"not another language of the survey: {lang}")
            text = text.strip()
            if len(text) > NOTE_MAX:
                raise InvalidRequest("the note is too long")
            if text:
                wanted[lang] = text
            else:
                wanted.pop(lang, None)
        if wanted != current:
            item.note_translations = wanted
            item.updated_by_id = actor.user_id
            changed.append(item_id)
    session.flush()
    if changed:
        detail = f"{len(changed)} items: {', '.join(map(str, sorted(changed)))}"
        record(
            session, "feedback_translated", actor=actor, target=f"round {round_.id}", detail=detail
        )
    return len(changed)


def published_at(report: PublishedReport) -> dt.datetime:
    """When `report` was published, in UTC."""
    moment = report.published_at
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
