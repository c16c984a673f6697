"""Dates and decimals of the review pages and PDFs in the page's language (10.5.2027 and 2,5
in Finnish, 10 May 2027 and 2.5 in English), as Jinja filters."""

from __future__ import annotations

import datetime as dt

from flask_babel import format_date, format_decimal

from .blueprint import bp


@bp.app_template_filter("review_date")
def review_date(value: dt.date | None) -> str:
    """A day in the page's language; "" for no day."""
    return "" if value is None else str(format_date(value, format="medium"))


@bp.app_template_filter("review_decimal")
def review_decimal(value: float | None, signed: bool = False) -> str:
    """A figure with one decimal in the page's language; a dash for none; `signed` marks a
    rise with "+" (a change)."""
    if value is None:
        return "–"
    text = str(format_decimal(round(value, 1), format="#,##0.0"))
    return "+" + text if signed and value > 0 else text
