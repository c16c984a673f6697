"""Opening, closing and reopening rounds; each round freezes its survey definition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..definitions import Survey, cached_snapshot, definition_hash, load_snapshot, revision_key
from ..definitions.registry import SurveyRegistry
from ..definitions.translations import SurveyTranslations, freeze
from ..errors import InvalidRequest, RoundClosed, RoundNotOpenYet, UnknownRound
from ..models import Invitation, Participant, Round
from .audit import Actor, record
from .tokens import new_token

MAX_LISTED_ISSUES = 50


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every datetime we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def open_round(
    session: Session,
    registry: SurveyRegistry,
    survey_id: str,
    revision: str,
    *,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    is_anonymous: bool = False,
    open_link: bool = False,
    groups: Sequence[str] = (),
    allow_incomplete: Sequence[str] = (),
    actor: Actor,
) -> Round:
    """Open a round of `survey_id` for a manual revision, freezing today's definition with
    its current translations, and invite the participants of `groups`.

    A language with a stale or missing translation is refused unless it is in
    `allow_incomplete`: then its respondents see those texts in the source language, and
    the round's definition records the language as incomplete."""
    survey = registry.get(survey_id)
    translations = registry.translations(survey.id)
    text = _frozen_text(survey, registry.text(survey.id), translations, allow_incomplete)
    revision = revision.strip()
    if not revision:
        raise InvalidRequest("a round needs a manual revision, e.g. --revision 0.3")
    if opens_at and closes_at and as_utc(closes_at) <= as_utc(opens_at):  # type: ignore[operator]
        raise InvalidRequest("the closing time must be after the opening time")
    round_ = Round(
        survey_id=survey.id,
        revision=revision,
        definition_yaml=text,
        definition_hash=definition_hash(text),
        status="open",
        opens_at=opens_at,
        closes_at=closes_at,
        is_anonymous=is_anonymous,
        open_link_token=new_token() if open_link else None,
        opened_at=utcnow(),
    )
    session.add(round_)
    session.flush()
    invited = _invite_groups(session, round_, groups) if groups else 0
    detail = f"{_name(round_)}; {invited} invited"
    flags = [("anonymous", is_anonymous), ("open link", open_link)]
    detail += "".join(f"; {flag}" for flag, is_set in flags if is_set)
    record(session, "round_opened", actor=actor, target=_target(round_), detail=detail)
    return round_


def _frozen_text(
    survey: Survey,
    text: str,
    translations: SurveyTranslations,
    allow_incomplete: Sequence[str],
) -> str:
    unknown = [lang for lang in allow_incomplete if lang not in survey.languages]
    if unknown:
        raise InvalidRequest(
            f"{', '.join(unknown)} is not a language of the survey {survey.id} "
            f"({', '.join(survey.languages)})"
        )
    refused = [lang for lang in translations.incomplete if lang not in allow_incomplete]
    if refused:
        issues = [str(i.problem()) for i in translations.issues if i.lang in refused]
        shown = issues[:MAX_LISTED_ISSUES]
        more = len(issues) - len(shown)
        raise InvalidRequest(
            f"the {', '.join(refused)} translation of {survey.id} has stale or missing "
            "texts; update them (docs/translations.md) or allow the language to show "
            "them in the source language (--allow-incomplete LANG):\n"
            + "\n".join(shown)
            + (f"\n… and {more} more" if more else "")
        )
    return freeze(text, translations) if len(survey.languages) > 1 else text


def _name(round_: Round) -> str:
    return f"{round_.survey_id} revision {round_.revision}"


def _target(round_: Round) -> str:
    return f"round {round_.id}"


def invite_groups(session: Session, round_: Round, groups: Sequence[str], *, actor: Actor) -> int:
    """Invite every participant of `groups` not yet invited; returns how many were added."""
    added = _invite_groups(session, round_, groups)
    detail = f"groups {', '.join(groups)}: {added} invited"
    record(session, "participants_invited", actor=actor, target=_target(round_), detail=detail)
    return added


