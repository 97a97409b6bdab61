"""Logins and sessions: the lockout after repeated failures, unknown users
answered like wrong passwords, session versions, lifetime and idle timeout,
the password policy."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
import time

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from zcweb import create_app, models
from zcweb.access import hygiene, logins
from zcweb.access.ratelimits import DatabaseStorage
from zcweb.ops.cli import DEMO_PASSWORD
from zcweb.db import db, migrate
from zcweb.models import Event, User


def fail(client, username="baiguan", address="127.0.0.1"):
    return client.post("/login", data={"username": username, "password": "wrong-password"},
                       environ_base={"REMOTE_ADDR": address})


def try_login(client, username="baiguan", address="127.0.0.1"):
    return client.post("/login", data={"username": username, "password": "secret-pass"},
                       environ_base={"REMOTE_ADDR": address})


def move_failures_back(minutes: float) -> None:
    for event in Event.select().where(Event.action == logins.FAILED):
        event.at -= dt.timedelta(minutes=minutes)
        event.save()


def lock_text(last_failure: dt.datetime) -> str:
    until = last_failure + dt.timedelta(minutes=15, seconds=59)
    return f"登录失败次数过多，请于 {until:%H:%M} 后再试"


# --- lockout ------------------------------------------------------------------

def test_failures_are_logged_with_username_and_address(client, ctx):
    fail(client, "baiguan")
    fail(client, "nobody")
    failures = list(Event.select().where(Event.action == "auth.failed").order_by(Event.id))
    assert [(e.detail, e.address) for e in failures] == [("baiguan", "127.0.0.1"), ("nobody", "127.0.0.1")]
    assert failures[0].user.username == "baiguan" and failures[1].user is None
    client.login("officer")
    assert "nobody（地址 127.0.0.1）" in client.get("/admin/events").get_data(as_text=True)


def test_five_failures_lock_the_account_from_that_address_until_a_time_shown_in_chinese(client, ctx):
    for _ in range(4):
        assert "用户名或密码不正确" in fail(client).get_data(as_text=True)
    fifth = fail(client).get_data(as_text=True)
    last = Event.select(Event.at).where(Event.action == logins.FAILED).order_by(Event.at.desc()).scalar()
    assert lock_text(last) in fifth
    # The right password is refused from that address, unchecked and uncounted...
    refused = try_login(client)
    assert refused.status_code == 401 and lock_text(last) in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert Event.select().where(Event.action == logins.FAILED).count() == 5
    # ...but a stranger's failures do not keep the owner out elsewhere.
    assert try_login(client, address="10.0.0.2").status_code == 303
    assert client.get("/").status_code == 200


def test_an_officer_unlocks_on_the_accounts_page_seeing_the_failures(client, ctx):
    for _ in range(5):
        fail(client, address="10.0.0.9")
    client.login("officer", )
    page = client.get("/admin/users").get_data(as_text=True)
    assert "近24小时登录失败 5 次" in page and "地址 10.0.0.9" in page and "已锁定" in page
    baiguan = User.get(User.username == "baiguan")
    response = client.post(f"/admin/users/{baiguan.id}", data={"action": "unlock"}, follow_redirects=True)
    assert "已解除“百官联络员”的登录锁定" in response.get_data(as_text=True)
    assert "近24小时登录失败" not in response.get_data(as_text=True)
    assert logins.locked_until("baiguan", "10.0.0.9") is None
    client.logout()
    assert try_login(client, address="10.0.0.9").status_code == 303


def test_the_unlock_command_ends_the_lock(runner, client, ctx):
    for _ in range(5):
        fail(client)
    assert logins.locked_until("baiguan", "127.0.0.1") is not None
    result = runner.invoke(args=["unlock", "baiguan"])
    assert result.exit_code == 0 and "已解除账号 baiguan 的登录锁定" in result.output
    assert try_login(client).status_code == 303
    assert "没有用户名为“nobody”的账号" in runner.invoke(args=["unlock", "nobody"]).output


def test_failures_from_many_addresses_slow_the_account_down_by_a_growing_delay(client, ctx, monkeypatch):
    slept = []
    monkeypatch.setattr("zcweb.views.auth.time.sleep", slept.append)
    for i in range(8):
        fail(client, address=f"10.0.1.{i}")
    assert slept == [0, 0, 0, 0, 0, 1, 2, 4]
    assert try_login(client, address="10.0.2.1").status_code == 303  # slowed, never locked
    assert slept[-1] == 8
    assert logins.delay("baiguan") == 0  # the login started the count again


def test_the_lock_ends_after_the_lock_time(client, ctx):
    for _ in range(5):
        fail(client)
    move_failures_back(14)
    assert "登录失败次数过多" in try_login(client).get_data(as_text=True)
    move_failures_back(2)
    assert try_login(client).status_code == 303
    assert client.get("/").status_code == 200


def test_failures_spread_over_more_than_the_window_do_not_lock(client, ctx):
    for _ in range(4):
        fail(client)
    move_failures_back(16)
    fail(client)
    assert try_login(client).status_code == 303


def _guess_at_once(url: str, barrier, answers) -> None:
    """One server process: a wrong password as soon as every process is ready."""
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    barrier.wait()
    response = client.post("/login", data={"username": "officer", "password": "wrong-password"})
    answers.put(response.get_data(as_text=True))


def test_sixteen_simultaneous_wrong_passwords_over_processes_check_at_most_five(app):
    processes = multiprocessing.get_context("fork")
    barrier, answers = processes.Barrier(16), processes.Queue()
    workers = [processes.Process(target=_guess_at_once, args=(app.config["DATABASE_URL"], barrier, answers))
               for _ in range(16)]
    for worker in workers:
        worker.start()
    texts = [answers.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join()
    with app.app_context():
        assert Event.select().where(Event.action == logins.FAILED).count() == 5
    # Eleven were refused unchecked; a checked one may show the lock its
    # neighbours completed.
    assert sum("登录失败次数过多" in text for text in texts) >= 11
    assert all("用户名或密码不正确" in text or "登录失败次数过多" in text for text in texts)


def test_failures_for_other_accounts_do_not_lock_a_shared_address(client, ctx):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        fail(client, name, address="10.0.0.7")
    assert try_login(client, "caoe", address="10.0.0.7").status_code == 303


def test_a_successful_login_starts_the_accounts_count_again(client, ctx):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
        fail(client, address=address)
    assert try_login(client, address="10.0.0.5").status_code == 303
    client.logout()
    fail(client, address="10.0.0.6")
    assert try_login(client, address="10.0.0.6").status_code == 303


def test_lockout_numbers_are_settings(app, client, ctx):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_LOCK_TIME=60)
    fail(client)
    assert "登录失败次数过多" in fail(client).get_data(as_text=True)
    move_failures_back(61 / 60)
    assert try_login(client).status_code == 303


def test_the_rate_limit_counts_in_the_database_a_window_at_a_time(ctx):
    storage = DatabaseStorage("zcweb://")
    assert [storage.incr("login 127.0.0.1", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("login 127.0.0.1") == 3
    assert time.time() + 55 < storage.get_expiry("login 127.0.0.1") <= time.time() + 60
    db.execute_sql("UPDATE rate_limit SET expires_at = expires_at - 61")  # the window has ended
    assert storage.get("login 127.0.0.1") == 0
    storage.incr("login 10.0.0.9", 60)  # a new window; the ended one is cleared away
    assert db.execute_sql("SELECT key, hits FROM rate_limit").fetchall() == [("login 10.0.0.9", 1)]
    assert storage.incr("login 127.0.0.1", 60) == 1
    storage.clear("login 10.0.0.9")
    assert storage.get("login 10.0.0.9") == 0 and storage.check()
    assert storage.reset() == 1 and storage.get("login 127.0.0.1") == 0


def test_too_many_login_posts_from_one_address_get_a_chinese_429(app, client, ctx):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for name in ("x1", "x2", "x3"):
        assert fail(client, name).status_code == 401
    response = fail(client, "x4")
    assert response.status_code == 429
    assert "登录尝试过于频繁" in response.get_data(as_text=True)


def test_unknown_user_costs_a_password_hash_like_a_wrong_password(client, ctx, monkeypatch):
    checked = []
    real = models.check_password_hash
    monkeypatch.setattr(models, "check_password_hash", lambda h, p: checked.append(p) or real(h, p))
    unknown = client.post("/login", data={"username": "nobody", "password": "guess-one"})
    wrong = client.post("/login", data={"username": "baiguan", "password": "guess-two"})
    assert checked == ["guess-one", "guess-two"]
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_data(as_text=True).replace("nobody", "baiguan") == wrong.get_data(as_text=True)


# --- session versions ---------------------------------------------------------

def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A new browser presenting a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/")


def test_a_cookie_replayed_after_logout_is_refused(app, client):
    client.login("baiguan")
    cookie = saved_cookie(client)
    assert replay(app, cookie).status_code == 200
    client.logout()
    response = replay(app, cookie)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_password_change_ends_the_users_other_sessions_but_not_this_one(app, client):
    other = app.test_client()
    other.login("baiguan")
    client.login("baiguan")
    old = saved_cookie(client)
    response = client.post("/password", data={"current": "secret-pass", "new": "better-pass-42",
                                              "confirm": "better-pass-42"})
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert replay(app, old).status_code == 302


def user_id(app, username: str) -> int:
    # Not in the `ctx` fixture: requests of two clients would share its `g`
    # and so Flask-Login's current user.
    with app.app_context():
        return User.get(User.username == username).id


def test_an_officers_reset_ends_the_users_sessions(app, client):
    client.login("baiguan")
    cookie = saved_cookie(client)
    officer = app.test_client()
    officer.login("officer")
    response = officer.post(f"/admin/users/{user_id(app, 'baiguan')}", data={"action": "reset"})
    assert response.status_code == 200 and "的密码" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert replay(app, cookie).status_code == 302


def test_disabling_an_account_ends_its_sessions(app, client):
    client.login("baiguan")
    officer = app.test_client()
    officer.login("officer")
    officer.post(f"/admin/users/{user_id(app, 'baiguan')}", data={"action": "disable"})
    assert client.get("/").status_code == 302


# --- lifetime and idle timeout --------------------------------------------------

def age_session(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


def test_a_session_ends_twelve_hours_after_login_even_when_active(client):
    client.login("baiguan")
    age_session(client, login_at=12 * 3600 - 60, seen_at=10)
    assert client.get("/").status_code == 200
    age_session(client, login_at=12 * 3600 + 1, seen_at=10)
    response = client.get("/", follow_redirects=True)
    assert "登录已超过最长时限，请重新登录" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_session_ends_after_two_idle_hours(client):
    client.login("baiguan")
    age_session(client, seen_at=2 * 3600 - 60)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["seen_at"] < 5  # the request counts as activity
    age_session(client, seen_at=2 * 3600 + 1)
    response = client.get("/", follow_redirects=True)
    assert "长时间未操作，已自动退出" in response.get_data(as_text=True)


def test_a_session_cookie_from_before_these_stamps_is_refused(client):
    client.login("baiguan")
    with client.session_transaction() as session:
        del session["login_at"]
    assert client.get("/").status_code == 302


def test_lifetime_and_idle_timeout_are_settings(app, client):
    app.config.update(SESSION_IDLE_TIMEOUT=60, SESSION_LIFETIME=600)
    client.login("baiguan")
    age_session(client, seen_at=61)
    assert client.get("/").status_code == 302
    client.login("baiguan")
    age_session(client, login_at=601)
    assert client.get("/").status_code == 302


def test_an_expired_htmx_request_redirects_the_whole_page_to_login(client):
    client.login("officer")
    age_session(client, seen_at=3 * 3600)
    response = client.get("/review", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


# --- password policy --------------------------------------------------------------

@pytest.mark.parametrize(("new", "message"), [
    ("short-pw1", "新密码至少10位"),
    ("1234567890123", "新密码不能全是数字"),
    ("Wang.Xiaoming", "新密码不能与用户名相同"),
    ("secret-pass", "新密码不能与当前密码相同"),
    ("aaaaaaaaaa", "新密码太容易被猜到：不能是重复的字符"),
    ("password12", "新密码太容易被猜到：不能是常见密码、单词或姓名"),
    ("zxcvbnm,./", "新密码太容易被猜到：不能是键盘上相连的键"),
    ("abcdefghij", "新密码太容易被猜到：不能是连续的字母或数字"),
    (DEMO_PASSWORD, "新密码不能使用演示密码"),
])
def test_password_policy_refuses_with_a_chinese_reason(client, ctx, new, message):
    User.update(username="wang.xiaoming").where(User.username == "baiguan").execute()
    client.login("wang.xiaoming")
    response = client.post("/password", data={"current": "secret-pass", "new": new, "confirm": new})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert User.get(User.username == "wang.xiaoming").check_password("secret-pass")


def test_generated_passwords_meet_the_policy_and_the_demo_password_does_not(client, ctx):
    client.login("officer")
    html = client.post("/admin/users", data={"username": "bg3", "role": "contact", "org": "1"}).get_data(as_text=True)
    shown = re.search(r'<p class="password">([^<]+)</p>', html).group(1)
    assert logins.password_problem(User(username="bg3"), shown, shown) is None
    assert User.get(User.username == "bg3").check_password(shown)
    assert logins.password_problem(User(username="officer"), DEMO_PASSWORD, DEMO_PASSWORD) == "新密码不能使用演示密码。"


def test_create_user_command_applies_the_policy(runner, ctx):
    result = runner.invoke(args=["create-user", "bg4", "--role", "officer", "--password", "12345678901"])
    assert result.exit_code != 0 and "密码不能全是数字" in result.output
    assert User.get_or_none(User.username == "bg4") is None


@pytest.mark.parametrize(("hops", "recorded"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_the_forwarded_client_address_counts_only_behind_a_trusted_proxy(tmp_path, hops, recorded):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.sqlite3'}",
                      "SECRET_KEY": "test-secret-key", "WTF_CSRF_ENABLED": False, "TRUSTED_PROXIES": hops})
    with app.app_context():
        migrate()
    app.test_client().post("/login", data={"username": "x", "password": "wrong-password"},
                           headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    with app.app_context():
        assert Event.get(Event.action == logins.FAILED).address == recorded


@pytest.mark.parametrize("forwarded", ["203.0.113.9\x00", "\x00\x1f", "2" * 5000, "２０３.０.１１３.９"])
def test_any_forwarded_address_is_counted_and_recorded_clean_never_a_500(app, client, ctx, forwarded):
    """Behind a trusted proxy, X-Forwarded-For is the client's: the rate
    limit and the lockout count it as the cleaned address, in the database."""
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    statuses = [client.post("/login", data={"username": "officer", "password": "wrong-password"},
                            headers={"X-Forwarded-For": forwarded}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    recorded = hygiene.clean(forwarded)[:hygiene.ADDRESS_LENGTH]
    assert [e.address for e in Event.select().where(Event.action == logins.FAILED)] == [recorded, recorded]
