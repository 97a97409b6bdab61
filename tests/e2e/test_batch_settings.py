"""The officer raises a threshold: the re-check of the stored rows is
previewed in place, saved, and the review rows show the new warnings. An
extension with a reason lets one body upload after the deadline while
another is refused, and the extended body's template shows its date."""

from __future__ import annotations

import datetime as dt

import openpyxl

from tests.e2e.conftest import login, logout
from tests.e2e.test_round_trip import fill_template
from tests.helpers import valid_row
from zcweb.models import Applicant, Batch, Org
from zcweb.roster.batch import format_date


def _store(app, rows: list[tuple[str, dict]]) -> None:
    with app.app_context():
        for org, data in rows:
            Applicant.create(batch=Batch.current(), org=Org.get(Org.name == org), id_number=data["id_number"],
                             name=data["name"], data=data)


def test_threshold_change_is_previewed_saved_and_shown_on_review_rows(page, app):
    _store(app, [("百官街道", valid_row(1, name="张三", ce_2023=95)),
                 ("曹娥街道", valid_row(2, name="李四", ce_2022=120, ce_2023=120, ce_2024=120))])
    login(page, "officer")
    page.goto("/review")
    assert page.locator("tr", has_text="张三").locator("span.warn").count() == 0
    page.goto("/admin/batch")
    page.evaluate("window.__marker = 1")
    page.fill("input[name=ce_min_hours]", "100")
    page.click("button:has-text('预览修改')")
    preview = page.locator("#preview")
    preview.locator("text=确认保存").wait_for()
    assert "继续教育学时每年最低 90 → 100：1行新增提示，0行消除提示" in preview.text_content()
    assert page.evaluate("window.__marker") == 1  # previewed in place, nothing saved yet
    with app.app_context():
        assert Batch.current().spec.ce_min_hours == 90
    page.click("button:has-text('确认保存')")
    page.locator(".flash.success").wait_for()
    assert "1行新增提示" in page.text_content(".flash.success")
    page.goto("/review")
    zhang = page.locator("tr", has_text="张三").locator("span.warn")
    assert zhang.text_content().strip() == "⚠ 学时不足"
    assert zhang.get_attribute("title").count("不足100学时") == 3  # all three years
    assert "登记95学时，不足100学时" in zhang.get_attribute("title")
    assert page.locator("tr", has_text="李四").locator("span.warn").count() == 0
    page.goto("/admin/events")
    assert "继续教育学时每年最低 90 → 100" in page.text_content("table")


def test_extension_with_a_reason_lets_one_body_upload_after_the_deadline(page, app, tmp_path):
    with app.app_context():
        batch = Batch.current()
        batch.settings = {**batch.settings, "upload_deadline": (dt.date.today() - dt.timedelta(days=1)).isoformat()}
        batch.save()
    until = dt.date.today() + dt.timedelta(days=4)
    login(page, "officer")
    page.goto("/admin/batch")
    row = page.locator("tr", has_text="曹娥街道")
    row.locator("input[name=until]").fill(until.isoformat())
    row.locator("input[name=reason]").fill("街道公示延后，经局领导同意")
    row.locator("button:has-text('保存')").click()
    page.locator(".flash.success").wait_for()
    assert "延期至" + format_date(until) in page.locator("tr", has_text="曹娥街道").text_content()
    page.goto("/")
    caoe = page.locator("table.bodies tr", has_text="曹娥街道")
    assert "延期：街道公示延后" in caoe.text_content()
    logout(page)

    login(page, "caoe")
    assert format_date(until) in page.text_content(".deadlines")
    with page.expect_download() as download:
        page.click("text=下载本单位花名册模板")
    path = tmp_path / "caoe.xlsx"
    download.value.save_as(path)
    notes = openpyxl.load_workbook(path)["填报说明"]
    text = " ".join(str(c.value) for r in notes.iter_rows() for c in r if c.value)
    assert format_date(until) in text
    fill_template(path, [valid_row(1, name="赵六")])
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/uploads/*")
    page.click("button:has-text('确认导入（1人）')")
    page.wait_for_url("**/")
    assert "赵六" in page.text_content("#my-rows")
    logout(page)

    login(page, "baiguan")
    assert "已过上传截止日期" in page.text_content("main")
    assert page.locator("input[name=file]").count() == 0
