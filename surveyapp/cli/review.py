"""`surveyapp review create|party add|member add|list|links|publish|rerun`: peer reviews."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..csv_output import csv_text
from ..db import get_session
from ..definitions import CriteriaRegistry
from ..definitions.criteria import CriteriaSet
from ..files import write_atomically
from ..review_models import PARTY_ROLES
from ..services import peer_reviews
from ..services.audit import Actor
from .reporting import reports_errors

LINK_HEADER = ("organisation", "role", "name", "email", "language", "link")


def criteria_set(set_id: str) -> CriteriaSet:
    """A set of the app's CRITERIA_DIR (criteria/ next to the surveys by default)."""
    registry = current_app.extensions.get("criteria")
    if registry is None:
        registry = current_app.extensions["criteria"] = CriteriaRegistry(
            Path(current_app.config["CRITERIA_DIR"])
        )
    found: CriteriaSet = registry.get(set_id)
    return found


def _days(value: tuple[str, str]) -> tuple[dt.date, dt.date]:
    try:
        first, last = (dt.date.fromisoformat(day) for day in value)
    except ValueError as error:
        raise click.BadParameter(
            f"{' '.join(value)!r}: give two dates like 2027-05-10 2027-05-11"
        ) from error
    return first, last


DAYS = click.option(
    "--days",
    nargs=2,
    required=True,
    metavar="FIRST LAST",
    help="The evaluation days (ISO dates; the same date twice for one day).",
)


@click.group("review")
def review_group() -> None:
    """Peer reviews of a procurement unit: create, add organisations and reviewers, hand
    out links, publish and re-run."""


@review_group.command("create")
@click.option("--title", required=True, help="The review's title, e.g. 'Peer review 2027'.")
@click.option("--host", "host_name", required=True, help="The organisation under review.")
@click.option("--host-language", required=True, help="The host's language, e.g. fi.")
@click.option("--criteria", "criteria_id", required=True, help="The criteria set's id.")
@DAYS
@with_appcontext
@reports_errors
def review_create_command(
    title: str, host_name: str, host_language: str, criteria_id: str, days: tuple[str, str]
) -> None:
    """Create a review with its host; prints the review id last."""
    db = get_session()
    first, last = _days(days)
    review = peer_reviews.create_review(
        db,
        title=title,
        host_name=host_name,
        host_language=host_language,
        criteria=criteria_set(criteria_id),
        evaluation_start=first,
        evaluation_end=last,
        actor=Actor.from_os(),
    )
    db.commit()
    click.echo(f"Created review {review.id}: {review.title}, host {review.host_name}.")
    click.echo(str(review.id))


@review_group.group("party")
def party_group() -> None:
    """The organisations of a review."""


@party_group.command("add")
@click.argument("review_id", type=int)
@click.option("--role", type=click.Choice(PARTY_ROLES), default="peer", show_default=True)
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--language", required=True, help="The organisation's language, e.g. sv.")
@click.option("--country", help="The organisation's country.")
@with_appcontext
@reports_errors
def party_add_command(
    review_id: int, role: str, name: str, language: str, country: str | None
) -> None:
    """Add a peer organisation (or the host) to REVIEW_ID."""
    db = get_session()
    review = peer_reviews.get_review(db, review_id)
    party = peer_reviews.add_party(
        db, review, role=role, name=name, language=language, country=country, actor=Actor.from_os()
    )
    db.commit()
    click.echo(f"Added {party.role} {party.name} to review {review.id}.")


@review_group.group("member")
def member_group() -> None:
    """The named reviewers of a review's organisations."""


@member_group.command("add")
@click.argument("review_id", type=int)
@click.argument("organisation")
@click.option("--name", required=True, help="The reviewer's name.")
@click.option("--email", required=True, help="The reviewer's email address.")
@click.option("--language", help="The reviewer's language, if not the organisation's.")
@with_appcontext
@reports_errors
def member_add_command(
    review_id: int, organisation: str, name: str, email: str, language: str | None
) -> None:
    """Add a reviewer to ORGANISATION of REVIEW_ID (see `surveyapp review links`)."""
    db = get_session()
    party = peer_reviews.party_by_name(peer_reviews.get_review(db, review_id), organisation)
    member = peer_reviews.add_member(
        db, party, name=name, email=email, language=language, actor=Actor.from_os()
    )
    db.commit()
    click.echo(f"Added {member.name} to {party.name}; their link: surveyapp review links.")


@review_group.command("list")
@with_appcontext
@reports_errors
def review_list_command() -> None:
    """List the reviews, newest first, with their organisations and state."""
    db = get_session()
    found = peer_reviews.list_reviews(db)
    if not found:
        click.echo("No peer reviews yet. Create one with: surveyapp review create --help")
        return
    for review in found:
        state = "published" if review.published_at else "under way"
        rerun = f", re-run of {review.previous_review_id}" if review.previous_review_id else ""
        peers = ", ".join(p.name for p in peer_reviews.peer_parties(review)) or "no peers yet"
        click.echo(
            f"{review.id:>4}  {review.title} ({review.evaluation_start.isoformat()}; "
            f"{state}{rerun}): host {review.host_name}; peers {peers}"
        )


@review_group.command("links")
@click.argument("review_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this CSV file.")
@with_appcontext
@reports_errors
def review_links_command(review_id: int, output: str | None) -> None:
    """The reviewers' personal links as CSV (organisation,role,name,email,language,link);
    the download is recorded in the audit log."""
    db = get_session()
    review = peer_reviews.get_review(db, review_id)
    rows = peer_reviews.personal_links(
        db, review, current_app.config["BASE_URL"], actor=Actor.from_os()
    )
    db.commit()  # recorded before any link is handed out
    text = csv_text(
        LINK_HEADER,
        ([r.organisation, r.role, r.name, r.email, r.language, r.link] for r in rows),
    )
    if output:
        write_atomically(Path(output), text.encode("utf-8"))
        click.echo(f"Wrote {len(rows)} link(s) to {output}.")
    else:
        click.echo(text, nl=False)


@review_group.command("publish")
@click.argument("review_id", type=int)
@with_appcontext
@reports_errors
def review_publish_command(review_id: int) -> None:
    """Publish the summary of REVIEW_ID to the host's members."""
    db = get_session()
    review = peer_reviews.publish(db, peer_reviews.get_review(db, review_id), actor=Actor.from_os())
    db.commit()
    click.echo(f"Published review {review.id}: the host's members see the summary.")


@review_group.command("rerun")
@click.argument("review_id", type=int)
@DAYS
@click.option("--criteria", "criteria_id", help="The criteria set (default: the earlier one's).")
@click.option("--title", help="The new review's title.")
@with_appcontext
@reports_errors
def review_rerun_command(
    review_id: int, days: tuple[str, str], criteria_id: str | None, title: str | None
) -> None:
    """Start the re-run of a published review; names the criteria the mapping leaves out
    (on standard error) and prints the new review's id last."""
    db = get_session()
    earlier = peer_reviews.get_review(db, review_id)
    first, last = _days(days)
    started = peer_reviews.start_rerun(
        db,
        earlier,
        criteria=criteria_set(criteria_id or earlier.criteria_set_id),
        evaluation_start=first,
        evaluation_end=last,
        title=title,
        actor=Actor.from_os(),
    )
    db.commit()
    review, gaps = started.review, started.mapping.described()
    if gaps:
        click.echo(f"Note: {gaps}.", err=True)
    click.echo(
        f"Started review {review.id}, the re-run of review {earlier.id}; new links: "
        f"surveyapp review links {review.id}."
    )
    click.echo(str(review.id))
