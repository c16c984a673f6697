"""`surveyapp links`: a round's personal links as CSV, for mail merge."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..csv_output import LINK_HEADER, csv_text
from ..db import get_session
from ..files import write_atomically
from ..jobs import downloads
from ..services import rounds
from ..services.audit import Actor
from .reporting import reports_errors


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
