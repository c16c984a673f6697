"""`surveyapp participants forget` and `surveyapp retention apply`: data protection."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_session
from ..errors import SurveyAppError
from ..models import Participant
from ..services import privacy
from ..services.audit import Actor


@click.command("forget")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def forget_command(email: str, yes: bool) -> None:
    """Erase the participant with EMAIL (any case): their details, links, mail records and
    answers; answers in anonymous rounds stay, linked to no one. Recorded in the audit log."""
    db = get_session()
    try:
        person = privacy.find_participant(db, email)
        if not yes:
            _ask(person, privacy.erasure_preview(db, person))
        erasure = privacy.forget_participant(db, person, actor=Actor.from_os())
    except SurveyAppError as error:
        db.rollback()
        raise click.ClickException(str(error)) from error
    db.commit()
    click.echo(f"Forgot participant #{erasure.participant_id}:")
    click.echo(f"  {erasure.invitations} invitation(s) and their personal links deleted")
    click.echo(
        f"  {erasure.responses_deleted} response(s) deleted, with their answers and "
        f"{erasure.feedback_items} feedback item(s)"
    )
    click.echo(f"  {erasure.responses_kept} response(s) of anonymous rounds kept, linked to no one")
    click.echo(f"  {erasure.mail_messages} mail record(s) deleted")
    click.echo(f"  {erasure.audit_events_cleaned} audit log entry(ies) cleaned of the address")
    click.echo("Recorded in the audit log as participant_forgotten (counts only).")


def _ask(person: Participant, preview: privacy.Erasure) -> None:
    """Show whom and what the command erases, and go on only on a yes."""
    who = ", ".join(v for v in (person.name, person.email, person.organisation) if v)
    click.echo(f"Participant #{person.id}: {who}")
    click.echo(
        f"Deletes {preview.invitations} invitation(s), {preview.responses_deleted} "
        f"response(s) and {preview.mail_messages} mail record(s); keeps "
        f"{preview.responses_kept} response(s) of anonymous rounds, linked to no one."
    )
    click.confirm("Forget this person? This cannot be undone", abort=True)


@click.group("retention")
def retention_group() -> None:
    """Delete personal data RETENTION_DAYS days after rounds close."""


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; change nothing.")
@with_appcontext
def retention_apply_command(dry_run: bool) -> None:
    """Purge the personal data of every round closed more than RETENTION_DAYS days ago:
    invitations, links, mail records and unsubmitted responses; submitted answers stay,
    linked to no one. Safe to run daily from cron; each purge is recorded in the audit log."""
    days = current_app.config.get("RETENTION_DAYS")
    if days is None:
        click.echo("RETENTION_DAYS is not set: personal data is kept. Nothing was deleted.")
        return
    db = get_session()
    report = privacy.apply_retention(db, days, actor=Actor.from_os())
    if dry_run:
        db.rollback()
    else:
        db.commit()
    _report_retention(report, days, dry_run)


def _report_retention(report: privacy.RetentionReport, days: int, dry_run: bool) -> None:
    verb = "Would purge" if dry_run else "Purged"
    for purge in report.purged:
        click.echo(
            f"{verb} round {purge.round_id} ({purge.survey_id} {purge.revision}), "
            f"{purge.summary()}."
        )
    cutoff = f"{report.cutoff:%Y-%m-%d %H:%M} UTC"
    if not report.purged:
        click.echo(f"No round closed before {cutoff} (RETENTION_DAYS={days}) has personal data.")
    else:
        done = "would be purged (dry run: nothing changed)" if dry_run else "purged"
        click.echo(f"{len(report.purged)} round(s) closed before {cutoff} {done}.")
    if report.participants_without_invitations:
        click.echo(
            f"{report.participants_without_invitations} participant(s) are invited to no round; "
            "forget those who no longer take part: surveyapp participants forget EMAIL"
        )
