"""The coordinators' workspace: rounds, participants, monitoring, the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from ..auth.access import role_required
from ..db import get_session
from ..services import audit, rounds

bp = Blueprint("coordinate", __name__, url_prefix="/workspace", template_folder="templates")


@bp.get("/")
@role_required("editor")
def home() -> ResponseReturnValue:
    db = get_session()
    found = rounds.list_rounds(db)
    rows = [(r, rounds.round_state(r), rounds.round_counts(db, r)) for r in found]
    return render_template("coordinate/home.html", rows=rows)


@bp.get("/participants")
@role_required("coordinator")
def participants() -> ResponseReturnValue:
    return render_template("coordinate/participants.html")


@bp.get("/audit")
@role_required("coordinator")
def audit_log() -> ResponseReturnValue:
    events = audit.recent_events(get_session())
    return render_template("coordinate/audit.html", events=events)
