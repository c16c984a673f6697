"""The results of a round for editors: the dashboard and the Excel summary download."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, send_file
from flask.typing import ResponseReturnValue

from ..analysis.export_xlsx import write_summary
from ..analysis.filters import parse_filters
from ..auth.access import role_required
from ..cli_export import default_path
from ..coordinate.common import record, round_or_404, writing_session
from ..db import get_session
from ..models import Round
from ..services.rounds import round_survey
from . import data

bp = Blueprint("results", __name__, url_prefix="/workspace", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.after_request
def _no_store(response: Response) -> Response:
    # Results hold answers (and, outside anonymous rounds, who gave them): never cached.
    response.headers["Cache-Control"] = "no-store"
    return response


def _survey_lang(round_: Round) -> str:
    """`?lang=` if the survey has that language, else the survey's first."""
    languages = round_survey(round_).languages
    lang = request.args.get("lang", "")
    return lang if lang in languages else languages[0]


@bp.get("/rounds/<int:round_id>/results")
@role_required("editor")
def dashboard(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    survey = round_survey(round_)
    filters = parse_filters(survey, round_.is_anonymous, request.args, list(survey.languages))
    found = data.dashboard(get_session(), round_, _survey_lang(round_), filters)
    return render_template("results/dashboard.html", round=round_, d=found, chart=data)


@bp.get("/rounds/<int:round_id>/results.xlsx")
@role_required("editor")
def download(round_id: int) -> ResponseReturnValue:
    db = writing_session()
    round_ = round_or_404(round_id)
    lang = _survey_lang(round_)
    path = default_path(current_app.config["EXPORTS_DIR"], round_.id, round_.revision, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    result = write_summary(db, round_, path, lang)
    record("export", f"round {round_.id}", f"xlsx in {lang}: {result.submitted} responses")
    db.commit()
    return send_file(path.resolve(), mimetype=XLSX, as_attachment=True, download_name=path.name)
