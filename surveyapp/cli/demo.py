"""`surveyapp demo`: sample participants, rounds, answers and accounts to try the app with."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_session
from ..errors import SurveyAppError
from ..services import demo, demo_review, invitations, peer_reviews, rounds
from ..services.audit import Actor
from .reporting import reports_errors
from .review import criteria_set


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
        added = False
    else:
        result = demo.build_demo(db, current_app.extensions["surveys"], actor=Actor.from_os())
        db.commit()
        click.echo(
            f"Demo: {result.participants} participants, rounds {result.round_ids}, "
            f"{result.submitted} submitted and {result.drafts} half-done responses."
        )
        try_links = result.try_links
        added = True
    _review_demo(base, add=added)
    accounts = demo.reset_demo_accounts(db, actor=Actor.from_os())
    db.commit()
    if try_links:
        click.echo("Links to answer the newest round:")
    for label, token in try_links:
        click.echo(f"  {label}: {invitations.personal_link(base, token)}")
    click.echo(f"Log in to the workspace at {base}/login (new passwords on every run):")
    for email, role, password in accounts:
        click.echo(f"  {role}: {email}  password: {password}")


def _review_demo(base: str, *, add: bool) -> None:
    """The demo peer review and its re-run (added once, and only with the rest of the
    demo), and a link of each organisation of the re-run."""
    db = get_session()
    if not add:
        found = demo_review.existing_demo(db)
        if found is not None:
            _print_review_links(base, found)
        return
    try:
        criteria = criteria_set(demo_review.DEMO_CRITERIA)
    except SurveyAppError as error:  # no criteria folder: the rest of the demo still runs
        click.echo(f"No demo peer review: {error}")
        return
    result = demo_review.build_review_demo(db, criteria, actor=Actor.from_os())
    db.commit()
    _print_review_links(base, result)


def _print_review_links(base: str, result: demo_review.DemoReviewResult) -> None:
    click.echo(f"Demo peer review {result.review_ids[0]} and its re-run {result.review_ids[-1]}.")
    click.echo("Links to try the re-run (host: follow-up of the actions; peers: scores):")
    for label, token in result.try_links:
        click.echo(f"  {label}: {peer_reviews.member_link(base, token)}")
