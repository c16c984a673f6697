"""The two blueprints of peer reviews: `review` (the workspace, coordinators only) and
`reviewer` (the personal links `/r/<token>`, public: the token is the credential)."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("review", __name__, url_prefix="/workspace/reviews", template_folder="templates")
links_bp = Blueprint("reviewer", __name__, url_prefix="/r", template_folder="templates")


@bp.after_request
@links_bp.after_request
def _no_store(response: Response) -> Response:
    # The pages hold personal links, names and the review's findings: nobody keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response
