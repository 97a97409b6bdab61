"""The review list in a real browser: sorting and filters live in the URL,
change through htmx without a reload, and paging scrolls to the table."""

from __future__ import annotations

import re

from zcweb.models import Applicant, Batch, Org

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.helpers import valid_row


def settled(page, expression: str, tries: int = 100) -> None:
    """Wait until `expression` is true, polled from here: the page's CSP
    forbids the eval that wait_for_function needs."""
    for _ in range(tries):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def names(page) -> list[str]:
    return page.locator("#results tbody tr td:nth-child(2) a").all_inner_texts()


def test_sort_and_filters_are_restored_from_the_url_and_changed_without_reload(page, ctx):
    batch, org = Batch.current(), Org.get(Org.name == "百官街道")
    for i, name in enumerate(["甲", "乙", "丙", "丁", "戊"], start=1):
        data = valid_row(i, name=f"破格{name}", route="破格" if i != 3 else "正常", self_score=125)
        Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=data["name"], data=data)
    login(page, "officer")
    page.goto("/review?route=破格&sort=-name")
    assert page.locator("select[name=route]").input_value() == "破格"
    assert page.locator("select[name=sort]").input_value() == "-name"
    assert names(page) == ["破格甲", "破格戊", "破格乙", "破格丁"]  # code points, descending
    page.evaluate("window.__marker = 1")

    page.click("#results th a:has-text('姓名')")
    page.wait_for_url(re.compile(r"sort=name"))
    assert "route=%E7%A0%B4%E6%A0%BC" in page.url
    expect(page.locator("select[name=sort]")).to_have_value("name")
    assert names(page) == ["破格丁", "破格乙", "破格戊", "破格甲"]

    page.select_option("select[name=route]", "正常")
    page.wait_for_url(re.compile(r"route=%E6%AD%A3%E5%B8%B8"))
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert names(page) == ["破格丙"] and "sort=name" in page.url
    assert page.evaluate("window.__marker") == 1

    page.go_back()  # htmx restores the previous list from its history
    expect(page.locator("#results tbody tr")).to_have_count(4)
    assert page.evaluate("window.__marker") == 1


def test_paging_by_htmx_scrolls_to_the_top_of_the_table(page, ctx):
    batch, org = Batch.current(), Org.get(Org.name == "百官街道")
    for i in range(1, 121):
        data = valid_row(i, name=f"人{i:03d}")
        Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=data["name"], data=data)
    login(page, "officer")
    page.goto("/review")
    page.evaluate("window.__marker = 1")
    pager = page.locator("nav.pager")
    pager.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 500
    pager.locator("a:has-text('3')").click()
    page.wait_for_url(re.compile(r"page=3"))
    expect(page.locator("#results tbody td:nth-child(2)").first).to_contain_text("人101")
    # htmx scrolls once the new rows have settled: the table's top comes to the top of the window
    settled(page, "Math.abs(document.getElementById('results').getBoundingClientRect().top) < 5")
    page.fill("form.goto input[name=page]", "2")
    page.click("form.goto button")
    page.wait_for_url(re.compile(r"page=2"))
    assert names(page)[0] == "人051"
    assert page.evaluate("window.__marker") == 1
