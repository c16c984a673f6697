"""`surveyapp audit`: read the audit log, as columns for people or JSON lines for scripts."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import click
from flask.cli import with_appcontext

from ..db import get_session, utcnow
from ..models import AuditEvent
from ..services import audit
from ..services.rounds import as_utc

DURATION = re.compile(r"(\d+)([mhdw])")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# The actor column is cut here: a long command-line actor would push every action aside.
WHO_WIDTH = 40


def _since(value: str | None) -> dt.datetime | None:
    """A moment from an ISO 8601 date or date and time (UTC unless a zone is given), or a
    duration back from now: 30m, 12h, 7d, 2w."""
    if not value:
        return None
    if found := DURATION.fullmatch(value.strip()):
        return utcnow() - dt.timedelta(**{UNITS[found[2]]: int(found[1])})
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is neither a date and time like 2026-12-01T09:00 nor a duration "
            "like 7d, 12h or 30m",
            param_hint="'--since'",
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _as_json(event: AuditEvent) -> dict[str, Any]:
    at = as_utc(event.at)
    return {
        "id": event.id,
        "at": at.isoformat() if at else None,
        "actor": event.actor_email,
        "actor_id": event.actor_id,
        "address": event.address,
        "action": event.action,
        "target": event.target,
        "detail": event.detail,
    }


def _rows(found: list[AuditEvent]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("when (UTC)", "who", "address", "action", "what")]
    for e in found:
        who = e.actor_email or "-"
        who = who if len(who) <= WHO_WIDTH else who[: WHO_WIDTH - 1] + "…"
        what = f"{e.target}: {e.detail}" if e.detail else e.target
        rows.append((f"{e.at:%Y-%m-%d %H:%M:%S}", who, e.address or "-", e.action, what))
    return rows


def _print_columns(found: list[AuditEvent]) -> None:
    rows = _rows(found)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[4]]).rstrip())


@click.command("audit")
@click.option("--since", help="Only events since then: 2026-05-01, 2026-05-01T09:00, 7d, 12h.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (JSON Lines).")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=200,
    show_default=True,
    help="Show only the newest N events; 0 shows all.",
)
@with_appcontext
def audit_command(since: str | None, as_json: bool, limit: int) -> None:
    """Print the audit log, oldest first (newest last, as a log file reads)."""
    moment = _since(since)
    found = audit.events(get_session(), since=moment, limit=limit or None)
    if as_json:
        for event in found:
            click.echo(json.dumps(_as_json(event), ensure_ascii=False))
    elif not found:
        after = f" since {moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if moment else ""
        click.echo(f"No audit events{after}.")
    else:
        _print_columns(found)
