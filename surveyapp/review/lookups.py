"""What the review pages look up: a review or 404, its frozen criteria set, the criteria
registry of the app, and the chapters' titles in a language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app

from ..db import get_session
from ..definitions.criteria import CriteriaSet, Criterion, criteria_from_data
from ..definitions.criteria_registry import CriteriaRegistry, default_criteria_dir
from ..review_models import PeerReview
from ..web.lookups import chapter_titles


def review_or_404(review_id: int) -> PeerReview:
    found = get_session().get(PeerReview, review_id)
    if found is None:
        abort(404)
    return found


def review_criteria(review: PeerReview) -> CriteriaSet:
    """The set the review froze when it was created."""
    return criteria_from_data(review.criteria)


def criterion_or_404(criteria: CriteriaSet, criterion_id: str) -> Criterion:
    try:
        return criteria.criterion(criterion_id)
    except KeyError:
        abort(404)


def criteria_registry() -> CriteriaRegistry:
    """The app's criteria sets: CRITERIA_DIR, by default `criteria` beside SURVEYS_DIR."""
    registry = current_app.extensions.get("criteria")
    if registry is None:
        folder = current_app.config.get("CRITERIA_DIR") or default_criteria_dir(
            current_app.config["SURVEYS_DIR"]
        )
        registry = current_app.extensions["criteria"] = CriteriaRegistry(Path(folder))
    found: CriteriaRegistry = registry
    return found


def chapters_of(criteria: CriteriaSet, lang: str) -> list[dict[str, Any]]:
    """The set's chapters in order, each with its title in `lang` and its criteria."""
    titles = chapter_titles(lang, criteria.manual_revision)
    return [
        {"id": chapter, "title": titles.get(chapter, chapter), "criteria": found}
        for chapter, found in criteria.chapters()
    ]
