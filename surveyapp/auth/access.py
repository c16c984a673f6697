"""Who is logged in, who acts in a request, and which role each workspace page needs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import update

from ..db import get_session
from ..models import User
from ..services import audit

F = TypeVar("F", bound=Callable[..., Any])
# Role → the roles that may do what it may: coordinators may do everything editors do.
ALLOWED = {"editor": ("editor", "coordinator"), "coordinator": ("coordinator",)}
# Endpoints anyone may reach: respondents, reviewers' personal links, previews, health, login.
# Everything else needs a role.
PUBLIC_BLUEPRINTS = ("respond", "reviewer", "preview", "health")
PUBLIC_ENDPOINTS = ("static", "auth.login", "auth.logout")


def current_user() -> User | None:
    """The logged-in account, if its session is still valid (active, not ended since)."""
    if "user" in g:
        return g.user  # type: ignore[no-any-return]
    user = None
    user_id = session.get("user_id")
    if user_id is not None:
        found = get_session().get(User, user_id)
        if found and found.is_active and _session_is_current(found):
            user = found
    g.user = user
    return user


def actor() -> audit.Actor:
    """Who acts in this request, for the services' audit events: the logged-in account and
    the client's address."""
    return audit.Actor.from_user(current_user(), request.remote_addr or "")


def is_coordinator() -> bool:
    user = current_user()
    return user is not None and user.role == "coordinator"


def _session_is_current(user: User) -> bool:
    """True unless the password changed or the account logged out since this session began."""
    # A copied cookie must not outlive a logout: the cookie is only signed, so logout raises
    # the account's epoch, ending its sessions on every device. A session from before epochs
    # existed counts as epoch 0, so it ends at the account's next logout.
    # The stamp is random and drawn again with each new password, so the cookie (signed, not
    # encrypted) carries nothing of the password hash; a session from before stamps (with
    # "pw", a piece of the hash) holds none and ends.
    stamp = session.get("stamp")
    epoch = session.get("epoch", 0)
    return bool(stamp) and stamp == user.session_stamp and epoch == user.session_epoch


def session_claims(user: User) -> dict[str, object]:
    """What a new session of `user` holds: checked on every request by current_user()."""
    return {"user_id": user.id, "stamp": user.session_stamp, "epoch": user.session_epoch}


def end_sessions(user: User) -> None:
    """Ends every session of `user`, here and on other devices, at the next commit."""
    # In SQL, so two logouts at once cannot both write the same new value.
    raised = update(User).where(User.id == user.id).values(session_epoch=User.session_epoch + 1)
    get_session().execute(raised)


def role_required(role: str) -> Callable[[F], F]:
    """Only logged-in users whose role allows `role`; others go to login or get 403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.role not in ALLOWED[role]:
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]  # read by the access test
        return wrapper  # type: ignore[return-value]

    return decorate


def safe_next(target: str | None) -> str | None:
    """`next=` only to a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target
