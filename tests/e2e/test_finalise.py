"""定稿上报 in the browser: the check page refuses without the
acknowledgement (JavaScript on and off), a finalised review table has no
actions, and 撤销定稿 with reopening lets a contact upload again."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, logout
from tests.helpers import valid_row
from zcweb.models import Applicant, Batch, Org
from zcweb.roster import workflow

ACK = "以上情况已知悉，仍要定稿"


@pytest.fixture
def rows(app):
    with app.app_context():
        batch, org = Batch.current(), Org.get(Org.name == "百官街道")
        for i, status in enumerate([workflow.APPROVED, workflow.PENDING], start=1):
            data = valid_row(i, name=f"人员{i}")
            Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=data["name"], data=data,
                             status=status)


def finalised(app) -> bool:
    with app.app_context():
        return Batch.current().finalised_at is not None


@pytest.mark.parametrize("javascript", [True, False])
def test_check_page_refuses_without_the_acknowledgement(browser, live_server, app, rows, javascript):
    context = browser.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=javascript)
    page = context.new_page()
    login(page, "officer")
    page.click("a:has-text('定稿上报…')")
    page.wait_for_url("**/review/finalise")
    assert page.locator("tr", has_text="待审核").locator("a").text_content() == "1"
    page.click("button:has-text('定稿上报')")
    page.locator("text=请逐项查看").wait_for()
    assert not finalised(app)
    page.check(f"label:has-text('{ACK}') input")
    page.click("button:has-text('定稿上报')")
    page.locator("text=已定稿：1人列入推荐人员汇总表").wait_for()
    assert finalised(app)
    context.close()


def test_finalised_rows_have_no_actions_and_reopening_lets_a_contact_upload(page, app, rows):
    login(page, "officer")
    page.goto("/review/finalise")
    page.check(f"label:has-text('{ACK}') input")
    page.click("button:has-text('定稿上报')")
    page.locator("text=已定稿").first.wait_for()
    page.goto("/review")
    assert page.locator(".final-banner").text_content().count("定稿上报") == 1
    table = page.locator("table.review")
    assert table.locator("button, select, input").count() == 0 and table.locator("td.ops", has_text="已定稿").count() == 2
    logout(page)
    login(page, "baiguan")
    assert page.locator("input[type=file]").count() == 0
    logout(page)
    login(page, "officer")
    page.goto("/exports")
    assert page.locator("input[name=reopen_uploads]").is_checked()
    page.fill("input[name=reason]", "漏报一人")
    page.click("button:has-text('撤销定稿')")
    page.locator("text=已重新接收各单位上传").wait_for()
    page.goto("/")
    assert page.locator("h2", has_text="代单位上传").count() == 1
    logout(page)
    login(page, "baiguan")
    assert page.locator("input[type=file]").count() == 1
