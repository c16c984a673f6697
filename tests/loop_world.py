"""The feedback loop's data (issue 16): a member comments on revision 0.3 of loop-test,
the editors triage, a coordinator publishes, and revision 0.4 invites the member again.

The member (Finnish) leaves four comments; another participant one. Triaged: two
accepted, one done in 0.4, one not taken up (the member's), one partly accepted (the
other's). Everything through the real services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis_dataset import respond
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import FeedbackItem, Invitation, Participant, Response, Round
from surveyapp.services import feedback, published_reports, rounds
from surveyapp.services.feedback_changes import update_items
from surveyapp.services.tokens import new_token

LOOP = Path(__file__).parent / "data" / "loop"
registry = SurveyRegistry(LOOP)
MEMBER_COMMENTS = {
    "why_comment": "Too abstract for a city of 5,000",
    "why_missing": "Examples from small towns",
    "how_comment": "Drop the third checklist",
    "how_missing": "A template for market dialogue",
}
OTHER_COMMENT = "Other person's secret comment"
# (status, note in English, note in Finnish or None, revision)
TRIAGE = {
    "why_comment": ("accepted", "We rewrote the opening.", "Kirjoitimme alun uudelleen.", None),
    "why_missing": ("done", "Three small-town cases added.", "Lisäsimme kolme esimerkkiä.", "0.4"),
    "how_comment": ("rejected", "The checklist stays: auditors ask for it.", None, None),
    "how_missing": ("accepted", "A template is being drafted.", "Mallipohja on tekeillä.", None),
}


@dataclass
class LoopWorld:
    first: Round
    second: Round
    member: Participant
    other: Participant
    first_link: str  # the member's link in 0.3 (an anonymous round's: the private link)
    second_link: str  # the member's invitation in 0.4
    items: dict[str, FeedbackItem] = field(default_factory=dict)
    invitation_link: str = ""  # an anonymous round's invitation link of the member


def invitation_token(session: Session, round_: Round, person: Participant) -> str:
    rounds.invite_participants(session, round_, [person.id], actor=SETUP)
    query = select(Invitation.token).where(
        Invitation.round_id == round_.id, Invitation.participant_id == person.id
    )
    return session.scalars(query).one()


def build(
    session: Session, *, anonymous: bool = False, triage: bool = True, publish: bool = True
) -> LoopWorld:
    first = rounds.open_round(
        session, registry, "loop-test", "0.3", is_anonymous=anonymous, actor=SETUP
    )
    member = Participant(email="member@city.example", name="Maija Member", language="fi")
    other = Participant(email="other@town.example", name="Olli Other", group="g2")
    session.add_all([member, other])
    session.flush()
    values = {"why_clarity": 2, **MEMBER_COMMENTS}
    world = LoopWorld(first, first, member, other, "", "")
    if anonymous:
        world.invitation_link = invitation_token(session, first, member)
        mine = respond(session, first, values, None, "fi")
        mine.token = new_token()
        respond(session, first, {"why_comment": OTHER_COMMENT}, None, "en").token = new_token()
        session.flush()
        feedback.sync_feedback(session, first)
        world.first_link = mine.token
    else:
        mine = respond(session, first, values, member, "fi")
        respond(session, first, {"why_comment": OTHER_COMMENT}, other, "en")
        world.first_link = session.get_one(Invitation, mine.invitation_id).token
    world.items = {
        item.question_id: item
        for item in session.scalars(select(FeedbackItem).where(FeedbackItem.response_id == mine.id))
    }
    if triage:
        triage_all(session, world)
    if publish:
        published_reports.publish(session, first, actor=SETUP, manual=registry.manual)
    world.second = rounds.open_round(session, registry, "loop-test", "0.4", actor=SETUP)
    world.second_link = invitation_token(session, world.second, member)
    session.commit()
    return world


def triage_all(session: Session, world: LoopWorld) -> None:
    for qid, (status, note, finnish, revision) in TRIAGE.items():
        item = world.items[qid]
        update_items(
            session, world.first, [item.id], status=status, note=note,
            addressed_in_revision=revision or "", actor=SETUP,
        )  # fmt: skip
        if finnish:
            published_reports.save_note_translations(
                session, world.first, {item.id: {"fi": finnish}}, actor=SETUP
            )
    others = select(FeedbackItem.id).where(
        FeedbackItem.round_id == world.first.id,
        FeedbackItem.id.not_in([i.id for i in world.items.values()]),
    )
    update_items(
        session, world.first, list(session.scalars(others)), status="partly_accepted",
        note="Partly in the new chapter.", actor=SETUP,
    )  # fmt: skip


def other_response(session: Session, world: LoopWorld) -> Response:
    query = select(Response).where(
        Response.round_id == world.first.id, Response.id.not_in(
            [i.response_id for i in world.items.values()]
        )
    )  # fmt: skip
    return session.scalars(query).one()
