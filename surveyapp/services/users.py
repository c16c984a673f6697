"""Workspace accounts: coordinators and editors, with hashed passwords."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import InvalidRequest, NotFound
from ..models import ROLES, User
from .audit import Actor, record

MIN_PASSWORD = 10
# Checked against when the account does not exist, so timing never tells who has one.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def add_user(session: Session, email: str, role: str, password: str, *, actor: Actor) -> User:
    """Create an account; the password is stored only as a scrypt hash."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise InvalidRequest(f"'{email}' is not an email address")
    check_role(role)
    if find_user(session, email) is not None:
        raise InvalidRequest(f"an account for {email} exists already")
    user = User(email=email, role=role, password_hash=_hash(password))
    session.add(user)
    session.flush()
    record(session, "user_added", actor=actor, target=f"{user.email} ({role})")
    return user


def check_role(role: str) -> None:
    """Refuse a role that is not coordinator or editor, naming the ones there are."""
    if role not in ROLES:
        raise InvalidRequest(f"'{role}' is not a role; the role is one of {', '.join(ROLES)}")


def set_password(session: Session, email: str, password: str, *, actor: Actor) -> User:
    """Replace an account's password; the account's other sessions end (a new stamp)."""
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"there is no account for {normalise_email(email)}")
    user.password_hash = _hash(password)
    user.session_stamp = secrets.token_hex(16)
    session.flush()
    record(session, "password_changed", actor=actor, target=user.email)
    return user


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(f"the password must have at least {MIN_PASSWORD} characters")
    return generate_password_hash(password)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active account with this email and password, else None (in constant work)."""
    user = find_user(session, email)
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.email)))
