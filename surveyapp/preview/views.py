"""Home page and a read-only preview of every survey definition, in any of its languages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..definitions import Survey
from ..definitions.registry import SurveyRegistry
from ..i18n import choose_language, use_language

bp = Blueprint("preview", __name__, template_folder="templates")


def _registry() -> SurveyRegistry:
    registry: SurveyRegistry = current_app.extensions["surveys"]
    return registry


def preview_is_open() -> bool:
    """Until accounts exist, previews are shown only in development (README: Preview)."""
    config = current_app.config
    return bool(config["DEBUG"] or config["TESTING"] or config["PREVIEW_OPEN"])


@bp.get("/")
def home() -> ResponseReturnValue:
    surveys = _registry().all() if preview_is_open() else []
    return render_template("preview/home.html", surveys=surveys, preview_open=preview_is_open())


@bp.get("/preview/<survey_id>")
def survey(survey_id: str) -> ResponseReturnValue:
    if not preview_is_open():
        abort(404)
    definition = _registry().get(survey_id)
    lang = choose_language(definition.languages, explicit=request.args.get("lang"))
    use_language(lang)
    page = request.args.get("page", default=1, type=int)
    if not 1 <= page <= len(definition.sections):
        abort(404)
    return render_template(
        "preview/page.html",
        survey=definition,
        section=definition.sections[page - 1],
        page=page,
        lang=lang,
        lang_url=lambda code: _page_url(definition, page, code),
        page_url=lambda n: _page_url(definition, n, lang),
    )


def _page_url(definition: Survey, page: int, lang: str) -> str:
    return url_for("preview.survey", survey_id=definition.id, page=page, lang=lang)
