"""The one `results` blueprint that the dashboard and the export views register on."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..models import Round
from ..services.rounds import round_survey

bp = Blueprint("results", __name__, url_prefix="/workspace", template_folder="templates")


@bp.after_request
def _no_store(response: Response) -> Response:
    # Results hold answers (and, outside anonymous rounds, who gave them): never cached.
    response.headers["Cache-Control"] = "no-store"
    return response


def survey_lang(round_: Round) -> str:
    """`lang` from the query or form if the survey has that language, else the survey's first."""
    languages = round_survey(round_).languages
    lang = request.values.get("lang", "")
    return lang if lang in languages else languages[0]
