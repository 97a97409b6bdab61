"""Issue 20: stray bytes and long values never give a 500 (on SQLite and
PostgreSQL), redirects stay on the site, the first login changes the
temporary password, and files on disk are the owner's alone."""

from __future__ import annotations

import datetime as dt
import re
import stat
import subprocess

import pytest

from zcweb.ops import backup
from zcweb import create_app, models
from zcweb.access import logins
from zcweb.db import db, is_sqlite
from zcweb.models import Extension, Org, Upload, User

from .helpers import roster, upload, valid_row

PAYLOADS = {
    "nul": "张\x00三",
    "long": "长" * 300,
    "rtl": "\u202egpj.exe",
    "emoji": "工程师😀",
}

# (who is logged in, method, path, fields; "{}" marks where each payload goes)
INPUTS = [
    (None, "POST", "/login", {"username": "{}", "password": "{}"}),
    ("baiguan", "POST", "/password", {"current": "{}", "new": "{}", "confirm": "{}"}),
    ("officer", "GET", "/review", {"q": "{}"}),
    ("officer", "GET", "/review", {"status": "{}", "org": "{}", "sort": "{}", "page": "{}"}),
    ("officer", "GET", "/admin/events", {"page": "{}"}),
    ("officer", "POST", "/admin/orgs", {"name": "{}", "kind": "{}", "aliases": "{}"}),
    ("officer", "POST", "/admin/orgs/1", {"name": "{}", "kind": "街道", "aliases": "{}"}),
    ("officer", "POST", "/admin/users", {"username": "{}", "display_name": "{}", "phone": "{}",
                                         "role": "contact", "org": "1"}),
    ("officer", "POST", "/admin/users", {"username": "new-contact", "display_name": "{}", "phone": "{}",
                                         "role": "contact", "org": "1"}),
    ("officer", "POST", "/admin/users/2", {"action": "phone", "phone": "{}"}),
    ("officer", "POST", "/admin/batch/extensions", {"org": "1", "until": "2099-01-01", "reason": "{}"}),
    ("officer", "POST", "/admin/batches", {"year": "{}", "source": "{}"}),
    ("officer", "POST", "/review/bulk", {"action": "{}", "reason": "{}"}),
    ("baiguan", "GET", "/", {"next": "{}"}),
]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize(("who", "method", "path", "fields"), INPUTS,
                         ids=[f"{method} {path} {'+'.join(fields)}" for _, method, path, fields in INPUTS])
def test_stray_bytes_and_long_values_answer_a_page_never_a_500(client, who, method, path, fields, payload):
    if who:
        client.login(who)
    values = {key: payload if value == "{}" else value for key, value in fields.items()}
    if method == "GET":
        response = client.get(path, query_string=values)
    else:
        response = client.post(path, data=values)
    assert response.status_code < 500 and response.status_code != 404, response.get_data(as_text=True)
    assert "系统出错" not in response.get_data(as_text=True)


# The names of the query arguments and form fields the views read as numbers, and others.
FIELDS = ("page", "org", "user", "version", "copies", "row", "applicant", "year", "sort_order", "q", "status")


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999", "²"])
@pytest.mark.parametrize("who", ["officer", "baiguan"])
def test_every_page_and_form_answers_numbers_no_column_holds_never_a_500(app, client, ctx, who, number):
    """Every route, with its path's numbers and every field above set to a
    number larger than a database column holds (PostgreSQL's integer, then
    SQLite's), or to a digit that is no number: a page or a 404, never a
    database error."""
    baiguan = Org.get(Org.name == "百官街道")
    client.login("baiguan")
    upload(client, roster(baiguan, [valid_row(1), valid_row(2)]))
    client.post(f"/uploads/{Upload.get().id}/confirm")
    client.logout()
    client.login(who)
    failed = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule == "/logout":
            continue
        for path in {re.sub(r"<int:\w+>", "1", rule.rule), re.sub(r"<int:\w+>", number, rule.rule)}:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                fields = dict(dict.fromkeys(FIELDS, number), ids=f"{number}:1", source=f"batch:{number}")
                response = (client.get(path, query_string=fields) if method == "GET"
                            else client.post(path, data=fields, headers={"HX-Request": "true"}))
                text = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
                if response.status_code >= 500 or "系统出错" in text:
                    failed.append(f"{method} {path}")
                response.close()
    assert failed == []


def test_control_characters_are_stripped_and_long_text_stored_whole(client, ctx):
    client.login("officer")
    client.post("/admin/users", data={"username": "bg9", "display_name": "王\x00" + "长" * 300,
                                      "phone": "0575\x00-1\u202e234", "role": "contact", "org": "1"})
    user = User.get(User.username == "bg9")
    assert user.display_name == "王" + "长" * 300 and user.phone == "0575-1234"
    client.post("/admin/orgs", data={"name": "新" * 300 + "\x00", "kind": "其他"})
    assert Org.get_or_none(Org.name == "新" * 300) is not None
    client.post("/admin/batch/extensions", data={"org": "1", "until": "2099-01-01", "reason": "停电\x00三天"})
    assert Extension.get().reason == "停电三天"


