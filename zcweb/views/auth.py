"""Log in, log out, change one's own password."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from ..access import logins, sessions
from ..access.scope import me
from ..access.hygiene import client_address
from ..models import Event
from . import back

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@logins.limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    error = None
    if request.method == "POST":
        error = _log_in(request.form.get("username", "").strip(), request.form.get("password", ""))
        if error is None:
            if me().must_change_password:
                flash("请先修改初始密码。", "info")
                return redirect(url_for("auth.password"), code=303)
            return back("home.index")
    return render_template("login.html", error=error), 401 if error else 200


def _log_in(username: str, password: str) -> str | None:
    """Start the session, or say in Chinese why not."""
    address, wait = client_address(), logins.delay(username)
    failure = logins.claim(username, address)
    if not isinstance(failure, Event):
        return logins.lock_message(failure)
    time.sleep(wait)
    user = logins.authenticate(username, password)
    if user is None:
        until = logins.locked_until(username, address)
        return logins.lock_message(until) if until else "用户名或密码不正确。"
    logins.forgive(failure)
    if not user.is_active:
        return "该账号已停用，请联系经信局。"
    if user.must_change_password and not logins.use_temporary_password(user):
        return "临时密码已失效（只能登录一次，72小时内有效），请联系经信局重置密码。"
    sessions.start(user)
    Event.record(user, "auth.login", detail=user.username, address=address)
    return None


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.invalidate(me())
    sessions.end()
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    error = None
    user = me()
    if request.method == "POST":
        form = request.form
        if not user.check_password(form.get("current", "")):
            error = "当前密码不正确。"
        else:
            error = logins.password_problem(user, form.get("new", ""), form.get("confirm", ""))
        if not error:
            user.set_password(form["new"])
            user.must_change_password = False
            user.save()
            # Other sessions of this user end; this one goes on with the new version.
            sessions.invalidate(user)
            login_user(user)
            Event.record(user.id, "auth.password", detail=user.username)
            flash("密码已修改，其他已登录的会话均已退出。", "success")
            return redirect(url_for("home.index"), code=303)
    return render_template("password.html", error=error, min_length=logins.MIN_PASSWORD), 400 if error else 200
