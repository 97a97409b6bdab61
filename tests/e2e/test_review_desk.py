"""The officer's review desk in a real browser: two officers on the same
rows, counts after an action, a bulk return of a filtered set, and every
action again with JavaScript disabled."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import login
from tests.helpers import valid_row
from zcweb.ops.provision import create_user
from zcweb.models import Applicant, Batch, Event, Org, User
from zcweb.roster import workflow


@pytest.fixture
def rows(app):
    """Two rows of 百官街道 and one of 曹娥街道, and a second officer."""
    with app.app_context():
        create_user("officer2", User.OFFICER, None, PASSWORD, "李明")
        made = {}
        for i, (org, name) in enumerate([("百官街道", "张伟"), ("百官街道", "王芳"), ("曹娥街道", "曹强")], 1):
            data = valid_row(i, name=name)
            made[name] = Applicant.create(batch=Batch.current(), org=Org.get(Org.name == org), position=i,
                                          id_number=data["id_number"], name=name, data=data).id
    return made


def status_of(app, applicant_id: int) -> Applicant:
    with app.app_context():
        return Applicant.get_by_id(applicant_id)


def new_page(browser, live_server, username: str, **options):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 768},
                                  **options)
    page = context.new_page()
    login(page, username)
    return page


def mark(page):
    page.evaluate("window.__marker = 1")


def assert_no_reload(page):
    assert page.evaluate("window.__marker") == 1


def assert_fits(page):
    """Nothing in the page (a row error, an open reason form) widens it past the 1366 px viewport."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def count(page, status: str) -> str:
    return page.locator(f"#counts a[data-status={status}] b").text_content()


def test_stale_reason_form_and_copies_from_a_second_officer_are_refused(browser, live_server, app, rows):
    first = new_page(browser, live_server, "officer")
    second = new_page(browser, live_server, "officer2")
    for page in (first, second):
        page.goto("/review")
        mark(page)
    # The second officer opens the reason form; the first approves meanwhile.
    row2 = second.locator(f"#a{rows['张伟']}")
    row2.locator("a:has-text('退回修改')").click()
    row2.locator("label:has-text('重复申报') input").check()
    row1 = first.locator(f"#a{rows['张伟']}")
    row1.locator("button:has-text('拟推荐')").click()
    row1.locator(".badge.s-approved").wait_for()
    second.locator(f"#a{rows['张伟']} button:has-text('确定退回')").click()
    error = second.locator(f"#a{rows['张伟']} .row-error")
    error.wait_for()
    assert re.fullmatch(r"该记录已被裘晶晶于 \d\d:\d\d 改为 拟推荐，以下为最新状态。", error.text_content())
    assert second.locator(f"#a{rows['张伟']} .badge.s-approved").count() == 1
    assert_fits(second)
    assert status_of(app, rows["张伟"]).status == workflow.APPROVED

    # A stale 拟推荐 button (no reason form) is refused too.
    first.locator(f"#a{rows['王芳']} a:has-text('不予推荐')").click()
    first.locator(f"#a{rows['王芳']} label:has-text('重复申报') input").check()
    first.locator(f"#a{rows['王芳']} button:has-text('确定不予推荐')").click()
    first.locator(f"#a{rows['王芳']} .badge.s-rejected").wait_for()
    second.locator(f"#a{rows['王芳']} button:has-text('拟推荐')").click()
    assert "改为 不予推荐" in second.locator(f"#a{rows['王芳']} .row-error").text_content()
    assert status_of(app, rows["王芳"]).status == workflow.REJECTED

    # Paper copies: the second officer's page still shows version 1 of 曹强.
    first.locator(f"#a{rows['曹强']} select[name=copies]").select_option("2")
    first.locator(f"#a{rows['曹强']} option[value='2'][selected]").wait_for(state="attached")
    second.locator(f"#a{rows['曹强']} select[name=copies]").select_option("1")
    assert "将评审表改为 2 份" in second.locator(f"#a{rows['曹强']} .row-error").text_content()
    assert status_of(app, rows["曹强"]).copies == 2
    for page in (first, second):
        assert_no_reload(page)
        page.context.close()


def test_counts_change_after_an_action_without_reload(page, app, rows):
    login(page, "officer")
    page.goto("/review")
    mark(page)
    assert (count(page, "pending"), count(page, "approved")) == ("3", "0")
    page.locator(f"#a{rows['张伟']} button:has-text('拟推荐')").click()
    expect(page.locator("#counts a[data-status=approved] b")).to_have_text("1")  # no eval under the CSP
    assert count(page, "pending") == "2"
    page.locator(f"#a{rows['王芳']} a:has-text('退回修改')").click()
    page.locator(f"#a{rows['王芳']} input[name=reason]").fill("请补充业绩材料")
    assert_fits(page)
    page.locator(f"#a{rows['王芳']} button:has-text('确定退回')").click()
    expect(page.locator("#counts a[data-status=returned] b")).to_have_text("1")  # no eval under the CSP
    assert count(page, "pending") == "1"
    assert_no_reload(page)