def test_a_file_name_with_a_nul_is_stored_clean_and_downloads_with_a_safe_name(client, ctx):
    client.login("baiguan")
    upload(client, roster(Org.get(Org.name == "百官街道"), []), name="a\x00b\u202e/c.xlsx")
    kept = Upload.get()
    assert kept.filename == "ab_c.xlsx"
    # A name stored before the hygiene (SQLite kept even a NUL) still downloads under a safe one.
    Upload.update(filename="旧\x00名\n单.xlsx" if is_sqlite() else "旧名\r\n单.xlsx").execute()
    disposition = client.get(f"/uploads/{kept.id}/file").headers["Content-Disposition"]
    assert "\x00" not in disposition and "\n" not in disposition and "\r" not in disposition
    assert "filename*=UTF-8''%E6%97%A7%E5%90%8D_" in disposition


# --- redirects ------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/\t/evil.example/x", "/\\evil.example", "//evil.example/",
                                    "http://evil.example/", "javascript:alert(1)", "/\n/evil.example",
                                    " //evil.example", "/%09/evil.example"])
def test_login_never_redirects_off_the_site(client, target):
    response = client.post("/login", data={"username": "baiguan", "password": "secret-pass", "next": target})
    location = response.headers["Location"]
    assert location in ("/", "/%09/evil.example") and "evil" not in location.replace("%09/evil.example", "")


def test_a_local_next_is_kept(client):
    response = client.post("/login", data={"username": "baiguan", "password": "secret-pass",
                                           "next": "/uploads?x=1"})
    assert response.headers["Location"] == "/uploads?x=1"


def test_the_back_link_of_an_applicant_never_leads_off_the_site(client, ctx):
    client.login("baiguan")
    upload(client, roster(Org.get(Org.name == "百官街道"), [valid_row()]))
    client.post(f"/uploads/{Upload.get().id}/confirm")
    applicant = models.Applicant.get()
    html = client.get(f"/applicants/{applicant.id}?next=%2F%09%2Fevil.example%2Fx").get_data(as_text=True)
    assert "evil.example" not in html
    assert 'href="/"' in html


# --- first login ----------------------------------------------------------------

def temporary(username: str = "baiguan", hours_ago: float = 0) -> User:
    user = User.get(User.username == username)
    logins.give_temporary_password(user, "secret-pass")
    user.temporary_until -= dt.timedelta(hours=hours_ago)
    user.save()
    return user


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("GET", "/my-rows.xlsx"), ("POST", "/uploads"),
                                              ("GET", "/review"), ("GET", "/template.xlsx")])
def test_a_temporary_password_reaches_only_the_password_page(client, ctx, method, path):
    temporary()
    assert client.login("baiguan").headers["Location"] == "/password"
    response = client.open(path, method=method, data={"csrf_token": client.csrf_token()})
    assert response.status_code == 303 and response.headers["Location"] == "/password"
    assert client.get("/password").status_code == 200
    with client.get("/static/app.css") as style:
        assert style.status_code == 200
    htmx = client.get(path, headers={"HX-Request": "true"}) if method == "GET" else None
    assert htmx is None or htmx.headers["HX-Redirect"] == "/password"


def test_a_temporary_password_logs_in_once(client, ctx):
    temporary()
    client.login("baiguan")
    client.logout()
    refused = client.post("/login", data={"username": "baiguan", "password": "secret-pass"})
    assert refused.status_code == 401 and "临时密码已失效" in refused.get_data(as_text=True)


def test_a_temporary_password_expires_after_72_hours(client, ctx):
    temporary(hours_ago=72.1)
    refused = client.post("/login", data={"username": "baiguan", "password": "secret-pass"})
    assert "临时密码已失效（只能登录一次，72小时内有效）" in refused.get_data(as_text=True)
    temporary("caoe", hours_ago=71.9)
    assert client.login("caoe").headers["Location"] == "/password"


def test_after_the_change_every_page_answers(client, ctx):
    temporary()
    client.login("baiguan")
    response = client.post("/password", data={"current": "secret-pass", "new": "lantern-river-42",
                                              "confirm": "lantern-river-42"})
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


# --- files on disk ----------------------------------------------------------------

def test_database_instance_folder_and_backup_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("ZCWEB_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": None})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    db.close()
    assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) == 0o700
    for name in ("instance/zcweb.sqlite3", "instance/secret_key", "copy.sqlite3"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_pg_dump_gets_the_password_by_the_environment_never_its_arguments(app, tmp_path, ctx, monkeypatch):
    calls = []
    monkeypatch.setattr(backup, "is_sqlite", lambda: False)
    monkeypatch.setattr(backup.shutil, "which", lambda name: "/usr/bin/pg_dump")
    monkeypatch.setattr(backup.subprocess, "run",
                        lambda args, **kw: calls.append((args, kw)) or subprocess.CompletedProcess(args, 0, "", ""))
    app.config["DATABASE_URL"] = "postgresql://zc:s%40cret-pw@db.local:5433/zcweb"
    backup.backup(tmp_path / "dump.pgc")
    (args, options), = calls
    assert not any("s@cret-pw" in arg or "s%40cret-pw" in arg for arg in args)
    assert "postgresql://zc@db.local:5433/zcweb" in args
    assert options["env"]["PGPASSWORD"] == "s@cret-pw"
    assert stat.S_IMODE((tmp_path / "dump.pgc").stat().st_mode) == 0o600
