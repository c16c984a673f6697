"""The results of a round for editors: the dashboard (the Excel summary is in export_views.py).

Both modules register their routes on the one `results` blueprint (blueprint.py), re-exported
here.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue

from ..analysis.anonymity import min_count
from ..analysis.filters import parse_filters
from ..auth.access import role_required
from ..db import get_session
from ..services.rounds import round_survey
from ..web.lookups import manual, round_or_404
from . import data, export_views, report
from .blueprint import bp, interface_lang, survey_lang

__all__ = ["bp", "export_views", "report"]


@bp.get("/rounds/<id:round_id>/results")
@role_required("editor")
def dashboard(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    survey = round_survey(round_)
    filters = parse_filters(survey, round_.is_anonymous, request.args, list(survey.languages))
    limit = min_count(current_app.config)
    lang = survey_lang(round_)
    ui_lang = interface_lang()
    compare_with = request.args.get("compare", type=int)
    found = data.dashboard(
        get_session(),
        round_,
        lang,
        filters,
        limit,
        manual(),
        ui_lang=ui_lang,
        compare_with=compare_with,
    )
    # parse_filters drops them: an anonymous round's answers are tied to no participant.
    by_person = round_.is_anonymous and any(request.args.get(k) for k in ("group", "country"))
    return render_template(
        "results/dashboard.html",
        round=round_,
        d=found,
        chart=data,
        limit=limit,
        person_filter_refused=by_person,
        # Survey texts not in the interface's language are marked as such (WCAG 3.1.2).
        text_lang=lang if lang != ui_lang else "",
    )
