"""Checking a login: the lockout after repeated failures, a constant-time
answer for unknown users, and the password policy.

Failures are Events (``auth.failed``, with the username and the client's
address), so the lockout is a query that every server process agrees on."""

from __future__ import annotations

import datetime as dt
import functools
import secrets

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from . import models
from .models import Event, User

FAILED = "auth.failed"
MIN_PASSWORD = 10

# Requests per client address (LOGIN_RATE_LIMIT), before any password is checked.
limiter = Limiter(get_remote_address)


@functools.cache
def _dummy_hash() -> str:
    return models.generate_password_hash(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User | None:
    """The user whose password this is. An unknown username still costs one
    password hash, so the answer's timing does not tell who has an account."""
    user = User.get_or_none(User.username == username)
    if user is None:
        models.check_password_hash(_dummy_hash(), password)
        return None
    return user if user.check_password(password) else None


def record_failure(username: str, address: str | None) -> None:
    user = User.get_or_none(User.username == username)
    Event.record(user, FAILED, detail=username, address=address)


def locked_until(username: str, address: str | None) -> dt.datetime | None:
    """When the lock on this account or this address ends, or None. Each is
    locked for LOGIN_LOCK_TIME after the failure that made LOGIN_MAX_FAILURES
    within LOGIN_FAILURE_WINDOW; an account's successful login starts its
    count again. (While locked, attempts are refused unchecked and unrecorded.)"""
    config = current_app.config
    now = models.now()
    horizon = now - dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW"] + config["LOGIN_LOCK_TIME"])
    last_login = (Event.select(Event.at).join(User)
                  .where((Event.action == "auth.login") & (User.username == username) & (Event.at > horizon))
                  .order_by(Event.at.desc()).scalar())
    ends = [_lock_end(_failure_times(Event.detail == username, last_login or horizon))]
    if address:
        ends.append(_lock_end(_failure_times(Event.address == address, horizon)))
    ends = [end for end in ends if end and end > now]
    return max(ends, default=None)


def _failure_times(who, since: dt.datetime) -> list[dt.datetime]:
    return [at for (at,) in Event.select(Event.at).where((Event.action == FAILED) & who & (Event.at > since))
            .order_by(Event.at).tuples()]


def _lock_end(times: list[dt.datetime]) -> dt.datetime | None:
    """The end of the latest lock these failure times make."""
    config = current_app.config
    limit, window = config["LOGIN_MAX_FAILURES"], dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW"])
    for i in range(len(times) - 1, limit - 2, -1):
        if times[i] - times[i - limit + 1] <= window:
            return times[i] + dt.timedelta(seconds=config["LOGIN_LOCK_TIME"])
    return None


def lock_message(until: dt.datetime) -> str:
    shown = until + dt.timedelta(seconds=59)  # "after 11:05" must not be early
    day = "" if shown.date() == models.now().date() else f"{shown.month}月{shown.day}日 "
    return f"登录失败次数过多，请于 {day}{shown:%H:%M} 后再试。"


def password_problem(user: User, password: str, confirm: str) -> str | None:
    """Why a new password is refused, in Chinese, or None."""
    if len(password) < MIN_PASSWORD:
        return f"新密码至少{MIN_PASSWORD}位。"
    if password.isdigit():
        return "新密码不能全是数字。"
    if password.casefold() == user.username.casefold():
        return "新密码不能与用户名相同。"
    if password != confirm:
        return "两次输入的新密码不一致。"
    if user.password_hash and user.check_password(password):
        return "新密码不能与当前密码相同。"
    return None
