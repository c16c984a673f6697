"""What a respondent's start page shows of the feedback loop (the outcomes pages:
outcomes_views)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..db import read_connection
from ..models import Invitation, Round
from ..services import outcomes, published_reports
from ..services.response_reads import Link


def reading_session() -> Session:
    """An ORM session on the request's read connection (db.read_connection): a respondent's
    page that only reads holds one database connection, as the survey pages do."""
    return Session(bind=read_connection(), expire_on_commit=False)


def start_page_outcomes(link: Link, lang: str) -> dict[str, object]:
    """What a start page shows of the feedback loop: the line about the participant's
    comments on the previous revision (named rounds) and the public reports of earlier
    revisions of the survey."""
    with reading_session() as db:
        return _start_page_outcomes(db, link, lang)


def _start_page_outcomes(db: Session, link: Link, lang: str) -> dict[str, object]:
    round_ = db.get_one(Round, link.round.id)
    line = None
    if link.invitation_id is not None and not link.round.is_anonymous:
        invitation = db.get_one(Invitation, link.invitation_id)
        line = outcomes.outcomes_line(db, invitation.participant, round_, lang)
    earlier = published_reports.published_revisions_before(db, round_.survey_id, round_.revision)
    return {"outcomes_line": line, "survey_id": round_.survey_id, "published_revisions": earlier}
