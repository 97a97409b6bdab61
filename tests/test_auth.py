"""Logging in and out, passwords, session cookie."""

from zcweb.access import logins
from zcweb.models import Event, User


def test_login_page_is_chinese_and_has_csrf_meta(client):
    html = client.get("/login").get_data(as_text=True)
    assert "<title>登录" in html
    assert 'name="csrf-token"' in html


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_wrong_password_is_refused_in_chinese(client):
    response = client.post("/login", data={"username": "baiguan", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_contact_logs_in_and_sees_own_body(client, ctx):
    client.login("baiguan")
    html = client.get("/").get_data(as_text=True)
    assert "报送单位：<strong>百官街道</strong>" in html
    assert Event.select().where(Event.action == "auth.login").count() == 1


def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.post("/login", data={"username": "baiguan", "password": "secret-pass"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_disabled_user_cannot_log_in(client, ctx):
    User.update(active=False).where(User.username == "caoe").execute()
    response = client.post("/login", data={"username": "caoe", "password": "secret-pass"})
    assert "该账号已停用" in response.get_data(as_text=True)


def test_logout_ends_the_session(client):
    client.login("baiguan")
    client.logout()
    assert client.get("/").status_code == 302


def test_contact_changes_password(client, ctx):
    client.login("baiguan")
    response = client.post("/password", data={"current": "secret-pass", "new": "new-pass-123",
                                              "confirm": "new-pass-123"})
    assert response.status_code == 303
    assert User.get(User.username == "baiguan").check_password("new-pass-123")


def test_password_change_needs_current_password_and_matching_confirmation(client, ctx):
    client.login("baiguan")
    wrong = client.post("/password", data={"current": "x", "new": "new-pass-123", "confirm": "new-pass-123"})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    mismatch = client.post("/password", data={"current": "secret-pass", "new": "new-pass-123",
                                              "confirm": "other-pass-123"})
    assert "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    assert User.get(User.username == "baiguan").check_password("secret-pass")


def test_first_login_with_reset_password_asks_for_a_new_one(client, ctx):
    user = User.get(User.username == "baiguan")
    logins.give_temporary_password(user, "secret-pass")
    user.save()
    response = client.login("baiguan")
    assert response.headers["Location"].endswith("/password")


def test_passwords_are_stored_as_scrypt_hashes(ctx, monkeypatch):
    monkeypatch.undo()
    user = User.get(User.username == "baiguan")
    user.set_password("another-secret")
    assert user.password_hash.startswith("scrypt:")
    assert "another-secret" not in user.password_hash
    assert user.check_password("another-secret")
