"""The one `results` blueprint that the dashboard and the export views register on."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import get_locale

from ..models import Round
from ..services.rounds import round_survey

bp = Blueprint("results", __name__, url_prefix="/workspace", template_folder="templates")


@bp.after_request
def _no_store(response: Response) -> Response:
    # Results hold answers (and, outside anonymous rounds, who gave them): never cached.
    response.headers["Cache-Control"] = "no-store"
    return response


def interface_lang() -> str:
    return str(get_locale() or "en")


def survey_lang(round_: Round) -> str:
    """`lang` from the query or form if the survey has that language, else the interface's
    language if the survey has it, else the survey's first."""
    languages = round_survey(round_).languages
    # `text_lang` (the dashboard's own control) is not the interface language: `?lang=` on any
    # page chooses that (i18n.remember_choice). `lang` still works for older links.
    for lang in (
        request.values.get("text_lang", ""),
        request.values.get("lang", ""),
        interface_lang(),
    ):
        if lang in languages:
            return lang
    return languages[0]
