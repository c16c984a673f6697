"""The read API, /api/v1/: rounds, their results, feedback reports and codebooks as JSON.

Every endpoint but the OpenAPI document needs an editor's or coordinator's token (auth.py).
Nothing answers with one person's answers: see payloads.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from ..analysis.anonymity import min_count
from ..analysis.filters import parse_filters
from ..db import get_session
from ..errors import UnknownRound
from ..models import Round
from ..services import rounds
from ..web.lookups import manual
from . import payloads
from .auth import error, token_required
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _no_store(response: Response) -> Response:
    # Results and reports are for the token's holder only: no browser or proxy keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response


class _NoRound(Exception):
    pass


@bp.errorhandler(_NoRound)
def _no_round(_error: _NoRound) -> Response:
    return error(404, "there is no such round")


def _round(round_id: int) -> Round:
    try:
        return rounds.get_round(get_session(), round_id)
    except UnknownRound as missing:
        raise _NoRound from missing


def _lang(round_: Round) -> str:
    """`?lang=` if the round's survey has that language, else its first language."""
    languages = rounds.round_survey(round_).languages
    lang = request.args.get("lang", "")
    return lang if lang in languages else languages[0]


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API; needs no token."""
    return jsonify(document())


@bp.get("/rounds")
@token_required("editor")
def rounds_list() -> ResponseReturnValue:
    return jsonify(payloads.rounds_list(get_session(), rounds.list_rounds(get_session())))


@bp.get("/rounds/<id:round_id>/results")
@token_required("editor")
def results(round_id: int) -> ResponseReturnValue:
    round_ = _round(round_id)
    survey = rounds.round_survey(round_)
    # Only the response language and one answer: a group or country is about people.
    args = {k: request.args.get(k, "") for k in ("language", "q")}
    filters = parse_filters(survey, True, args, list(survey.languages))
    limit = min_count(current_app.config)
    found = payloads.results(get_session(), round_, _lang(round_), filters, limit, manual())
    return jsonify(found)


@bp.get("/rounds/<id:round_id>/you-said-we-did")
@token_required("editor")
def you_said_we_did(round_id: int) -> ResponseReturnValue:
    round_ = _round(round_id)
    return jsonify(payloads.feedback_report(get_session(), round_, _lang(round_), manual()))


@bp.get("/rounds/<id:round_id>/codebook")
@token_required("editor")
def codebook(round_id: int) -> ResponseReturnValue:
    return jsonify(payloads.codebook(_round(round_id), manual()))
