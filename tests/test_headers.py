"""Security headers on every GET route, for the officer, a contact and a
visitor who is not logged in; no-store on everything but static files."""

from __future__ import annotations

import pytest

from zcweb.review import reconcile
from zcweb.models import Applicant, Batch, ListUpload, Org, Upload, User

from tests.helpers import roster, upload, valid_row
from zcweb.outputs import finalise as finalising

ROLES = ("officer", "baiguan", None)


@pytest.fixture
def samples(app, client):
    """An upload and an applicant of 百官街道, made through the app, and a
    kept list from the provincial platform."""
    client.login("baiguan")
    with app.app_context():
        data = roster(Org.get(Org.name == "百官街道"), [valid_row(1), valid_row(2, sex="女")])
    assert upload(client, data).status_code == 303
    with app.app_context():
        upload_id = Upload.select(Upload.id).order_by(Upload.id.desc()).scalar()
        client.post(f"/uploads/{upload_id}/confirm")
        applicant_id = Applicant.select(Applicant.id).scalar()
        # A refused list is kept with its file all the same.
        list_id = reconcile.load_list(Batch.current(), ListUpload.PLATFORM, None, "名单.csv", b"a,b\r\n").id
        final_id = finalising.finalise(Batch.current(), User.get(User.username == "officer")).id
    client.logout()
    # Each path argument of any route; a new route with another argument
    # must add a sample here.
    return {"upload_id": upload_id, "applicant_id": applicant_id, "kind": "all", "filename": "app.css",
            "number": 2, "org_id": 1, "user_id": 2, "list_id": list_id,
            "final_id": final_id}


def get_routes(app, samples):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        missing = rule.arguments - samples.keys()
        assert not missing, f"{rule.rule}: add a sample value for {missing}"
        yield rule.endpoint, rule.build({k: samples[k] for k in rule.arguments})[1]


def assert_security_headers(response, where: str, static: bool = False):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    if static:
        assert "no-store" not in headers.get("Cache-Control", ""), where
    else:
        assert headers.get("Cache-Control") == "no-store", where


@pytest.mark.parametrize("username", ROLES)
def test_every_get_route_sends_the_security_headers(app, client, samples, username):
    if username:
        client.login(username)
    statuses = {}
    for endpoint, path in get_routes(app, samples):
        response = client.get(path)
        response.close()  # a static file is sent from an open file
        assert_security_headers(response, f"{username} GET {path} → {response.status_code}",
                                static=endpoint == "static")
        statuses[path] = response.status_code
    # The real pages and downloads were reached, not only redirects to /login.
    ok = [path for path, status in statuses.items() if status == 200]
    assert len(ok) >= {"officer": 15, "baiguan": 8, None: 2}[username], statuses


def test_downloads_and_pages_with_personal_data_are_not_stored(app, client, samples):
    client.login("officer")
    for path in ("/", "/review", f"/applicants/{samples['applicant_id']}", "/exports/all.xlsx",
                 f"/uploads/{samples['upload_id']}/file", "/my-rows.xlsx?org=1",
                 f"/reconcile/lists/{samples['list_id']}/file"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_login_post_and_error_pages_send_the_headers(client):
    assert_security_headers(client.post("/login", data={"username": "x", "password": "y"}), "login POST")
    assert_security_headers(client.get("/no-such-page"), "404")
    assert_security_headers(client.post("/logout", csrf=False), "CSRF refusal")


def test_htmx_is_told_not_to_inject_its_indicator_style(client):
    html = client.get("/login").get_data(as_text=True)
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false""" in html
