"""Every page is served whole from this server: no external URL anywhere."""

import re

import pytest

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)

OFFICER_PAGES = ["/", "/review", "/uploads", "/admin/batch", "/admin/orgs", "/admin/users",
                 "/admin/events", "/password"]
CONTACT_PAGES = ["/", "/uploads", "/password"]


@pytest.mark.parametrize("user,pages", [("officer", OFFICER_PAGES), ("baiguan", CONTACT_PAGES)])
def test_pages_refer_to_nothing_outside_the_server(client, user, pages):
    client.login(user)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert not EXTERNAL.search(html), path
        assert '<html lang="zh-CN">' in html


def test_login_page_refers_to_nothing_outside(client):
    assert not EXTERNAL.search(client.get("/login").get_data(as_text=True))


def test_htmx_2_is_served_from_static(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'src="/static/vendor/htmx.min.js"' in html
    with client.get("/static/vendor/htmx.min.js") as response:
        assert response.status_code == 200
        assert b'version:"2.0.11"' in response.data


def test_unknown_page_answers_in_chinese(client):
    client.login("officer")
    response = client.get("/applicants/999999")
    assert response.status_code == 404
    assert "找不到您要的页面或记录" in response.get_data(as_text=True)


def test_a_favicon_is_served_and_linked(client):
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/login").get_data(as_text=True)
    for path in ("/favicon.ico", "/static/favicon.svg"):
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert response.mimetype == "image/svg+xml" and b"<svg" in response.data


def test_counts_have_thousands_separators(app):
    with app.app_context():
        rendered = app.jinja_env.from_string("共 {{ n|num }} 人，{{ none|num }}").render(n=100000, none=None)
    assert rendered == "共 100,000 人，"
