"""A contact uploads a roster with mistakes, sees them on the cells, downloads
the file with the errors marked, fixes it, uploads again and confirms."""

from __future__ import annotations

import openpyxl

from tests.e2e.conftest import login
from tests.e2e.test_round_trip import fill_template
from tests.helpers import valid_row


def test_upload_errors_fix_in_marked_file_and_confirm(page, tmp_path, app):
    login(page, "baiguan")
    with page.expect_download() as download:
        page.click("text=下载本单位花名册模板")
    path = tmp_path / "filled.xlsx"
    download.value.save_as(path)
    fill_template(path, [valid_row(1, name="张三"), valid_row(2, name="李四", sex="女"),
                         valid_row(3, name="王五", specialty="信息技术")])

    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/uploads/*")
    li = page.locator("table.preview tr", has_text="李四")
    assert "性别" in li.locator("td.cell-error").first.text_content()
    wang = page.locator("table.preview tr", has_text="王五")
    assert "信息技术" in wang.locator("td.cell-error").text_content()
    assert "有错误" in page.text_content(".summary")

    with page.expect_download() as download:
        page.click("text=下载错误标注文件")
    marked = tmp_path / "marked.xlsx"
    download.value.save_as(marked)
    wb = openpyxl.load_workbook(marked)
    ws = wb["申报人员"]
    headers = {str(c.value).lstrip("*"): c.column for c in ws[2] if c.value}
    rows = {ws.cell(row=r, column=headers["姓名"]).value: r for r in range(3, 6)}
    sex = ws.cell(row=rows["李四"], column=headers["性别"])
    specialty = ws.cell(row=rows["王五"], column=headers["申报专业"])
    assert sex.comment is not None and specialty.comment is not None
    sex.value = "男"
    specialty.value = "材料"
    wb.save(marked)

    page.goto("/")
    page.set_input_files("input[name=file]", str(marked))
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/uploads/*")
    assert page.locator("td.cell-error").count() == 0
    page.click("button:has-text('确认导入（3人）')")
    page.wait_for_url("**/")
    names = page.locator("#my-rows tbody tr").all_text_contents()
    assert len(names) == 3
    assert all("待审核" in row for row in names)


def test_a_file_over_the_limit_shows_the_chinese_message_in_the_page(page, tmp_path, app):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"0" * 10_000)
    login(page, "baiguan")
    page.set_input_files("input[name=file]", str(big))
    page.click("button:has-text('上传并检查')")
    page.locator("text=上传的文件超过").wait_for()
    assert "文件过大" in page.text_content("h1")
