"""Checking a login: the lock of an (account, address) pair after repeated
failures, a growing delay per account, a constant-time answer for unknown
users, and the password policy.

Failures are Events (``auth.failed``, with the username and the client's
address), so the lockout is a query that every server process agrees on."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import secrets

from flask import current_app
from flask_limiter import Limiter

from peewee import fn

from .. import models
from . import ratelimits  # noqa: F401  (registers the "zcweb://" storage)
from ..db import db, is_sqlite
from ..models import Event, User
from .hygiene import client_address

FAILED = "auth.failed"
UNLOCKED = "auth.unlock"
MIN_PASSWORD = 10
# seed-demo's accounts have it; a real account may not.
DEMO_PASSWORD = "shangyu2024"
TEMPORARY_PASSWORD_HOURS = 72

# Requests per client address (LOGIN_RATE_LIMIT), before any password is checked:
# the address cleaned as the lockout records it (a forwarded one may hold any
# byte). Flask-Limiter lets an empty key through: one of nothing but controls
# is counted as "?".
limiter = Limiter(lambda: client_address() or "?")


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


def claim(username: str, address: str | None) -> Event | dt.datetime:
    """Before a password is checked: when this (account, address) pair is
    locked, when its lock ends; else its failure recorded in advance, for
    `forgive` to take back when the password proves right. Counting and
    inserting are one decision: concurrent attempts, from every server
    process, queue on PostgreSQL's advisory lock or SQLite's write lock, so
    no more than LOGIN_MAX_FAILURES passwords per lock period are checked."""
    with _serialised(f"{username} {address}"):
        until = locked_until(username, address)
        if until:
            return until
        user = User.get_or_none(User.username == username)
        return Event.record(user, FAILED, detail=username, address=address)


def forgive(failure: Event) -> None:
    Event.delete().where(Event.id == failure.id).execute()


@contextlib.contextmanager
def _serialised(key: str):
    if is_sqlite():
        with db.atomic(lock_type="IMMEDIATE"):
            yield
        return
    with db.atomic():
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))
        yield


def locked_until(username: str, address: str | None) -> dt.datetime | None:
    """When the lock on this (account, address) pair ends, or None. A pair
    is locked for LOGIN_LOCK_TIME after the failure that made
    LOGIN_MAX_FAILURES within LOGIN_FAILURE_WINDOW; a successful login from
    that address or an officer's unlock starts its count again. A stranger's
    failures elsewhere never lock the account's owner out."""
    config = current_app.config
    horizon = models.now() - dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW"] + config["LOGIN_LOCK_TIME"])
    since = _last_reset(username, address) or horizon
    end = _lock_end(_failure_times((Event.detail == username) & (Event.address == address), max(since, horizon)))
    return end if end and end > models.now() else None


def delay(username: str) -> float:
    """Seconds to wait before checking a password for this account: none
    up to LOGIN_MAX_FAILURES failures within the window from anywhere, then
    LOGIN_DELAY_STEP doubled with each further one, at most LOGIN_DELAY_MAX."""
    config = current_app.config
    horizon = models.now() - dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW"])
    since = max(_last_reset(username) or horizon, horizon)
    extra = len(_failure_times(Event.detail == username, since)) - config["LOGIN_MAX_FAILURES"]
    if extra < 0:
        return 0.0
    return min(config["LOGIN_DELAY_MAX"], config["LOGIN_DELAY_STEP"] * 2 ** min(extra, 16))


_ANYWHERE = object()


def _last_reset(username: str, address=_ANYWHERE) -> dt.datetime | None:
    """The latest unlock of the account, or its latest login (from `address`
    when given)."""
    login = (Event.action == "auth.login") & (Event.user == User.select(User.id).where(User.username == username))
    if address is not _ANYWHERE:
        login &= Event.address == address
    unlock = (Event.action == UNLOCKED) & (Event.detail == username)
    return Event.select(fn.MAX(Event.at)).where(login | unlock).scalar()


def unlock(username: str, by: User | None) -> None:
    """Every lock and delay of the account ends; its failures stay in the log."""
    user = User.get_or_none(User.username == username)
    Event.record(by, UNLOCKED, org=user.org_id if user else None, detail=username)


def recent_failures(hours: int = 24) -> dict[str, dict]:
    """Per username: the failures since its last reset within `hours`
    (count, latest time and address) and whether any address is locked."""
    since = models.now() - dt.timedelta(hours=hours)
    found, resets = {}, {}
    for event in (Event.select(Event.detail, Event.at, Event.address)
                  .where((Event.action == FAILED) & (Event.at > since)).order_by(Event.at)):
        if event.detail not in resets:
            resets[event.detail] = _last_reset(event.detail)
        reset = resets[event.detail]
        if reset and reset >= event.at:
            continue
        entry = found.setdefault(event.detail, {"count": 0, "addresses": set()})
        entry.update(count=entry["count"] + 1, at=event.at, address=event.address)
        entry["addresses"].add(event.address)
    for username, entry in found.items():
        entry["locked"] = any(locked_until(username, address) for address in entry.pop("addresses"))
    return found


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


def give_temporary_password(user: User, password: str) -> None:
    """A new account's or a reset's password: it must be changed at the
    first login, and it logs in once, within TEMPORARY_PASSWORD_HOURS."""
    user.set_password(password)
    user.must_change_password = True
    user.temporary_until = models.now() + dt.timedelta(hours=TEMPORARY_PASSWORD_HOURS)


def use_temporary_password(user: User) -> bool:
    """Whether the temporary password may log in now; it may not again."""
    if user.temporary_until is None or user.temporary_until < models.now():
        return False
    User.update(temporary_until=None).where(User.id == user.id).execute()
    return True


# zxcvbn's patterns that make a password guessable, as a user is told.
_PATTERNS = {
    "repeat": "不能是重复的字符（如 aaaa、abcabc）。",
    "spatial": "不能是键盘上相连的键（如 qwerty、1qaz2wsx）。",
    "sequence": "不能是连续的字母或数字（如 abcdef、123456）。",
    "dictionary": "不能是常见密码、单词或姓名（如 password、zhangwei）。",
    "date": "不能是日期或年份（如 19850612）。",
    "regex": "不能是日期或年份（如 2024）。",
}


def _weakness(user: User, password: str) -> str | None:
    """Why zxcvbn finds `password` guessable (score under 3), or None."""
    from zxcvbn import zxcvbn  # loads its word lists: only when a password is set

    result = zxcvbn(password, user_inputs=[user.username, user.display_name or "", "zcweb", "shangyu"])
    if result["score"] >= 3:
        return None
    patterns = [match["pattern"] for match in result["sequence"] if match["pattern"] in _PATTERNS]
    return _PATTERNS[patterns[0]] if patterns else "字符组合太简单。"


def password_problem(user: User, password: str, confirm: str) -> str | None:
    """Why a new password is refused, in Chinese, or None."""
    if len(password) < MIN_PASSWORD:
        return f"新密码至少{MIN_PASSWORD}位。"
    if password.isdigit():
        return "新密码不能全是数字。"
    if password.casefold() == user.username.casefold():
        return "新密码不能与用户名相同。"
    if password == DEMO_PASSWORD:
        return "新密码不能使用演示密码。"
    if password != confirm:
        return "两次输入的新密码不一致。"
    if user.password_hash and user.check_password(password):
        return "新密码不能与当前密码相同。"
    weakness = _weakness(user, password)
    if weakness:
        return f"新密码太容易被猜到：{weakness}请换用几个不相关的词、数字和符号的组合。"
    return None
