"""`surveyapp review report ID --kind pre|summary --format pdf|xlsx -o FILE`: the pre-report
or the summary as the workspace's downloads draw them, in the host's language or `--lang`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import get_session
from ..errors import InvalidRequest
from ..files import write_atomically
from ..review.pdf import report_pdf
from ..review.workbook import report_workbook
from ..services import peer_reviews
from ..services.audit import Actor
from .reporting import reports_errors


@click.command("report")
@click.argument("review_id", type=int)
@click.option("--kind", type=click.Choice(["pre", "summary"]), default="pre", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "xlsx"]), default="pdf", show_default=True
)
@click.option("--lang", help="A language of the criteria set (default: the host's).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_appcontext
@reports_errors
def report_command(review_id: int, kind: str, fmt: str, lang: str | None, output: str) -> None:
    """Write the pre-report or the summary of REVIEW_ID as a PDF or a workbook."""
    db = get_session()
    review = peer_reviews.get_review(db, review_id)
    languages = peer_reviews.criteria_of(review).languages
    if lang is not None and lang not in languages:
        raise InvalidRequest(
            f"{lang!r} is not a language of the criteria set: {', '.join(languages)}"
        )
    lang = lang or review.host_language
    draw = report_pdf if fmt == "pdf" else report_workbook
    body = draw(db, review, kind, lang)
    write_atomically(Path(output), body)
    name = Path(output).name
    peer_reviews.report_downloaded(db, review, kind, name, len(body), actor=Actor.from_os())
    db.commit()
    click.echo(
        f"Wrote the {kind} report of review {review.id} ({lang}, {len(body):,} bytes) to {output}."
    )
