"""The one `coordinate` blueprint that every workspace view module registers its routes on."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response

from ..services import rounds

bp = Blueprint("coordinate", __name__, url_prefix="/workspace", template_folder="templates")


@bp.after_request
def _no_store(response: Response) -> Response:
    # Workspace pages hold personal data and links (credentials): no browser or proxy keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("workspace_time")
def workspace_time(moment: dt.datetime) -> str:
    """A stored time as the workspace shows it: UTC, to the minute."""
    utc = rounds.as_utc(moment)
    return utc.strftime("%Y-%m-%d %H:%M UTC") if utc else ""
