"""The pages about one round, in whichever blueprint: each shows the round and its survey."""

from __future__ import annotations

from typing import Any

from flask import render_template

from ..models import Round
from ..services.rounds import round_survey


def render_round_page(template: str, round_: Round, **context: Any) -> str:
    """`template` given `round` and `survey`, the definition the round froze, besides `context`."""
    return render_template(template, round=round_, survey=round_survey(round_), **context)
