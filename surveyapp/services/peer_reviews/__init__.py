"""Peer review services (docs/peer-review.md "Services"): one module per job; every change
takes an Actor and records its audit event. The names below are the public ones."""

from __future__ import annotations

from . import scores
from .actions import action_of, actions_of, add_action, delete_action, update_action
from .agenda import (
    agenda_item,
    agenda_items,
    divergence_order,
    draft_agenda,
    move,
    update_agenda_item,
)
from .assessments import (
    StaleAssessment,
    assessments_by_party,
    follow_ups,
    progress,
    save_assessment,
    save_follow_up,
)
from .checks import MAX_TEXT, criteria_of, host_party, peer_parties
from .links import MemberLink, member_link, personal_links, report_downloaded
from .notes import StaleNote, note_of, notes_of, save_note
from .rerun import (
    CriteriaMapping,
    RerunStart,
    criteria_mapping,
    earlier_criteria,
    rerun_of,
    start_rerun,
)
from .reviews import (
    add_member,
    add_party,
    create_review,
    get_review,
    list_reviews,
    member_actor,
    member_by_token,
    party_by_name,
    publish,
)

__all__ = [
    "MAX_TEXT",
    "CriteriaMapping",
    "MemberLink",
    "RerunStart",
    "StaleAssessment",
    "StaleNote",
    "action_of",
    "actions_of",
    "add_action",
    "add_member",
    "add_party",
    "agenda_item",
    "agenda_items",
    "assessments_by_party",
    "create_review",
    "criteria_mapping",
    "criteria_of",
    "delete_action",
    "divergence_order",
    "draft_agenda",
    "earlier_criteria",
    "follow_ups",
    "get_review",
    "host_party",
    "list_reviews",
    "member_actor",
    "member_by_token",
    "member_link",
    "move",
    "note_of",
    "notes_of",
    "party_by_name",
    "peer_parties",
    "personal_links",
    "progress",
    "publish",
    "report_downloaded",
    "rerun_of",
    "save_assessment",
    "save_follow_up",
    "save_note",
    "scores",
    "start_rerun",
    "update_action",
    "update_agenda_item",
]
