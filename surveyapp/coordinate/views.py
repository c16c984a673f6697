"""The coordinators' workspace: the rounds list and the audit log.

Round and participant pages live in rounds_views.py and participants_views.py; every module
registers its routes on the one `coordinate` blueprint (blueprint.py), re-exported here.
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from ..auth.access import role_required
from ..db import get_session
from ..services import audit, monitor, rounds
from . import participants_views, rounds_views
from .blueprint import bp

__all__ = ["bp", "participants_views", "rounds_views"]


@bp.get("/")
@role_required("editor")
def home() -> ResponseReturnValue:
    db = get_session()
    found = rounds.list_rounds(db)
    ids = [r.id for r in found]
    figures = monitor.round_figures(db, ids)
    open_figures = monitor.open_link_figures(db, ids)
    rows = [(r, rounds.round_state(r), figures[r.id], open_figures.get(r.id)) for r in found]
    return render_template("coordinate/home.html", rows=rows)


@bp.get("/audit")
@role_required("coordinator")
def audit_log() -> ResponseReturnValue:
    events = audit.recent_events(get_session())
    return render_template("coordinate/audit.html", events=events)