def test_bulk_return_of_a_filtered_set(page, app, rows):
    login(page, "officer")
    page.goto("/review")
    mark(page)
    with app.app_context():
        baiguan = Org.get(Org.name == "百官街道").id
    page.select_option("select[name=org]", str(baiguan))
    page.wait_for_url(f"**/review?org={baiguan}*")
    page.locator("#results tbody tr").filter(has_text="曹强").wait_for(state="detached")
    bulk = page.locator("#bulk")
    bulk.locator("input[name=all]").check()
    bulk.locator("summary").click()
    bulk.locator("label:has-text('逾期报送') input").check()
    bulk.locator("button:has-text('退回修改')").click()
    question = page.locator("#bulk-panel .question")
    question.wait_for()
    assert question.text_content() == "确定对符合当前筛选条件的全部 2 人执行“退回修改”吗？原因：逾期报送"
    page.click("#bulk-panel button:has-text('确定退回修改（2人）')")
    page.locator("#results .flash.success", has_text="已退回修改 2 人。").wait_for()
    assert page.locator("#results tbody .badge.s-returned").count() == 2
    assert count(page, "returned") == "2"
    assert_no_reload(page)
    assert f"/review?org={baiguan}" in page.url
    with app.app_context():
        assert [Applicant.get_by_id(rows[n]).status for n in ("张伟", "王芳", "曹强")] == \
            [workflow.RETURNED, workflow.RETURNED, workflow.PENDING]
        assert Event.select().where(Event.action == "applicant.return").count() == 2


def test_every_action_works_without_javascript(browser, live_server, app, rows):
    page = new_page(browser, live_server, "officer", java_script_enabled=False)
    with app.app_context():
        baiguan = Org.get(Org.name == "百官街道").id
    listing = f"/review?org={baiguan}"
    page.goto(listing)
    page.locator(f"#a{rows['张伟']} button:has-text('拟推荐')").click()
    page.wait_for_url(f"**{listing}")
    assert page.locator(f"#a{rows['张伟']} .badge.s-approved").count() == 1
    assert "张伟：已拟推荐。" in page.text_content("main")

    # 退回修改 opens its reason form on the detail page, then returns to the list.
    page.locator(f"#a{rows['王芳']} a:has-text('退回修改')").click()
    form = page.locator("form.opened")
    form.locator("label:has-text('继续教育学时不足') input").check()
    form.locator("input[name=reason]").fill("2023年")
    form.locator("button:has-text('退回修改')").click()
    page.wait_for_url(f"**{listing}")
    assert "继续教育学时不足；2023年" in page.locator(f"#a{rows['王芳']} td.reason").text_content()

    # Paper copies: a 保存 button appears in place of the change trigger.
    page.locator(f"#a{rows['王芳']} select[name=copies]").select_option("3")
    page.locator(f"#a{rows['王芳']} button:has-text('保存')").click()
    page.wait_for_url(f"**{listing}")
    assert status_of(app, rows["王芳"]).copies == 3

    # Bulk: tick, confirm on its own page, back to the filtered list.
    page.locator(f"#a{rows['张伟']} input[name=ids]").check()
    page.locator(f"#a{rows['王芳']} input[name=ids]").check()
    page.locator("#bulk summary").click()
    page.locator("#bulk label:has-text('逾期报送') input").check()
    page.locator("#bulk button:has-text('退回修改')").click()
    assert "确定对选中的 2 人执行“退回修改”吗？" in page.text_content(".question")
    page.click("button:has-text('确定退回修改（2人）')")
    page.wait_for_url(f"**{listing}")
    assert "已退回修改 1 人。1 人未作改动（该记录当前为“退回修改”，不能退回修改）：王芳。" in page.text_content("main")
    assert status_of(app, rows["张伟"]).reason == "逾期报送"
    page.context.close()


def test_contact_confirms_before_withdrawing(page, app, rows):
    login(page, "baiguan")
    page.locator("#my-rows tr", has_text="王芳").locator("a:has-text('详情')").click()
    page.click("button:has-text('撤回')")
    assert "确定撤回“王芳”的申报吗？" in page.text_content(".question")
    assert status_of(app, rows["王芳"]).status == workflow.PENDING
    page.click("button:has-text('确定撤回')")
    page.locator("h1 .badge.s-withdrawn").wait_for()
    assert status_of(app, rows["王芳"]).status == workflow.WITHDRAWN
