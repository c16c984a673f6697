"""Login and logout for coordinators and editors."""

from __future__ import annotations

import datetime as dt

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
from flask_babel import format_timedelta
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..db import get_session
from ..i18n import _
from ..ratelimit import make_storage
from ..services import audit, users
from . import known_devices
from .access import current_user, end_sessions, safe_next, session_claims
from .throttle import LoginLimits, LoginThrottle

bp = Blueprint("auth", __name__, template_folder="templates")


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    email = EmailField("email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=1000)])


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    app = state.app
    assert isinstance(app, Flask)
    storage = make_storage(app.config["REDIS_URL"], app.config["RATELIMIT_PREFIX"])
    limits = LoginLimits.from_config(app.config)  # a mistyped limit stops the app at start
    app.extensions["login_throttle"] = LoginThrottle(limits, storage)


def _throttle() -> LoginThrottle:
    throttle: LoginThrottle = current_app.extensions["login_throttle"]
    return throttle


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
    address = request.remote_addr or ""
    wait = _throttle().wait(email, address, known_device=known_devices.recognises(email))
    if wait:  # refused before the password is checked, and not counted
        return _too_many_attempts(form, target, wait)
    db = get_session()
    user = users.authenticate(db, email, form.password.data)
    if user is None:
        _throttle().failed(email, address)
        nobody = audit.Actor.from_user(None, address)
        audit.record(db, "login_failed", actor=nobody, target=_audit_name(email))
        db.commit()
        error = _("The email address or password is not right.")
        return render_template("auth/login.html", form=form, next=target, error=error), 401
    _throttle().succeeded(email)
    session.clear()  # a fresh session: nothing from before the login carries over
    session.update(session_claims(user))
    session.permanent = True
    audit.record(db, "login", actor=audit.Actor.from_user(user, request.remote_addr or ""))
    db.commit()
    response = redirect(target)
    known_devices.remember(response, email)
    return response


def _too_many_attempts(form: LoginForm, target: str, wait: int) -> ResponseReturnValue:
    """429 with the time to wait, in words and in Retry-After."""
    later = format_timedelta(dt.timedelta(seconds=wait), threshold=1)
    error = _("Too many failed attempts. Wait %(wait)s, then try again.", wait=later)
    page = render_template("auth/login.html", form=form, next=target, error=error)
    return page, 429, {"Retry-After": str(wait)}


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
