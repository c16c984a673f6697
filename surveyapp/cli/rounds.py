"""`surveyapp round open|list|close|reopen`: survey rounds."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_session
from ..models import Round
from ..services import invitations, monitor, participants, rounds
from ..services.audit import Actor
from ..services.mail import reminders
from .reporting import reports_errors


def _datetime(value: str | None) -> dt.datetime | None:
    """ISO 8601 date and time; without a zone it is read as UTC."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is not a date and time like 2026-12-01T09:00"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@click.group("round")
def round_group() -> None:
    """Open, list, close and reopen survey rounds."""


@round_group.command("open")
@click.argument("survey_id")
@click.option("--revision", required=True, help="The manual revision this round tests, e.g. 0.3.")
@click.option("--opens", help="Opening time (ISO 8601; UTC unless a zone is given).")
@click.option("--closes", help="Closing time (ISO 8601; UTC unless a zone is given).")
@click.option(
    "--anonymous", is_flag=True, help="No export, page or log ties an answer to a person."
)
@click.option("--open-link", is_flag=True, help="Also create one open link for anyone.")
@click.option("--group", "groups", multiple=True, help="Invite this group's participants.")
@click.option(
    "--allow-incomplete",
    "allow_incomplete",
    multiple=True,
    metavar="LANG",
    help="Offer this language although some of its translations are stale or missing; "
    "those texts show in the source language, and the pages say so.",
)
@with_appcontext
@reports_errors
def round_open_command(
    survey_id: str,
    revision: str,
    opens: str | None,
    closes: str | None,
    anonymous: bool,
    open_link: bool,
    groups: tuple[str, ...],
    allow_incomplete: tuple[str, ...],
) -> None:
    """Open a round of SURVEY_ID for a manual revision; prints the round id last.

    Refused while a language of the survey has stale or missing translations (see
    `surveyapp check`), unless that language is given with --allow-incomplete."""
    db = get_session()
    round_ = rounds.open_round(
        db,
        current_app.extensions["surveys"],
        survey_id,
        revision,
        opens_at=_datetime(opens),
        closes_at=_datetime(closes),
        is_anonymous=anonymous,
        open_link=open_link,
        groups=groups,
        allow_incomplete=allow_incomplete,
        actor=Actor.from_os(),
    )
    db.commit()
    for lang in allow_incomplete:
        click.echo(f"Note: '{lang}' is offered incomplete: some texts show in the source language.")
    _report_opened(round_, survey_id, revision, groups)


def _report_opened(round_: Round, survey_id: str, revision: str, groups: tuple[str, ...]) -> None:
    """What was opened, a warning per empty group, the open link, and the id last."""
    db = get_session()
    invited = monitor.round_figures(db, [round_.id])[round_.id].invited
    click.echo(
        f"Opened round {round_.id}: {survey_id}, manual revision {revision}, "
        f"{invited} participant(s) invited."
    )
    known = dict(participants.list_groups(db))
    for group in groups:
        if not known.get(group):
            # A misspelt group would otherwise pass unnoticed as "0 invited".
            click.echo(f"Warning: no participant is in group {group!r}.", err=True)
    if round_.open_link_token:
        click.echo(
            "Open link: "
            + invitations.open_link(current_app.config["BASE_URL"], round_.open_link_token)
        )
    click.echo(str(round_.id))


@round_group.command("list")
@with_appcontext
@reports_errors
def round_list_command() -> None:
    """List rounds with their status and response counts."""
    db = get_session()
    found = rounds.list_rounds(db)
    if not found:
        click.echo("No rounds yet. Open one with: surveyapp round open SURVEY_ID --revision REV")
        return
    ids = [r.id for r in found]
    personal, anyone = monitor.round_figures(db, ids), monitor.open_link_figures(db, ids)
    click.echo(
        f"{'id':>4}  {'survey':<20} {'revision':<9} {'status':<13} "
        "invited started submitted  open link started/submitted"
    )
    for r in found:
        f, o = personal[r.id], anyone.get(r.id)
        extra = f"  {o.started}/{o.submitted}" if o else ""
        if r.personal_data_purged_at is not None:
            # Retention detached every response from its invitation: they are not open-link ones.
            kept = o.submitted if o else 0
            purged = r.personal_data_purged_at.date().isoformat()
            extra = f"  personal data deleted {purged}; {kept} submitted kept, linked to no one"
        click.echo(
            f"{r.id:>4}  {r.survey_id:<20} {r.revision:<9} {rounds.round_state(r):<13} "
            f"{f.invited:>7} {f.started:>7} {f.submitted:>9}{extra}"
        )


def _round_change_command(name: str, change: rounds.RoundChange, done: str, about: str) -> None:
    """Register `surveyapp round NAME ROUND_ID`, which makes `change` through the same service
    function as the workspace's button; close and reopen differ only in these arguments."""

    @round_group.command(name, help=about)
    @click.argument("round_id")
    @with_appcontext
    @reports_errors
    def command(round_id: str) -> None:
        db = get_session()
        round_ = rounds.get_round(db, round_id)
        change(db, round_, actor=Actor.from_os())
        db.commit()
        click.echo(f"{done} round {round_.id} ({round_.survey_id} {round_.revision}).")


_round_change_command("close", rounds.close_round, "Closed", "Close a round; every answer is kept.")
_round_change_command("reopen", rounds.reopen_round, "Reopened", "Reopen a closed round.")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date like 2026-12-01") from error


@round_group.command("reminders")
@click.argument("round_id")
@click.option(
    "--on",
    "dates",
    multiple=True,
    help="A reminder date (YYYY-MM-DD, UTC); repeat for several. Replaces the dates not sent.",
)
@click.option("--none", "clear", is_flag=True, help="Remove every reminder date not sent yet.")
@with_appcontext
@reports_errors
def round_reminders_command(round_id: str, dates: tuple[str, ...], clear: bool) -> None:
    """Show or set the dates on which `surveyapp mail due` reminds those who have not
    submitted."""
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    if dates or clear:
        reminders.set_reminders(db, round_, [_date(d) for d in dates], actor=Actor.from_os())
        db.commit()
    found = reminders.list_reminders(db, round_)
    if not found:
        click.echo(f"Round {round_.id} has no reminder dates.")
        return
    click.echo(f"Reminder dates of round {round_.id}:")
    for r in found:
        state = "sent" if r.batch_id else ("done (nobody to remind)" if r.claimed_at else "due")
        if r.claimed_at is None and r.due_on > reminders.today():
            state = "waiting"
        click.echo(f"  {r.due_on.isoformat()}  {state}")
