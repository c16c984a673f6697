"""`surveyapp mail due`: send the reminders whose dates have come (for cron or a timer)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..jobs.due_reminders import send_due
from ..jobs.mail_sending import MailSettings
from ..services.audit import Actor
from ..services.mail import smtp_configured
from .reporting import reports_errors


@click.group("mail")
def mail_group() -> None:
    """Mail that goes by itself."""


@mail_group.command("due")
@with_appcontext
@reports_errors
def mail_due_command() -> None:
    """Send every reminder that is due, once, to those who have not submitted."""
    if not smtp_configured(current_app.config):
        raise click.ClickException("mail is not configured: set SMTP_HOST and MAIL_FROM")
    settings = MailSettings.from_config(current_app.config)
    sent = send_due(current_app.extensions["sessionmaker"], settings, actor=Actor.from_os())
    if not sent:
        click.echo("No reminder is due.")
    for batch_id, counts in sent.items():
        click.echo(f"Reminder batch {batch_id}: {counts['sent']} sent, {counts['failed']} failed.")
