"""Login and logout for coordinators and editors."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..db import get_session
from ..i18n import _
from ..ratelimit import Limiter
from ..services import audit, users
from .access import current_user, password_stamp, safe_next

bp = Blueprint("auth", __name__, template_folder="templates")

MAX_PER_ACCOUNT = 5  # failed logins per account per window
MAX_PER_ADDRESS = 20  # failed logins per address per window


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    email = EmailField("email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=1000)])


def _limiter() -> Limiter:
    limiter: Limiter = current_app.extensions["login_limiter"]
    return limiter


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
    if any(_limiter().count(k) >= n for k, n in zip(keys, limits, strict=True)):
        error = _("Too many failed attempts. Wait 15 minutes and try again.")
        return render_template("auth/login.html", form=form, next=target, error=error), 429
    db = get_session()
    user = users.authenticate(db, email, form.password.data)
    if user is None:
        for key in keys:
            _limiter().hit(key)
        audit.record(db, "login_failed", target=email, address=request.remote_addr or "")
        db.commit()
        error = _("The email address or password is not right.")
        return render_template("auth/login.html", form=form, next=target, error=error), 401
    _limiter().reset(keys[0])
    session.clear()  # a fresh session: nothing from before the login carries over
    session.update(user_id=user.id, pw=password_stamp(user))
    session.permanent = True
    audit.record(db, "login", actor=user, address=request.remote_addr or "")
    db.commit()
    return redirect(target)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    user = current_user()
    if user is not None:
        db = get_session()
        audit.record(db, "logout", actor=user, address=request.remote_addr or "")
        db.commit()
    session.clear()
    return redirect(url_for("auth.login"))
