"""Login and logout for coordinators and editors."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..db import get_session
from ..i18n import _
from ..ratelimit import Limiter, LimiterUnavailable, MemoryLimiter
from ..services import audit, users
from .access import current_user, end_sessions, password_stamp, safe_next
from .sessions import HttpsAwareSessions

bp = Blueprint("auth", __name__, template_folder="templates")
log = logging.getLogger(__name__)

MAX_PER_ACCOUNT = 5  # failed logins per account per window
MAX_PER_ADDRESS = 20  # failed logins per address per window


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    email = EmailField("email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=1000)])


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    app = state.app
    assert isinstance(app, Flask)
    app.session_interface = HttpsAwareSessions()
    # Used while the shared counters (Redis) cannot be reached: logins stay limited per process.
    app.extensions["login_limiter_fallback"] = MemoryLimiter(app.config["LOGIN_WINDOW_SECONDS"])


def _limiter() -> Limiter:
    limiter: Limiter = current_app.extensions["login_limiter"]
    return limiter


def _fallback() -> Limiter:
    limiter: Limiter = current_app.extensions["login_limiter_fallback"]
    return limiter


def _too_many(keys: tuple[str, ...], limits: tuple[int, ...]) -> bool:
    """True if any key has reached its limit, in Redis or (while it is down) in this process."""
    try:
        shared = [_limiter().count(k) for k in keys]
    except LimiterUnavailable as error:
        log.warning("login limit checked in this process only: %s", error)
        shared = [0 for _k in keys]
    local = [_fallback().count(k) for k in keys]
    counts = [max(pair) for pair in zip(shared, local, strict=True)]
    return any(count >= limit for count, limit in zip(counts, limits, strict=True))


def _count_failure(keys: tuple[str, ...]) -> None:
    try:
        for key in keys:
            _limiter().hit(key)
    except LimiterUnavailable as error:
        log.warning("failed login counted in this process only: %s", error)
        for key in keys:
            _fallback().hit(key)


def _forget_failures(key: str) -> None:
    _fallback().reset(key)
    try:
        _limiter().reset(key)
    except LimiterUnavailable as error:
        log.warning("failed logins not reset in the shared counters: %s", error)


def _audit_name(email: str) -> str:
    """What the log keeps of a refused login name: never text that may be a password."""
    return email if "@" in email and " " not in email else "(not an email address)"


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    target = safe_next(request.values.get("next")) or url_for("coordinate.home")
    if current_user() is not None and request.method == "GET":
        return redirect(target)
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, next=target, error=None)
    email = users.normalise_email(form.email.data)
    keys = (f"login:account:{email}", f"login:address:{request.remote_addr}")
    limits = (MAX_PER_ACCOUNT, MAX_PER_ADDRESS)
    if _too_many(keys, limits):
        error = _("Too many failed attempts. Wait 15 minutes and try again.")
        return render_template("auth/login.html", form=form, next=target, error=error), 429
    db = get_session()
    user = users.authenticate(db, email, form.password.data)
    if user is None:
        _count_failure(keys)
        nobody = audit.Actor.from_user(None, request.remote_addr or "")
        audit.record(db, "login_failed", actor=nobody, target=_audit_name(email))
        db.commit()
        error = _("The email address or password is not right.")
        return render_template("auth/login.html", form=form, next=target, error=error), 401
    _forget_failures(keys[0])
    session.clear()  # a fresh session: nothing from before the login carries over
    session.update(user_id=user.id, pw=password_stamp(user), epoch=user.session_epoch)
    session.permanent = True
    audit.record(db, "login", actor=audit.Actor.from_user(user, request.remote_addr or ""))
    db.commit()
    return redirect(target)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    user = current_user()
    if user is not None:
        db = get_session()
        audit.record(db, "logout", actor=audit.Actor.from_user(user, request.remote_addr or ""))
        end_sessions(user)  # clearing this cookie alone would leave any copy of it working
        db.commit()
    session.clear()
    return redirect(url_for("auth.login"))
