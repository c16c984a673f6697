"""The demo's peer review: City of Tampere reviewed by Malmö (sv) and Haarlem (en), from the
self-assessment to the published summary, and its re-run two years later in which the host
has said what became of each action and assessed itself again.

Added once: a later `surveyapp demo` finds the demo review by its title and leaves it be.
Every write is audited as `actor`, who ran the demo (no reviewer used a link).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..definitions.criteria import CriteriaSet, Criterion
from ..review_models import PeerReview, ReviewMember
from . import peer_reviews
from .audit import Actor

DEMO_TITLE = "Demo: peer review of the City of Tampere"
DEMO_CRITERIA = "procurement-unit"
HOST = ("City of Tampere", "fi", "FI")
HOST_MEMBERS = (
    ("Aino Virtanen", "aino.virtanen@tampere.example"),
    ("Pekka Mäkinen", "pekka.makinen@tampere.example"),
)
PEERS = (
    ("Malmö stad", "sv", "SE", (("Elin Lindqvist", "elin.lindqvist@malmo.example"),)),
    ("Gemeente Haarlem", "en", "NL", (("Pieter de Vries", "pieter.devries@haarlem.example"),)),
)
EVIDENCE = (
    "Hankintastrategia 2024–2027, hyväksytty kaupunginvaltuustossa.",
    "Hankintojen vuosikertomus ja seurantaraportit.",
    "Kuvaus prosessista intranetissä; ohjeet päivitetty 2025.",
    "Esimerkkejä markkinavuoropuhelusta kolmessa hankinnassa.",
)
KEY_PEOPLE = ("Hankintajohtaja", "Talousjohtaja", "Hankinta-asiantuntijat", "Tilaajayksiköt")
OBSERVATIONS = {
    "sv": ("Tydligt dokumenterat.", "Beskrivningen saknar exempel.", "Bra praxis att dela."),
    "en": ("Well documented.", "Little evidence of follow-up.", "A practice worth sharing."),
}
QUESTIONS = {
    "sv": ("Hur följs detta upp?", "Vem äger processen?"),
    "en": ("Who decides on the priorities?", "How do the units learn of it?"),
}
ACTIONS = (
    (
        "Adopt a category management plan for the five largest categories",
        "Head of procurement",
        "high",
    ),
    ("Publish a procurement plan twice a year for suppliers", "Procurement unit", "medium"),
    ("Train buyers in market dialogue", "HR and procurement", "medium"),
    ("Report savings and impact to the city board yearly", "Chief financial officer", "high"),
    ("Pilot contract management software in one unit", "ICT services", "low"),
)
FOLLOW_UPS = (
    ("done", "Adopted by the city board in 2028; reviewed every spring."),
    ("in_progress", "The first plan is published; the second is being prepared."),
    ("done", "Forty buyers trained; a refresher course each autumn."),
    ("not_started", "Waiting for the new financial reporting system."),
    ("dropped", "The city chose a national shared service instead."),
)


@dataclass
class DemoReviewResult:
    review_ids: list[int] = field(default_factory=list)
    try_links: list[tuple[str, str]] = field(default_factory=list)  # (who, token)


def build_review_demo(
    session: Session, criteria: CriteriaSet, *, today: dt.date | None = None, actor: Actor
) -> DemoReviewResult:
    """The demo review and its re-run; nothing new when they exist already."""
    existing = existing_demo(session)
    if existing is not None:
        return existing
    rng = random.Random(7)
    first_day = _a_monday(dt.date(((today or dt.date.today()).year) - 1, 5, 8))
    review = _review(session, criteria, first_day, actor)
    finals = _evaluate(session, review, criteria, rng, actor)
    for number, (title, owner, priority) in enumerate(ACTIONS):
        # The lowest final levels get an action each; the last is for the whole unit.
        peer_reviews.add_action(
            session,
            review,
            title=title,
            owner=owner,
            priority=priority,
            due_on=first_day + dt.timedelta(days=180 * (number + 1)),
            criterion_id=_nth_lowest(finals, number) if number < len(ACTIONS) - 1 else None,
            actor=actor,
        )
    peer_reviews.publish(session, review, actor=actor)
    rerun = _rerun(session, review, criteria, finals, rng, actor)
    return DemoReviewResult([review.id, rerun.id], _try_links(rerun))


def existing_demo(session: Session) -> DemoReviewResult | None:
    """The demo review added by an earlier run, with its re-run's links; None if none."""
    found = session.scalars(select(PeerReview).where(PeerReview.title == DEMO_TITLE)).first()
    if found is None:
        return None
    rerun = peer_reviews.rerun_of(session, found)
    return DemoReviewResult([found.id, *([rerun.id] if rerun else [])], _try_links(rerun or found))


def _a_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _nth_lowest(finals: dict[str, int], number: int) -> str:
    ranked = sorted(finals, key=lambda cid: (finals[cid], cid))
    return ranked[number % len(ranked)]


