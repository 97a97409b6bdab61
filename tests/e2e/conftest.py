"""A live server on a free local port and Debian's chromium driven by
Playwright. These tests run in CI (`.ci/run` installs chromium)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def read_whole(app):
    """The app with each response's body read whole before it is sent:
    werkzeug's server leaves a file it was sending (the favicon) open when
    the browser drops the connection midway, and the ResourceWarning of that
    file fails a later test (filterwarnings = error)."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, accept_downloads=True, locale="zh-CN",
                                  viewport={"width": 1366, "height": 768})
    page = context.new_page()
    yield page
    context.close()


def login(page, username: str, password: str = "secret-pass"):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/")


def logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login")
