"""The peer review's two reports as plain data: the pre-report (self-assessment and peers'
scores) and the summary (final levels, strengths, development areas, actions; in a re-run
the change since the earlier review and what became of its actions).

No HTML and no files: the workspace shows them as a page, a PDF and a workbook. Texts come
in the report's language: the one asked for if the criteria set has it, else the set's
first language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from ..definitions.criteria import CriteriaSet, Criterion
from ..definitions.manual import Manual
from ..definitions.schema import localize
from ..review_models import PeerReview, ReviewAction, ReviewAssessment, ReviewNote
from ..services import peer_reviews
from ..services.peer_reviews import scores
from .peer_review_data import (
    ActionLine,
    FollowUpLine,
    Interview,
    PeerView,
    PreChapter,
    PreCriterion,
    PreReport,
    ReportHeading,
    ScalePoint,
    SummaryChapter,
    SummaryCriterion,
    SummaryReport,
)

__all__ = [
    "ActionLine",
    "FollowUpLine",
    "Interview",
    "PeerView",
    "PreChapter",
    "PreCriterion",
    "PreReport",
    "ReportHeading",
    "ScalePoint",
    "SummaryChapter",
    "SummaryCriterion",
    "SummaryReport",
    "pre_report",
    "report_language",
    "summary_report",
]


def report_language(review: PeerReview, lang: str | None = None) -> str:
    """`lang` if the review's criteria set has it, else the host's language if it has
    that, else the set's first language."""
    languages = review.criteria["languages"]
    for wanted in (lang, review.host_language):
        if wanted in languages:
            return str(wanted)
    return str(languages[0])


def pre_report(
    session: Session, review: PeerReview, lang: str | None = None, *, manual: Manual | None = None
) -> PreReport:
    """The self-assessment and the peers' scores per chapter and criterion."""
    criteria = peer_reviews.criteria_of(review)
    lang = report_language(review, lang)
    views = peer_reviews.assessments_by_party(session, review)
    host = peer_reviews.host_party(review)
    own = views.get(host.id, {}) if host else {}
    peers = [(p.name, views[p.id]) for p in peer_reviews.peer_parties(review)]
    earlier = _earlier_levels(session, review)
    found = {
        c.id: _pre_criterion(c, lang, own.get(c.id), peers, earlier.get(c.id))
        for c in criteria.criteria
    }
    chapters = tuple(
        PreChapter(cid, _chapter_title(manual, criteria, cid, lang), tuple(found[c.id] for c in cs))
        for cid, cs in criteria.chapters()
    )
    # Only where the views differ: criteria on which everyone agrees are no talking point.
    differing = [c for c in found.values() if (c.divergence or 0.0) > 0]
    ranked = sorted(differing, key=lambda c: -(c.divergence or 0.0))
    return PreReport(
        heading=_heading(review, criteria, lang),
        chapters=chapters,
        most_divergent=tuple(ranked),
        interviews=_interviews(found.values()),
    )


def _pre_criterion(
    criterion: Criterion,
    lang: str,
    own: ReviewAssessment | None,
    peers: list[tuple[str, dict[str, ReviewAssessment]]],
    earlier_level: float | None,
) -> PreCriterion:
    peer_views = tuple(_peer_view(criterion, lang, name, v.get(criterion.id)) for name, v in peers)
    self_level = own.level if own else None
    peer_levels = [view.level for view in peer_views]
    return PreCriterion(
        id=criterion.id,
        chapter=criterion.chapter,
        topic=criterion.topic,
        text=localize(criterion.text, lang),
        guidance=localize(criterion.guidance, lang),
        self_level=self_level,
        self_label=_label(criterion, self_level, lang),
        evidence=own.evidence if own else "",
        links=own.links if own else "",
        key_people=own.key_people if own else "",
        peers=peer_views,
        spread=scores.spread([self_level, *peer_levels]),
        divergence=scores.divergence(self_level, peer_levels),
        earlier_level=earlier_level,
    )


def _peer_view(
    criterion: Criterion, lang: str, party: str, found: ReviewAssessment | None
) -> PeerView:
    level = found.level if found else None
    return PeerView(
        party=party,
        level=level,
        level_label=_label(criterion, level, lang),
        observations=found.observations if found else "",
        questions=found.questions if found else "",
    )


def _label(criterion: Criterion, level: int | None, lang: str) -> str:
    for point in criterion.levels:
        if point.value == level:
            return localize(point.label, lang)
    return ""


def _interviews(criteria: Iterable[PreCriterion]) -> tuple[Interview, ...]:
    """The host's key people, each named once with every criterion they were named for."""
    by_people: dict[str, list[str]] = {}
    for criterion in criteria:
        people = criterion.key_people.strip()
        if people:
            by_people.setdefault(people, []).append(criterion.text)
    return tuple(Interview(people, tuple(texts)) for people, texts in by_people.items())


def _chapter_title(manual: Manual | None, criteria: CriteriaSet, chapter: str, lang: str) -> str:
    if manual is None:
        return chapter
    return manual.chapter_title(chapter, lang, criteria.manual_revision)


