"""The `surveyapp` command group; each command calls services and prints what it did."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
from flask import Flask, current_app, has_app_context
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .cli_audit import audit_command
from .cli_export import export_command
from .cli_privacy import forget_command, retention_group
from .config import ConfigError, surveys_dir
from .csv_output import LINK_HEADER, csv_text
from .db import get_session
from .definitions import check_paths, schema_text
from .errors import SurveyAppError
from .files import write_atomically
from .jobs import downloads
from .services import demo, invitations, monitor, participants, rounds, users
from .services.audit import Actor

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into click's one-line message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SurveyAppError as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def register(app: Flask) -> None:
    """Attach the commands to the app's own group, so `flask --app surveyapp` has them too."""
    for command in (
        init_command,
        check_command,
        schema_command,
        round_group,
        participants_group,
        links_command,
        demo_command,
        user_group,
        export_command,
        retention_group,
        audit_command,
    ):
        app.cli.add_command(command)


@click.command("init")
@with_appcontext
@reports_errors
def init_command() -> None:
    """Create the database or upgrade it to the latest schema."""
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = current_app.extensions["engine"]
    from . import migrate  # Alembic: only this command needs it

    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {where} is up to date (revision {after}).")
    else:
        click.echo(f"Database {where} upgraded from {before or 'empty'} to revision {after}.")


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@reports_errors
def check_command(paths: tuple[str, ...]) -> None:
    """Validate survey definitions (files or folders; default: SURVEYS_DIR)."""
    # No app is built for it (`surveyapp check` starts in a fraction of a second, needs no
    # database or SECRET_KEY), so an editor's pre-commit hook or CI job stays quick.
    default = current_app.config["SURVEYS_DIR"] if has_app_context() else surveys_dir()
    targets = list(paths) or [default]
    report = check_paths(targets)
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        files = len({p.path for p in report.problems})
        # The count closes the report on stdout; the one-line reason goes to stderr.
        count = f"{len(report.problems)} problem(s) in {files} file(s)"
        click.echo(f"{count}; {report.files} file(s) checked.")
        raise click.ClickException(f"the survey definitions have {count}")
    questions = sum(len(s.questions) for s in report.surveys)
    click.echo(f"OK: {len(report.surveys)} survey(s), {questions} question(s), no problems.")


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the survey format (for editors' YAML tooling)."""
    click.echo(schema_text())


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
) -> None:
    """Open a round of SURVEY_ID for a manual revision; prints the round id last."""
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
        actor=Actor.from_os(),
    )
    db.commit()
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


@round_group.command("close")
@click.argument("round_id")
@with_appcontext
@reports_errors
def round_close_command(round_id: str) -> None:
    """Close a round; every answer is kept."""
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    rounds.close_round(db, round_, actor=Actor.from_os())
    db.commit()
    click.echo(f"Closed round {round_.id} ({round_.survey_id} {round_.revision}).")


@round_group.command("reopen")
@click.argument("round_id")
@with_appcontext
@reports_errors
def round_reopen_command(round_id: str) -> None:
    """Reopen a closed round."""
    db = get_session()
    round_ = rounds.get_round(db, round_id)
    rounds.reopen_round(db, round_, actor=Actor.from_os())
    db.commit()
    click.echo(f"Reopened round {round_.id} ({round_.survey_id} {round_.revision}).")


@click.group("participants")
def participants_group() -> None:
    """Manage the participant list."""


participants_group.add_command(forget_command)


@participants_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--group", help="Put every imported participant in this group.")
@with_appcontext
@reports_errors
def participants_import_command(file: str, group: str | None) -> None:
    """Import or update participants from a CSV file (by email)."""
    db = get_session()
    data = Path(file).read_bytes()
    report = participants.import_participants(
        db, data, group=group, file_name=file, actor=Actor.from_os()
    )
    for problem in report.problems:
        click.echo(f"{file}:{problem.line}: {problem.message}")
    for warning in report.warnings:
        click.echo(f"{file}: {warning}")
    if report.is_fatal or not (report.created or report.updated or report.unchanged):
        db.rollback()
        raise click.ClickException(f"no participant imported from {file}")
    db.commit()
    click.echo(
        f"Imported {file}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} row(s) skipped."
    )


