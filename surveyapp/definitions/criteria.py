"""Frozen dataclasses that describe a peer review's criteria set (criteria/<id>.yaml).

A criterion belongs to a chapter (and maybe a topic) of the manual and has a maturity scale
whose every point is described for it. A review freezes its set as plain data
(criteria_to_data), as a round freezes its survey, so later edits of the file never change
a review under way. docs/peer-review.md describes the file format.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from surveyapp.definitions.schema import LangText


@dataclass(frozen=True)
class Level:
    """One point of a criterion's maturity scale: the scale's label and what the point
    means for this criterion."""

    value: int
    label: LangText
    description: LangText


@dataclass(frozen=True)
class Criterion:
    id: str
    chapter: str
    topic: str | None
    text: LangText
    guidance: LangText
    levels: tuple[Level, ...]
    # Ids of the previous criteria set's criteria this one continues (a re-run maps
    # results and actions through them).
    continues: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    title: LangText
    manual_revision: str
    languages: tuple[str, ...]
    criteria: tuple[Criterion, ...]

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def chapters(self) -> Iterator[tuple[str, tuple[Criterion, ...]]]:
        """(chapter id, its criteria) in the order the chapters first appear."""
        order = list(dict.fromkeys(c.chapter for c in self.criteria))
        for chapter in order:
            yield chapter, tuple(c for c in self.criteria if c.chapter == chapter)


def criteria_to_data(criteria: CriteriaSet) -> dict[str, Any]:
    """The set as JSON-ready data (a review's frozen copy)."""
    return {
        "id": criteria.id,
        "title": dict(criteria.title),
        "manual_revision": criteria.manual_revision,
        "languages": list(criteria.languages),
        "criteria": [
            {
                "id": c.id,
                "chapter": c.chapter,
                "topic": c.topic,
                "text": dict(c.text),
                "guidance": dict(c.guidance),
                "levels": [
                    {
                        "value": lv.value,
                        "label": dict(lv.label),
                        "description": dict(lv.description),
                    }
                    for lv in c.levels
                ],
                "continues": list(c.continues),
            }
            for c in criteria.criteria
        ],
    }


def _text(value: Mapping[str, str]) -> LangText:
    return {str(k): str(v) for k, v in value.items()}


def criteria_from_data(data: Mapping[str, Any]) -> CriteriaSet:
    """A set back from criteria_to_data's shape."""
    return CriteriaSet(
        id=str(data["id"]),
        title=_text(data["title"]),
        manual_revision=str(data["manual_revision"]),
        languages=tuple(data["languages"]),
        criteria=tuple(
            Criterion(
                id=str(c["id"]),
                chapter=str(c["chapter"]),
                topic=c.get("topic"),
                text=_text(c["text"]),
                guidance=_text(c["guidance"]),
                levels=tuple(
                    Level(int(lv["value"]), _text(lv["label"]), _text(lv["description"]))
                    for lv in c["levels"]
                ),
                continues=tuple(c.get("continues", ())),
            )
            for c in data["criteria"]
        ),
    )
