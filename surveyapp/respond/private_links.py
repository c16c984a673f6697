"""Private links of anonymous responses, remembered in the respondent's browser session only.

The server keeps nothing that leads from an anonymous response to its invitation. The
browser that began the response may remember both, as the open link remembers its
response: so a used invitation link offers this browser (and no other) to continue, and a
submission made here is counted on the invitation for reminders.
"""

from __future__ import annotations

from flask import current_app, session

from ..services.invitations import personal_link
from ..services.response_reads import Link

KEY = "private_links"  # {invitation id: private token}
MAX_REMEMBERED = 10  # the session is a cookie: a few rounds' worth is plenty


def remember(invitation_id: int, token: str) -> None:
    """Remember in this browser that it began `invitation_id`'s response, at `token`."""
    found = {k: v for k, v in session.get(KEY, {}).items() if k != str(invitation_id)}
    found[str(invitation_id)] = token
    session[KEY] = dict(list(found.items())[-MAX_REMEMBERED:])


def token_of(invitation_id: int) -> str | None:
    """The private token this browser began the invitation's response at, if it did."""
    token = session.get(KEY, {}).get(str(invitation_id))
    return token if isinstance(token, str) else None


def invitation_of(token: str) -> int | None:
    """The invitation this browser began the response at `token` with, if it did."""
    for invitation_id, remembered in session.get(KEY, {}).items():
        if remembered == token and invitation_id.isdigit():
            return int(invitation_id)
    return None


def address(link: Link) -> str | None:
    """The full address of an anonymous response's own link, to show its respondent."""
    if not link.round.is_anonymous or link.invitation_id is not None:
        return None
    return personal_link(current_app.config["BASE_URL"], link.token)
