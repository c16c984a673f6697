"""The `surveyapp` command group; each command calls services and prints what it did."""

from __future__ import annotations

import sys

from flask import Flask
from flask.cli import FlaskGroup

from .. import create_app
from ..config import ConfigError
from .audit import audit_command
from .database import init_command
from .definitions import check_command, schema_command
from .demo import demo_command
from .export import export_command
from .feedback import feedback_group
from .links import links_command
from .mail import mail_group
from .participants import participants_group
from .privacy import retention_group
from .review import review_group
from .review_report import report_command
from .rounds import round_group
from .tokens import token_group
from .translations import translations_group
from .users import user_group

# One module per command group (this module's docstring is the group's --help text).


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
        feedback_group,
        retention_group,
        audit_command,
        token_group,
        mail_group,
        translations_group,
        review_group,
    ):
        app.cli.add_command(command)


review_group.add_command(report_command)  # drawn by the review pages' renderers

cli = FlaskGroup(name="surveyapp", create_app=create_app, help=__doc__)
# Found before the app's own commands, so these run without building the app.
cli.add_command(check_command)
cli.add_command(schema_command)
cli.add_command(translations_group)


def main() -> None:
    try:
        cli.main()
    except ConfigError as error:  # raised while the app is built, before click can report it
        sys.exit(f"Error: {error}")