@click.command("links")
@click.argument("round_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this CSV file.")
@with_appcontext
@reports_errors
def links_command(round_id: str, output: str | None) -> None:
    """Personal links of a round as CSV (name,email,language,link) for mail merge; the
    download is recorded in the audit log."""
    db = get_session()
    round_, base_url = rounds.get_round(db, round_id), current_app.config["BASE_URL"]
    rows = downloads.personal_links(db, round_, base_url, actor=Actor.from_os())
    db.commit()  # recorded before any link is handed out
    text = csv_text(LINK_HEADER, ([r.name, r.email, r.language, r.link] for r in rows))
    if output:
        # Plain UTF-8, no byte-order mark: mail-merge tools and scripts read the header as
        # written. (The workspace's download carries one, for Excel.)
        write_atomically(Path(output), text.encode("utf-8"))
        click.echo(f"Wrote {len(rows)} link(s) to {output}.")
    else:
        click.echo(text, nl=False)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when rounds already exist.")
@with_appcontext
@reports_errors
def demo_command(if_empty: bool) -> None:
    """Sample participants, rounds of manual revisions 0.3 and 0.4, and answers."""
    db = get_session()
    base = current_app.config["BASE_URL"]
    if if_empty and rounds.list_rounds(db):
        click.echo("Rounds exist already; demo data not added (see: surveyapp round list).")
        try_links = demo.links_to_try(db)
    else:
        result = demo.build_demo(db, current_app.extensions["surveys"], actor=Actor.from_os())
        db.commit()
        click.echo(
            f"Demo: {result.participants} participants, rounds {result.round_ids}, "
            f"{result.submitted} submitted and {result.drafts} half-done responses."
        )
        try_links = result.try_links
    accounts = demo.reset_demo_accounts(db, actor=Actor.from_os())
    db.commit()
    if try_links:
        click.echo("Links to answer the newest round:")
    for label, token in try_links:
        click.echo(f"  {label}: {invitations.personal_link(base, token)}")
    click.echo(f"Log in to the workspace at {base}/login (new passwords on every run):")
    for email, role, password in accounts:
        click.echo(f"  {role}: {email}  password: {password}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("user")
def user_group() -> None:
    """Accounts of coordinators and editors."""


@user_group.command("add")
@click.argument("email")
# A plain option, not click.Choice: a wrong role is one line from users.add_user, not usage help.
@click.option("--role", metavar="coordinator|editor", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@reports_errors
def user_add_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account for EMAIL."""
    users.check_role(role)  # before asking for a password
    db = get_session()
    password = _read_password(password_stdin)
    user = users.add_user(db, email, role, password, actor=Actor.from_os())
    db.commit()
    click.echo(f"Added {role} {user.email}. Log in at {current_app.config['BASE_URL']}/login")


@user_group.command("passwd")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@reports_errors
def user_passwd_command(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; the account's other sessions end."""
    db = get_session()
    password = _read_password(password_stdin)
    user = users.set_password(db, email, password, actor=Actor.from_os())
    db.commit()
    click.echo(f"Changed the password of {user.email}.")


@user_group.command("list")
@with_appcontext
def user_list_command() -> None:
    """List accounts."""
    found = users.list_users(get_session())
    if not found:
        click.echo("No accounts yet. Add one with: surveyapp user add EMAIL --role coordinator")
    for user in found:
        state = "" if user.is_active else " (disabled)"
        click.echo(f"{user.role:<12} {user.email}{state}")


cli = FlaskGroup(name="surveyapp", create_app=create_app, help=__doc__)
# Found before the app's own commands, so these two run without building the app.
cli.add_command(check_command)
cli.add_command(schema_command)


def main() -> None:
    try:
        cli.main()
    except ConfigError as error:  # raised while the app is built, before click can report it
        sys.exit(f"Error: {error}")
