"""A contact fixes two bad identity numbers right in the upload preview,
without reloading the page, and confirms; the edits are kept."""

from __future__ import annotations

import os
import re

from zcweb.models import Applicant, Org

from tests.e2e.conftest import login
from tests.helpers import make_id, roster, valid_row

SHOTS = os.environ.get("ZCWEB_SHOTS")  # a folder: also save screenshots there


def summary(page) -> str:
    return re.sub(r"\s+", "", page.text_content("#preview-counts .summary"))


def settled(page) -> None:
    """Wait until htmx has swapped and processed new content: a link in a
    row swapped in a moment ago is a plain link until then."""
    # A locator, not wait_for_function: the page's CSP forbids the eval
    # that wait_for_function's polling needs.
    page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added").first.wait_for(state="detached")


def test_fix_two_identity_numbers_in_the_preview_and_confirm(page, tmp_path, app):
    zhang = valid_row(1, name="张三")
    with app.app_context():
        data = roster(Org.get(Org.name == "百官街道"), [
            zhang,
            valid_row(2, name="李四", id_number="330604198506121234"),  # wrong check digit
            valid_row(3, name="王五", id_number="33060419850612"),  # too short
            dict(zhang, name="赵六"),  # the same person twice
        ])
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(data)
    login(page, "baiguan")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/uploads/*")
    assert "4有错误" in summary(page) and "0新增" in summary(page)
    page.evaluate("window.__marker = 1")

    li = page.locator("table.preview tr", has_text="李四")
    li.locator("td.fixable").first.click()
    field = page.locator("form.cell-edit input[name=value]")
    settled(page)
    assert field.input_value() == "330604198506121234"
    # Esc gives the cell back unchanged.
    field.press("Escape")
    page.locator("form.cell-edit").wait_for(state="detached")
    settled(page)
    li.locator("a.cell-fix").first.click()
    field.wait_for()
    settled(page)  # Enter in a form htmx has not processed yet would post it as a page
    field.fill(valid_row(2)["id_number"])
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "preview-edit-open.png"))
    field.press("Enter")
    page.locator("table.preview tr", has_text="李四").locator("td", has_text="新增").wait_for()
    assert "1新增" in summary(page) and "3有错误" in summary(page)
    settled(page)

    wang = page.locator("table.preview tr", has_text="王五")
    wang.locator("a.cell-fix").first.click()
    page.locator("form.cell-edit input[name=value]").wait_for()
    settled(page)
    page.locator("form.cell-edit input[name=value]").fill(make_id("19850612", 107))
    page.locator("form.cell-edit input[name=value]").press("Enter")
    page.locator("#preview-counts .summary", has_text="2新增").wait_for()
    assert "2有错误" in summary(page)  # the duplicate pair is still there
    assert page.evaluate("window.__marker") == 1  # no reload
    history = page.locator("#edit-history tbody tr")
    assert history.count() == 2
    assert "李四" not in history.all_text_contents()[0]
    assert all("身份证号" in text for text in history.all_text_contents())
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "preview-after-edits.png"), full_page=True)

    page.click("button:has-text('确认导入（2人）')")
    page.wait_for_url("**/")
    with app.app_context():
        stored = {a.name: a.id_number for a in Applicant.select()}
    assert stored == {"李四": valid_row(2)["id_number"], "王五": make_id("19850612", 107)}
    page.go_back()
    page.reload()
    assert page.locator("#edit-history tbody tr").count() == 2
    assert page.locator("a.cell-fix").count() == 0
