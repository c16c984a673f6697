"""Every view module of the peer review pages, imported so their routes are registered;
surveyapp.app registers `bp` and `links_bp` and hands `CSRF_PAGES` to the error pages."""

from __future__ import annotations

from . import (  # noqa: F401  # imported for their routes and filters
    action_views,
    agenda_views,
    followup_views,
    formats,
    link_views,
    notes_views,
    report_views,
    rerun_views,
    workspace_views,
)
from .blueprint import bp, links_bp
from .expired_form import CSRF_PAGES

__all__ = ["CSRF_PAGES", "bp", "links_bp"]
