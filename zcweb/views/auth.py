"""Log in, log out, change one's own password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..models import Event, User
from . import back

bp = Blueprint("auth", __name__)

MIN_PASSWORD = 8


def password_problem(password: str, confirm: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"新密码至少{MIN_PASSWORD}位。"
    if password != confirm:
        return "两次输入的新密码不一致。"
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    error = None
    if request.method == "POST":
        user = User.get_or_none(User.username == request.form.get("username", "").strip())
        if user is None or not user.check_password(request.form.get("password", "")):
            error = "用户名或密码不正确。"
        elif not user.is_active:
            error = "该账号已停用，请联系经信局。"
        else:
            login_user(user)
            Event.record(user, "auth.login", detail=user.username)
            if user.must_change_password:
                flash("请先修改初始密码。", "info")
                return redirect(url_for("auth.password"), code=303)
            return back("home.index")
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    error = None
    if request.method == "POST":
        form = request.form
        if not current_user.check_password(form.get("current", "")):
            error = "当前密码不正确。"
        else:
            error = password_problem(form.get("new", ""), form.get("confirm", ""))
        if not error:
            current_user.set_password(form["new"])
            current_user.must_change_password = False
            current_user.save()
            Event.record(current_user.id, "auth.password", detail=current_user.username)
            flash("密码已修改。", "success")
            return redirect(url_for("home.index"), code=303)
    return render_template("password.html", error=error), 400 if error else 200
