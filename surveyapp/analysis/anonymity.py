"""What the results of an anonymous round may show: small counts hidden, small filters refused.

In a breakdown of an anonymous round (the monitor by group or country, a filtered dashboard)
a count from 1 to ANONYMITY_MIN_COUNT - 1 may be one person, so it shows as "fewer than N".
Zero is shown as it is: it tells nothing about anyone. Totals of the whole round are shown
as they are. Rounds that are not anonymous are never touched here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Response, Round
from ..services.monitor import Figures
from .filters import Filters, matching_responses
from .tidy import submitted_count

DEFAULT_MIN_COUNT = 5


@dataclass(frozen=True)
class FewerThan:
    """A count too small to show; pages say "fewer than `limit`"."""

    limit: int


@dataclass(frozen=True)
class Withheld:
    """A count hidden only so that a small one beside it cannot be worked out; "not shown"."""


Count = int | FewerThan | Withheld


def min_count(config: Mapping[str, Any]) -> int:
    """ANONYMITY_MIN_COUNT from the app's configuration."""
    return int(config.get("ANONYMITY_MIN_COUNT") or DEFAULT_MIN_COUNT)


def shown(count: int, limit: int) -> Count:
    """The count, or FewerThan(limit) when it is 1 to limit - 1."""
    return FewerThan(limit) if 0 < count < limit else count


def shown_counts(counts: list[int], limit: int) -> list[Count]:
    """A distribution's counts as shown: 1 to limit - 1 hidden, and when only one is hidden,
    the smallest other non-zero count withheld too, or the hidden one would be the total
    minus the others."""
    result = [shown(count, limit) for count in counts]
    hidden = [i for i, count in enumerate(result) if is_hidden(count)]
    others = [i for i, count in enumerate(counts) if count > 0 and i not in hidden]
    if len(hidden) == 1 and others:
        result[min(others, key=lambda i: counts[i])] = Withheld()
    return result


def is_hidden(count: Count) -> bool:
    return not isinstance(count, int)


@dataclass(frozen=True)
class ShownFigures:
    """A row of the monitor as an anonymous round shows it.

    Who was invited is not an answer, so `invited` is exact; the rate is hidden with the
    submitted count, which it would give away.
    """

    invited: int
    started: Count
    submitted: Count
    rate: float | None
    rate_hidden: bool


def shown_figures(figures: Figures, limit: int) -> ShownFigures:
    submitted = shown(figures.submitted, limit)
    hidden = is_hidden(submitted)
    rate = None if hidden else figures.rate
    return ShownFigures(figures.invited, shown(figures.started, limit), submitted, rate, hidden)


def shown_breakdown(rows: list[tuple[str, Figures]], limit: int) -> list[tuple[str, ShownFigures]]:
    """The monitor's rows by group or country, small counts hidden."""
    return [(name, shown_figures(figures, limit)) for name, figures in rows]


@dataclass(frozen=True)
class FilterCheck:
    """The filters a dashboard may apply; `refused` says why the asked ones were not."""

    filters: Filters
    refused: bool = False


def check_filters(session: Session, round_: Round, filters: Filters, limit: int) -> FilterCheck:
    """Refuse, in an anonymous round, filters that select fewer than `limit` responses or
    leave fewer than `limit` out (the rest could be read off as all minus the selection),
    and any two filters at once: A and B could each pass while A minus (A and B) is one
    person, read off as the difference of two pages."""
    if not round_.is_anonymous or filters.is_empty:
        return FilterCheck(filters)
    if filters.dimensions > 1:
        return FilterCheck(Filters(), refused=True)
    selected = submitted_count(session, round_.id, responses=matching_responses(round_, filters))
    left_out = submitted_count(session, round_.id) - selected
    if selected < limit or 0 < left_out < limit:
        return FilterCheck(Filters(), refused=True)
    return FilterCheck(filters)


def usable_languages(
    session: Session, round_: Round, languages: list[str], limit: int
) -> list[str]:
    """The response languages an anonymous round's dashboard may offer as filters: those
    that pass check_filters' rule (all of them in other rounds)."""
    if not round_.is_anonymous:
        return languages
    query = (
        select(Response.language, func.count())
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .group_by(Response.language)
    )
    counts = {language: int(n) for language, n in session.execute(query)}
    total = sum(counts.values())

    def usable(count: int) -> bool:
        return count >= limit and (count == total or total - count >= limit)

    return [code for code in languages if usable(counts.get(code, 0))]