def _review(
    session: Session, criteria: CriteriaSet, first_day: dt.date, actor: Actor
) -> PeerReview:
    name, language, country = HOST
    review = peer_reviews.create_review(
        session,
        title=DEMO_TITLE,
        host_name=name,
        host_language=language,
        criteria=criteria,
        evaluation_start=first_day,
        evaluation_end=first_day + dt.timedelta(days=1),
        actor=actor,
    )
    host = peer_reviews.host_party(review)
    assert host is not None  # create_review adds it
    host.country = country
    for member_name, email in HOST_MEMBERS:
        peer_reviews.add_member(session, host, name=member_name, email=email, actor=actor)
    for peer_name, peer_language, peer_country, members in PEERS:
        party = peer_reviews.add_party(
            session,
            review,
            role="peer",
            name=peer_name,
            language=peer_language,
            country=peer_country,
            actor=actor,
        )
        for member_name, email in members:
            peer_reviews.add_member(session, party, name=member_name, email=email, actor=actor)
    return review


def _evaluate(
    session: Session, review: PeerReview, criteria: CriteriaSet, rng: random.Random, actor: Actor
) -> dict[str, int]:
    """Self-assessment and peers' scores on every criterion, the agenda, then the notes and
    final levels; {criterion id: final level}."""
    host = _first_member(review, "host")
    peers = [party.members[0] for party in peer_reviews.peer_parties(review)]
    for index, criterion in enumerate(criteria.criteria):
        own = rng.choice(criterion.values[1:4])
        peer_reviews.save_assessment(
            session,
            host,
            criterion.id,
            level=own,
            evidence=EVIDENCE[index % len(EVIDENCE)],
            links="https://www.tampere.example/hankinnat",
            key_people=KEY_PEOPLE[index % 4],
            actor=actor,
        )
        for peer in peers:
            lang = peer.party.language
            peer_reviews.save_assessment(
                session,
                peer,
                criterion.id,
                level=_near(criterion, own, rng),
                observations=rng.choice(OBSERVATIONS[lang]),
                questions=rng.choice(QUESTIONS[lang]),
                actor=actor,
            )
    peer_reviews.draft_agenda(session, review, actor=actor)
    finals = {}
    views = peer_reviews.assessments_by_party(session, review)
    for criterion in criteria.criteria:
        levels = [views[p.party_id][criterion.id].level or 1 for p in peers]
        finals[criterion.id] = round(sum(levels) / len(levels))
        peer_reviews.save_note(
            session,
            review,
            criterion.id,
            notes="Interviews held on the first day.",
            final_level=finals[criterion.id],
            strengths="Committed staff and a clear mandate from the city board.",
            development_areas="Follow-up of results is informal and not reported.",
            actor=actor,
        )
    return finals


def _near(criterion: Criterion, level: int, rng: random.Random) -> int:
    """A peer's level near the host's own, on the scale."""
    wanted = level + rng.choice((-2, -1, -1, 0, 0, 1))
    return min(max(wanted, min(criterion.values)), max(criterion.values))


def _first_member(review: PeerReview, role: str) -> ReviewMember:
    party = next(p for p in review.parties if p.role == role)
    return party.members[0]


def _rerun(
    session: Session,
    earlier: PeerReview,
    criteria: CriteriaSet,
    finals: dict[str, int],
    rng: random.Random,
    actor: Actor,
) -> PeerReview:
    """Two years later: the host's follow-up of each action and a new self-assessment."""
    start = _a_monday(earlier.evaluation_start + dt.timedelta(days=730))
    rerun = peer_reviews.start_rerun(
        session,
        earlier,
        criteria=criteria,
        evaluation_start=start,
        evaluation_end=start + dt.timedelta(days=1),
        title=f"{DEMO_TITLE}, re-run {start.year}",
        actor=actor,
    ).review
    host = _first_member(rerun, "host")
    for follow_up, (status, explanation) in zip(
        peer_reviews.follow_ups(session, rerun), FOLLOW_UPS, strict=False
    ):
        peer_reviews.save_follow_up(
            session,
            host,
            follow_up.action_id,
            status=status,
            explanation=explanation,
            actor=actor,
        )
    for criterion in criteria.criteria:
        level = min(finals.get(criterion.id, 2) + rng.choice((0, 1, 1)), max(criterion.values))
        peer_reviews.save_assessment(
            session,
            host,
            criterion.id,
            level=level,
            evidence="Päivitetty näyttö: seurantaraportti 2028.",
            key_people="Hankintajohtaja",
            actor=actor,
        )
    return rerun


def _try_links(review: PeerReview) -> list[tuple[str, str]]:
    """One reviewer of each organisation: (name, organisation and language, token)."""
    return [
        (f"{party.members[0].name}, {party.name} ({party.language})", party.members[0].token)
        for party in review.parties
        if party.members
    ]
