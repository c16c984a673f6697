"""The peer review reports' rows as frozen dataclasses (built by peer_review_reports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class PeerView:
    """One peer organisation's score of a criterion."""

    party: str
    level: int | None
    level_label: str
    observations: str
    questions: str


@dataclass(frozen=True)
class PreCriterion:
    id: str
    chapter: str
    topic: str | None
    text: str
    guidance: str
    self_level: int | None
    self_label: str
    evidence: str
    links: str
    key_people: str
    peers: tuple[PeerView, ...]
    spread: int | None  # highest minus lowest of every level given (host's and peers')
    divergence: float | None  # the largest distance of a peer's level from the host's
    earlier_level: float | None  # in a re-run: the earlier final level (mean if merged)


@dataclass(frozen=True)
class PreChapter:
    id: str
    title: str
    criteria: tuple[PreCriterion, ...]


@dataclass(frozen=True)
class Interview:
    """People the host proposes to meet, and the criteria to talk about with them."""

    people: str
    criteria: tuple[str, ...]  # the criteria's texts


@dataclass(frozen=True)
class ReportHeading:
    review_id: int
    title: str
    host: str
    peers: tuple[str, ...]
    lang: str
    criteria_title: str
    evaluation_start: dt.date
    evaluation_end: dt.date
    scale: tuple[ScalePoint, ...]
    earlier_review_id: int | None  # set in a re-run
    earlier_title: str


@dataclass(frozen=True)
class PreReport:
    heading: ReportHeading
    chapters: tuple[PreChapter, ...]
    most_divergent: tuple[PreCriterion, ...]  # largest divergence first; only those above 0
    interviews: tuple[Interview, ...]


@dataclass(frozen=True)
class ActionLine:
    id: int
    position: int
    title: str
    owner: str
    due_on: dt.date | None
    priority: str  # high, medium, low
    criterion_id: str | None
    criterion: str  # the criterion's text, "" for an action of the whole review


@dataclass(frozen=True)
class SummaryCriterion:
    id: str
    chapter: str
    topic: str | None
    text: str
    self_level: int | None
    final_level: int | None
    final_label: str
    strengths: str
    development_areas: str
    actions: tuple[ActionLine, ...]
    earlier_criteria: tuple[str, ...]  # in a re-run: the earlier criteria's ids
    earlier_level: float | None  # their final level (the mean when several)
    change: float | None  # final level minus earlier level


@dataclass(frozen=True)
class SummaryChapter:
    id: str
    title: str
    criteria: tuple[SummaryCriterion, ...]


@dataclass(frozen=True)
class FollowUpLine:
    """An earlier action and what the host says became of it."""

    action: ActionLine
    status: str | None  # done, in_progress, not_started, dropped; None: no answer yet
    explanation: str


@dataclass(frozen=True)
class SummaryReport:
    heading: ReportHeading
    published_at: dt.datetime | None
    chapters: tuple[SummaryChapter, ...]
    actions: tuple[ActionLine, ...]
    earlier_actions: tuple[FollowUpLine, ...]
