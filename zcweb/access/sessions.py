"""Login sessions: Flask-Login with strong session protection, a session
version kept on the user (part of the id in the cookie), and an absolute
lifetime and an idle timeout kept in the signed session."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_url, login_user, logout_user
from htmx_flask import make_response

from ..models import User

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    app.before_request(_check_age)
    app.before_request(_require_new_password)

    @login_manager.user_loader
    def load_user(user_id: str):
        # A cookie from before the last logout, password change or reset
        # carries an older version and loads nobody.
        number, _, version = user_id.partition(":")
        user = User.get_or_none(User.id == int(number))
        return user if user and str(user.session_version) == version else None

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(g.pop("logged_out_because", "请先登录。"), "info")
        target = login_url("auth.login", request.url)
        if request.htmx:
            response = make_response("")
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)


def start(user: User) -> None:
    login_user(user)
    session["login_at"] = session["seen_at"] = int(time.time())


def end() -> None:
    logout_user()
    session.pop("login_at", None)
    session.pop("seen_at", None)


def invalidate(user: User) -> None:
    """End every session of `user`: their cookies carry the old version."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()
    user.session_version = User.select(User.session_version).where(User.id == user.id).scalar()


def _check_age():
    if "_user_id" not in session or request.endpoint == "static":
        return
    config, now = current_app.config, int(time.time())
    if now - session.get("login_at", 0) > config["SESSION_LIFETIME"]:
        end()
        g.logged_out_because = "登录已超过最长时限，请重新登录。"
    elif now - session.get("seen_at", 0) > config["SESSION_IDLE_TIMEOUT"]:
        end()
        g.logged_out_because = "长时间未操作，已自动退出，请重新登录。"
    else:
        session["seen_at"] = now


# What a user with a temporary password may reach before changing it.
FIRST_LOGIN_ENDPOINTS = {"auth.password", "auth.logout", "auth.login", "static"}


def _require_new_password():
    if request.endpoint in FIRST_LOGIN_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not current_user.must_change_password:
        return None
    target = url_for("auth.password")
    if request.htmx:
        response = make_response("")
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)