def _invite_groups(session: Session, round_: Round, groups: Sequence[str]) -> int:
    query = select(Participant.id).where(Participant.group.in_(list(groups)))
    return _invite(session, round_, list(session.scalars(query)))


def invite_participants(
    session: Session, round_: Round, participant_ids: Sequence[int], *, actor: Actor
) -> int:
    """Give each participant a personal link to the round, once; returns how many were new."""
    added = _invite(session, round_, participant_ids)
    detail = f"{added} participant(s) invited"
    record(session, "participants_invited", actor=actor, target=_target(round_), detail=detail)
    return added


def _invite(session: Session, round_: Round, participant_ids: Sequence[int]) -> int:
    already = set(
        session.scalars(select(Invitation.participant_id).where(Invitation.round_id == round_.id))
    )
    new = [pid for pid in dict.fromkeys(participant_ids) if pid not in already]
    session.add_all(
        Invitation(round_id=round_.id, participant_id=pid, token=new_token()) for pid in new
    )
    session.flush()
    return len(new)


def get_round(session: Session, round_id: int | str) -> Round:
    """The round with this id, or UnknownRound."""
    try:
        found = session.get(Round, int(round_id))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise UnknownRound(f"there is no round {round_id}")
    return found


def list_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.id)))


class RoundChange(Protocol):
    """close_round or reopen_round: what the workspace's buttons and the CLI call."""

    def __call__(self, session: Session, round_: Round, *, actor: Actor) -> None: ...


def close_round(session: Session, round_: Round, *, actor: Actor) -> None:
    """Close the round; every answer is kept."""
    round_.status = "closed"
    round_.closed_at = utcnow()
    session.flush()
    record(session, "round_closed", actor=actor, target=_target(round_), detail=_name(round_))


def reopen_round(session: Session, round_: Round, *, actor: Actor) -> None:
    """Open a closed round again; a closing time already past is cleared."""
    round_.status = "open"
    closes_at = as_utc(round_.closes_at)
    if closes_at is not None and closes_at <= utcnow():
        round_.closes_at = None
    round_.closed_at = None
    session.flush()
    record(session, "round_reopened", actor=actor, target=_target(round_), detail=_name(round_))


def round_survey(round_: Round) -> Survey:
    """The round's frozen definition (parsed once per distinct text, then cached).

    Found by the stored hash first, so a page need not read the (deferred) text at all.
    """
    survey = cached_snapshot(round_.definition_hash)
    return survey if survey is not None else load_snapshot(round_.definition_yaml)


class RoundTimes(Protocol):
    """A round's status and times: a mapped Round, or the plain copy a respondent link reads."""

    @property
    def status(self) -> str: ...

    @property
    def opens_at(self) -> dt.datetime | None: ...

    @property
    def closes_at(self) -> dt.datetime | None: ...


def round_state(round_: RoundTimes, now: dt.datetime | None = None) -> str:
    """'open', 'not_yet_open', 'closed' or 'draft', taking the opening and closing times in."""
    now = now or utcnow()
    if round_.status != "open":
        return round_.status
    opens_at, closes_at = as_utc(round_.opens_at), as_utc(round_.closes_at)
    if opens_at is not None and now < opens_at:
        return "not_yet_open"
    if closes_at is not None and now >= closes_at:
        return "closed"
    return "open"


def require_open(round_: RoundTimes) -> None:
    """Raise the error a respondent should see when the round takes no answers now."""
    state = round_state(round_)
    if state == "closed":
        raise RoundClosed("this survey round is closed")
    if state != "open":
        raise RoundNotOpenYet("this survey round is not open yet")


def previous_revision_round(session: Session, survey_id: str, revision: str) -> Round | None:
    """The round of the same survey with the greatest manual revision below `revision`."""
    current = revision_key(revision)
    found = session.scalars(select(Round).where(Round.survey_id == survey_id))
    earlier = [r for r in found if revision_key(r.revision) < current]
    return max(earlier, key=lambda r: (revision_key(r.revision), r.id), default=None)
