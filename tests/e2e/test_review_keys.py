"""Reviewing with the keyboard alone: the review keys, and focus kept in the
row after every inline swap for those who move with Tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.helpers import valid_row
from zcweb.models import Applicant, Batch, Event, Org
from zcweb.roster import workflow

CE_SHORT = [{"level": "warning", "column": "ce_2023", "message": "2023年继续教育学时不足", "rule": "ce.short"}]


def pending_rows(app, count: int, short: set[int]) -> list[int]:
    """`count` pending rows of 百官街道, in order; those numbered in `short`
    (from 1) are short of hours. Returns their ids."""
    with app.app_context():
        org = Org.get(Org.name == "百官街道")
        ids = []
        for i in range(1, count + 1):
            data = valid_row(i, name=f"申报人{i:02d}")
            ids.append(Applicant.create(batch=Batch.current(), org=org, position=i, id_number=data["id_number"],
                                        name=data["name"], data=data, warnings=CE_SHORT if i in short else []).id)
    return ids


@pytest.fixture
def ten(app):
    """Ten pending rows of 百官街道, in order; the third is short of hours."""
    return pending_rows(app, 10, {3})


def stored(app, ids):
    with app.app_context():
        rows = {a.id: a for a in Applicant.select().where(Applicant.id.in_(ids))}
        return [(rows[i].status, rows[i].reason, rows[i].copies) for i in ids]


def expect_focus_in(row):
    expect(row.locator(":focus")).to_have_count(1)


def open_desk(page):
    login(page, "officer")
    page.goto("/review")
    page.evaluate("window.__marker = 1")


def test_ten_rows_reviewed_with_the_keyboard_alone(page, app, ten):
    open_desk(page)
    row = [page.locator(f"#a{i}") for i in ten]
    keys = page.keyboard
    keys.press("j")
    expect(page.locator("tr.current")).to_have_id(f"a{ten[0]}")
    keys.press("a")
    expect(row[0].locator(".badge.s-approved")).to_be_visible()
    expect(page.locator("tr.current")).to_have_id(f"a{ten[1]}")
    keys.press("a")
    expect(row[1].locator(".badge.s-approved")).to_be_visible()

    # r: the reason form, focus in its text, the row's warning's preset ticked.
    keys.press("r")
    form = row[2].locator("form.reason-form")
    expect(form.locator("input[name=reason]")).to_be_focused()
    expect(form.locator("input[value='继续教育学时不足']")).to_be_checked()
    keys.type("请补充证明")
    keys.press("Tab")    # the presets' summary
    keys.press("Tab")    # the first preset
    expect(form.locator("input[name=preset]").first).to_be_focused()
    keys.press("Space")
    keys.press("Enter")
    expect(row[2].locator(".badge.s-returned")).to_be_visible()
    expect(page.locator("tr.current")).to_have_id(f"a{ten[3]}")

    keys.press("j")      # 申报人04 is skipped
    keys.press("x")
    expect(row[4].locator("form.reason-form input[name=reason]")).to_be_focused()
    keys.type("不符合申报条件")
    keys.press("Enter")
    expect(row[4].locator(".badge.s-rejected")).to_be_visible()
    keys.press("a")
    expect(row[5].locator(".badge.s-approved")).to_be_visible()
    keys.press("ArrowDown")  # 申报人08 is skipped
    keys.press("a")
    expect(row[7].locator(".badge.s-approved")).to_be_visible()

    # Esc cancels a reason form; the row stays current.
    keys.press("r")
    expect(row[8].locator("form.reason-form input[name=reason]")).to_be_focused()
    keys.press("Escape")
    expect(row[8].locator("form.reason-form")).to_have_count(0)
    expect(page.locator("tr.current")).to_have_id(f"a{ten[8]}")
    keys.press("k")
    keys.press("j")
    keys.press("a")
    expect(row[8].locator(".badge.s-approved")).to_be_visible()
    expect(page.locator("tr.current")).to_have_id(f"a{ten[9]}")
    keys.press("Space")
    expect(row[9].locator("input[name=ids]")).to_be_checked()

    # Keys never fire while typing: "/" focuses the search, "a" is a letter.
    keys.press("/")
    expect(page.locator("input[name=q]")).to_be_focused()
    keys.type("a")
    expect(page.locator("input[name=q]")).to_have_value("a")
    assert page.evaluate("window.__marker") == 1    # no reload happened
    P, A, R, X = workflow.PENDING, workflow.APPROVED, workflow.RETURNED, workflow.REJECTED
    assert stored(app, ten) == [
        (A, None, 0), (A, None, 0), (R, "申报专业不在本次评审范围；继续教育学时不足；请补充证明", 0), (P, None, 0),
        (X, "不符合申报条件", 0), (A, None, 0), (P, None, 0), (A, None, 0), (A, None, 0), (P, None, 0)]


def test_keys_are_listed_and_enter_opens_the_detail_page_where_they_work_too(page, app, ten):
    open_desk(page)
    keys = page.keyboard
    keys.press("?")
    expect(page.locator("#keys dl")).to_be_visible()
    expect(page.locator("#keys")).to_contain_text("退回修改（Tab 选常用原因，空格勾选，Enter 确定，Esc 取消）")
    page.locator("h1").click()    # focus back on the page, out of the box
    keys.press("j")
    keys.press("j")
    keys.press("Enter")
    page.wait_for_url(re.compile(rf"/applicants/{ten[1]}\?next="))
    keys.press("x")
    reason = page.locator("form[data-key=x] input[name=reason]")
    expect(reason).to_be_focused()
    keys.type("材料不全")
    keys.press("Enter")
    page.locator("h1 .badge.s-rejected").wait_for()
    assert stored(app, ten[1:2]) == [(workflow.REJECTED, "材料不全", 0)]


def test_tab_focus_stays_in_the_swapped_row(page, app, ten):
    open_desk(page)
    keys = page.keyboard
    # The skip link is the first stop of Tab and jumps to the table.
    keys.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    keys.press("Enter")
    expect(page.locator("#review-table")).to_be_focused()

    first, second, third = (page.locator(f"#a{i}") for i in ten[:3])
    first.locator("button:has-text('拟推荐')").focus()
    keys.press("Enter")
    expect(first.locator(".badge.s-approved")).to_be_visible()
    expect_focus_in(first)
    expect(first.locator("a:has-text('退回修改')")).to_be_focused()

    # A reason form from Tab: focus in it, then back in the row after sending.
    second.locator("a:has-text('退回修改')").focus()
    keys.press("Enter")
    expect(second.locator("input[name=reason]")).to_be_focused()
    keys.type("请补充业绩")
    keys.press("Enter")
    expect(second.locator(".badge.s-returned")).to_be_visible()
    expect_focus_in(second)

    # Cancelled: focus back on the control that opened it.
    third.locator("a:has-text('不予推荐')").focus()
    keys.press("Enter")
    expect(third.locator("input[name=reason]")).to_be_focused()
    keys.press("Escape")
    expect(third.locator("a:has-text('不予推荐')")).to_be_focused()

    # 评审表: arrow steps save nothing; Enter saves once, focus stays in the box.
    copies = third.locator("select[name=copies]")
    copies.focus()
    keys.press("ArrowDown")
    keys.press("ArrowDown")
    page.wait_for_timeout(300)
    assert stored(app, ten[2:3]) == [(workflow.PENDING, None, 0)]
    keys.press("Enter")
    expect(third.locator("option[value='2'][selected]")).to_be_attached()
    expect(third.locator("select[name=copies]")).to_be_focused()
    # One more step, then leaving the box with Tab saves it; focus on the next control.
    keys.press("ArrowDown")
    keys.press("Tab")
    expect(third.locator("option[value='3'][selected]")).to_be_attached()
    expect(third.locator("button:has-text('拟推荐')")).to_be_focused()
    assert stored(app, ten[2:3]) == [(workflow.PENDING, None, 3)]
    with app.app_context():
        assert Event.select().where(Event.action == "applicant.copies").count() == 2
    assert page.evaluate("window.__marker") == 1


def test_j_and_k_on_the_detail_page_walk_the_filtered_list_and_a_approves(page, app):
    """From a filtered list to a detail page: j / k go to the next / previous
    person of that filter (rows without its warning are passed over), a approves."""
    ids = pending_rows(app, 9, {2, 5, 8})
    login(page, "officer")
    page.goto("/review?warning=ce.short")
    expect(page.locator("tbody tr[data-row]")).to_have_count(3)
    keys = page.keyboard
    keys.press("j")
    keys.press("o")
    page.wait_for_url(re.compile(rf"/applicants/{ids[1]}\?next="))
    keys.press("j")
    page.wait_for_url(re.compile(rf"/applicants/{ids[4]}\?next="))
    expect(page.locator("h1")).to_contain_text("申报人05")
    keys.press("j")
    page.wait_for_url(re.compile(rf"/applicants/{ids[7]}\?next="))
    expect(page.locator('a[rel="next"]')).to_have_count(0)  # the last of the filter
    keys.press("k")
    page.wait_for_url(re.compile(rf"/applicants/{ids[4]}\?next="))
    keys.press("a")
    expect(page.locator("h1 .badge.s-approved")).to_be_visible()
    page.wait_for_load_state()  # "a" posted the form: the page it led to has its keys once loaded
    assert stored(app, ids) == [(workflow.APPROVED if i == 4 else workflow.PENDING, None, 0) for i in range(9)]
    # Still in the filter: j goes on to 申报人08, back to the list keeps the filter.
    keys.press("j")
    page.wait_for_url(re.compile(rf"/applicants/{ids[7]}\?next="))
    page.click("text=← 返回列表")
    page.wait_for_url(re.compile(r"/review\?warning=ce.short"))
