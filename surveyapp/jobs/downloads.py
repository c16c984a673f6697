"""Personal data handed out as files: each download is recorded as it is handed out.

Personal links, the non-respondents' list and the exports leave the application here, from
the workspace and the command line alike; none of the events holds a link or a token.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy.orm import Session

from ..definitions.manual import Manual
from ..models import ExportJob, Round
from ..services.audit import Actor, record
from ..services.feedback import YouSaidWeDid, you_said_we_did
from ..services.invitations import LinkRow, links_for_round
from ..services.monitor import NonRespondent
from ..services.monitor import non_respondents as _non_respondents

if TYPE_CHECKING:  # the analysis modules bring pandas: imported only where a file is written
    from ..analysis.export_xlsx import ExportResult
    from ..analysis.shuffled import ResponseNumbers


def _target(round_: Round) -> str:
    return f"round {round_.id}"


def personal_links(
    session: Session, round_: Round, base_url: str, *, actor: Actor
) -> list[LinkRow]:
    """The round's personal links (name, email, language, link), for a mail merge."""
    rows = links_for_round(session, round_, base_url)
    detail = f"{len(rows)} personal links"
    record(session, "links_downloaded", actor=actor, target=_target(round_), detail=detail)
    return rows


def non_respondents(session: Session, round_: Round, *, actor: Actor) -> list[NonRespondent]:
    """The invited participants without a submitted response, as a list to take away."""
    people = _non_respondents(session, round_)
    detail = f"{len(people)} participants"
    record(session, "non_respondents_exported", actor=actor, target=_target(round_), detail=detail)
    return people


def export_file(
    session: Session, job: ExportJob, exports_dir: Path | str, *, actor: Actor
) -> Path | None:
    """The file of a finished export job, recorded as downloaded; None while there is none."""
    from .exports import finished_file  # with pandas, as above

    path = finished_file(job, exports_dir)
    if path is not None:
        detail = f"export {job.id}: {job.file_name}"
        target = f"round {job.round_id}"
        record(session, "export_downloaded", actor=actor, target=target, detail=detail)
    return path


def report_downloaded(
    session: Session, round_: Round, lang: str, file_name: str, size: int, *, actor: Actor
) -> None:
    """Record that the round's printable report (a PDF of the dashboard's figures and the
    first free texts) was handed out."""
    detail = f"pdf in {lang}: {file_name}, {size} bytes"
    record(session, "report_downloaded", actor=actor, target=_target(round_), detail=detail)


def write_summary_file(
    session: Session,
    round_: Round,
    path: Path | str,
    lang: str,
    *,
    actor: Actor,
    numbers: ResponseNumbers | None = None,
) -> ExportResult:
    """Write the round's Excel summary to `path` (see analysis.export_xlsx) and record it;
    `numbers`: an anonymous round's drawn response numbers, shared with its other files."""
    from ..analysis.export_xlsx import write_summary

    manual = current_app.extensions["surveys"].manual
    result = write_summary(session, round_, path, lang, numbers=numbers, manual=manual)
    detail = f"xlsx in {lang} to {result.path}: {result.submitted} submitted responses"
    record(session, "export_written", actor=actor, target=_target(round_), detail=detail)
    return result


def write_tidy_file(
    session: Session,
    round_: Round,
    path: Path | str,
    *,
    actor: Actor,
    numbers: ResponseNumbers | None = None,
) -> int:
    """Write the round's tidy CSV of answers to `path` and record it; returns the rows."""
    from ..analysis.export_csv import write_tidy_csv

    count = write_tidy_csv(session, round_, path, numbers)
    detail = f"tidy CSV to {path}: {count} answer rows"
    record(session, "export_written", actor=actor, target=_target(round_), detail=detail)
    return count


def feedback_report(
    session: Session, round_: Round, lang: str, *, actor: Actor, manual: Manual | None = None
) -> YouSaidWeDid | None:
    """The "you said, we did" report of `round_` handed out as a file (its free texts and, in
    named rounds, language and group), recorded as downloaded."""
    report = you_said_we_did(session, round_.survey_id, round_.revision, lang, manual)
    items = sum(len(rows) for _chapter, rows in report.chapters) if report else 0
    detail = f"you said, we did: {items} feedback items"
    record(session, "feedback_downloaded", actor=actor, target=_target(round_), detail=detail)
    return report
