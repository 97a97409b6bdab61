"""Under the strict Content-Security-Policy the main pages report no
violation in the browser's console, and htmx still works."""

from __future__ import annotations

import pytest

from zcweb.models import Org

from tests.e2e.conftest import login, logout
from tests.helpers import roster, valid_row

# Runs before each page's own scripts (through the DevTools protocol, which
# the page's CSP does not govern) and keeps every violation the page reports.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  e => window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));
"""


@pytest.fixture
def watched(page):
    page.context.add_init_script(WATCH)
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    page.console_errors = messages
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__csp") + [m for m in page.console_errors if "Content Security Policy" in m]


def visit(page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], path


def test_the_watch_catches_a_violation(watched):
    """The check below can fail: an inline style attribute is reported."""
    visit(watched, "/login")
    watched.evaluate("document.body.setAttribute('style', 'color: red')")
    for _ in range(50):  # polled from here: wait_for_function needs eval, which the CSP forbids
        if watched.evaluate("window.__csp.length"):
            break
        watched.wait_for_timeout(20)
    assert "style-src-attr" in violations(watched)[0]


def test_main_pages_show_no_csp_violation_and_htmx_works(watched, app, tmp_path):
    page = watched
    with app.app_context():
        data = roster(Org.get(Org.name == "百官街道"), [valid_row(1, name="张三"), valid_row(2, name="李四")])
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(data)

    visit(page, "/login")
    login(page, "baiguan")
    assert violations(page) == []
    # The upload form is an htmx form with a busy indicator; htmx redirects
    # the page to the preview.
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/uploads/*")
    assert violations(page) == []
    page.click("button:has-text('确认导入')")
    page.wait_for_url("**/")
    for where in ("/", "/uploads", "/password"):
        visit(page, where)
    logout(page)

    login(page, "officer")
    for where in ("/", "/review", "/uploads", "/uploads/1", "/applicants/1", "/admin/orgs", "/admin/users",
                  "/admin/batch", "/admin/events", "/reconcile"):
        visit(page, where)
    # An htmx action on the review page: the row is replaced in place.
    visit(page, "/review")
    page.evaluate("window.__marker = 1")
    row = page.locator("tr", has_text="张三")
    row.locator("button:has-text('拟推荐')").click()
    page.locator("tr", has_text="张三").locator(".badge", has_text="拟推荐").wait_for()
    assert page.evaluate("window.__marker") == 1
    # The filter form swaps the results with htmx too.
    page.select_option("select[name=status]", "approved")
    page.wait_for_url("**status=approved**")
    assert page.evaluate("window.__marker") == 1
    # Active search (keyup with `from:input[name=q]`, no eval needed);
    # typed in ASCII, since Playwright types Chinese without key events.
    page.select_option("select[name=status]", "")
    page.wait_for_url("**status=&**")
    page.type("input[name=q]", valid_row(2)["id_number"])
    page.wait_for_url("**q=3306**")
    page.locator("#results tbody tr", has_text="张三").wait_for(state="detached")
    assert page.locator("#results tbody tr", has_text="李四").count() == 1
    assert page.evaluate("window.__marker") == 1
    assert violations(page) == []
