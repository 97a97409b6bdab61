"""Log in, log out, change one's own password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from .. import logins, sessions
from ..access import me
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
        username, address = request.form.get("username", "").strip(), request.remote_addr
        until = logins.locked_until(username, address)
        user = None if until else logins.authenticate(username, request.form.get("password", ""))
        if until:
            error = logins.lock_message(until)
        elif user is None:
            logins.record_failure(username, address)
            until = logins.locked_until(username, address)
            error = logins.lock_message(until) if until else "用户名或密码不正确。"
        elif not user.is_active:
            error = "该账号已停用，请联系经信局。"
        else:
            sessions.start(user)
            Event.record(user, "auth.login", detail=user.username, address=address)
            if user.must_change_password:
                flash("请先修改初始密码。", "info")
                return redirect(url_for("auth.password"), code=303)
            return back("home.index")
    return render_template("login.html", error=error), 401 if error else 200


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
