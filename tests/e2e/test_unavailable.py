"""The database goes away under a page: an htmx click shows the Chinese
503 page instead of silently doing nothing, and the page works again once
the database is back."""

from __future__ import annotations

from zcweb.db import bind, is_sqlite

from tests.e2e.conftest import login


def test_htmx_shows_the_503_page_when_the_database_is_down_and_recovers(page, app, tmp_path):
    login(page, "officer")
    page.goto("/review")
    page.evaluate("window.__marker = 1")
    url = app.config["DATABASE_URL"]
    with app.app_context():
        sqlite = is_sqlite()
    bind(f"sqlite:///{tmp_path}/gone/zcweb.sqlite3" if sqlite else "postgresql://zcweb@127.0.0.1:1/zcweb")
    page.select_option("select[name=status]", "pending")  # htmx GET /review
    page.wait_for_selector("h1:has-text('数据库暂时不可用')")
    assert "请稍等片刻后重试" in page.inner_text("body")
    assert page.evaluate("window.__marker") == 1  # shown by htmx, not by a reload
    bind(url)
    page.click("a:text-is('重试')")
    page.wait_for_selector("h1:has-text('审核申报人员')")
