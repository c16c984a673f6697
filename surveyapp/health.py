"""GET /healthz: 200 with the database reachable, 503 otherwise."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .db import database_is_reachable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    if database_is_reachable():
        return jsonify(status="ok", database="ok"), 200
    return jsonify(status="error", database="unreachable"), 503