def _heading(review: PeerReview, criteria: CriteriaSet, lang: str) -> ReportHeading:
    first = criteria.criteria[0] if criteria.criteria else None
    scale = tuple(
        ScalePoint(level.value, localize(level.label, lang))
        for level in (first.levels if first else ())
    )
    earlier = review.previous
    return ReportHeading(
        review_id=review.id,
        title=review.title,
        host=review.host_name,
        peers=tuple(p.name for p in peer_reviews.peer_parties(review)),
        lang=lang,
        criteria_title=localize(criteria.title, lang),
        evaluation_start=review.evaluation_start,
        evaluation_end=review.evaluation_end,
        scale=scale,
        earlier_review_id=earlier.id if earlier else None,
        earlier_title=earlier.title if earlier else "",
    )


def _earlier_levels(session: Session, review: PeerReview) -> dict[str, float]:
    """{criterion id: the earlier review's final level of the criteria it carries on (their
    mean when it merges several)}; only criteria with an earlier final level."""
    earlier = review.previous
    if earlier is None:
        return {}
    notes = peer_reviews.notes_of(session, earlier)
    found = {}
    for criterion_id, earlier_ids in peer_reviews.earlier_criteria(review).items():
        levels = [_final(notes.get(cid)) for cid in earlier_ids]
        given = [level for level in levels if level is not None]
        if given:
            found[criterion_id] = sum(given) / len(given)
    return found


def _final(note: ReviewNote | None) -> int | None:
    return note.final_level if note else None


def summary_report(
    session: Session, review: PeerReview, lang: str | None = None, *, manual: Manual | None = None
) -> SummaryReport:
    """Final levels, strengths, development areas and actions per chapter and criterion; in
    a re-run the change since the earlier review and each earlier action's follow-up."""
    criteria = peer_reviews.criteria_of(review)
    lang = report_language(review, lang)
    notes = peer_reviews.notes_of(session, review)
    actions = tuple(
        _action_line(a, criteria, lang) for a in peer_reviews.actions_of(session, review)
    )
    host = peer_reviews.host_party(review)
    own = peer_reviews.assessments_by_party(session, review).get(host.id, {}) if host else {}
    mapping = peer_reviews.earlier_criteria(review)
    earlier = _earlier_levels(session, review)
    chapters = []
    for chapter_id, chapter_criteria in criteria.chapters():
        rows = tuple(
            _summary_criterion(
                c, lang, notes.get(c.id), own.get(c.id), actions, mapping.get(c.id, ()), earlier
            )
            for c in chapter_criteria
        )
        chapters.append(
            SummaryChapter(chapter_id, _chapter_title(manual, criteria, chapter_id, lang), rows)
        )
    return SummaryReport(
        heading=_heading(review, criteria, lang),
        published_at=review.published_at,
        chapters=tuple(chapters),
        actions=actions,
        earlier_actions=_follow_up_lines(session, review, lang),
    )


def _summary_criterion(
    criterion: Criterion,
    lang: str,
    note: ReviewNote | None,
    own: ReviewAssessment | None,
    actions: tuple[ActionLine, ...],
    earlier_ids: tuple[str, ...],
    earlier: Mapping[str, float],
) -> SummaryCriterion:
    final = _final(note)
    earlier_level = earlier.get(criterion.id)
    change = final - earlier_level if final is not None and earlier_level is not None else None
    return SummaryCriterion(
        id=criterion.id,
        chapter=criterion.chapter,
        topic=criterion.topic,
        text=localize(criterion.text, lang),
        self_level=own.level if own else None,
        final_level=final,
        final_label=_label(criterion, final, lang),
        strengths=note.strengths if note else "",
        development_areas=note.development_areas if note else "",
        actions=tuple(a for a in actions if a.criterion_id == criterion.id),
        earlier_criteria=earlier_ids,
        earlier_level=earlier_level,
        change=change,
    )


def _action_line(action: ReviewAction, criteria: CriteriaSet, lang: str) -> ActionLine:
    text = ""
    if action.criterion_id:
        try:
            text = localize(criteria.criterion(action.criterion_id).text, lang)
        except KeyError:  # a frozen set never loses a criterion; kept safe all the same
            text = action.criterion_id
    return ActionLine(
        id=action.id,
        position=action.position,
        title=action.title,
        owner=action.owner,
        due_on=action.due_on,
        priority=action.priority,
        criterion_id=action.criterion_id,
        criterion=text,
    )


def _follow_up_lines(session: Session, review: PeerReview, lang: str) -> tuple[FollowUpLine, ...]:
    earlier = review.previous
    if earlier is None:
        return ()
    earlier_criteria = peer_reviews.criteria_of(earlier)
    return tuple(
        FollowUpLine(
            action=_action_line(row.action, earlier_criteria, lang),
            status=row.status,
            explanation=row.explanation,
        )
        for row in peer_reviews.follow_ups(session, review)
    )
