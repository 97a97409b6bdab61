"""The whole round trip through the real pages: a township contact fills the
template and uploads it, the officer decides inline, the contact sees the
outcome, the officer exports the recommended roster."""

from __future__ import annotations

import datetime as dt

import openpyxl

from zcweb.roster.schema import header_key, load_schema

from tests.e2e.conftest import login, logout
from tests.helpers import valid_row

SCHEMA = load_schema("roster-2024")


def fill_template(path, rows: list[dict]) -> None:
    """Type rows into the downloaded template as a contact would in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SCHEMA.sheet]
    columns = {}
    for cell in ws[2]:
        column = SCHEMA.match_header(cell.value) if cell.value else None
        if column:
            columns[column.key] = cell.column
    for offset, row in enumerate(rows):
        for key, value in row.items():
            if SCHEMA[key].type == "date":
                value = dt.date.fromisoformat(value)
            ws.cell(row=3 + offset, column=columns[key], value=value)
    wb.save(path)


def read_export(path) -> list[list]:
    ws = openpyxl.load_workbook(path).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_round_trip(page, tmp_path):
    # The contact downloads the template, fills three applicants, uploads.
    login(page, "baiguan")
    assert "百官街道" in page.text_content("main")
    assert "本单位上传截止" in page.text_content("main")
    with page.expect_download() as download:
        page.click("text=下载本单位花名册模板")
    assert download.value.suggested_filename == "2024年度职称申报推荐花名册-百官街道.xlsx"
    path = tmp_path / "filled.xlsx"
    download.value.save_as(path)
    fill_template(path, [valid_row(1, name="张三"), valid_row(2, name="李四"), valid_row(3, name="王五")])

    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/uploads/*")
    summary = page.text_content(".summary")
    assert "3新增" in summary.replace(" ", "").replace("\n", "")
    assert page.locator("table.preview tbody tr").count() == 3
    page.click("button:has-text('确认导入')")
    page.wait_for_url("**/")
    assert "已导入3人（新增3人" in page.text_content(".flash")
    rows = page.locator("#my-rows tbody tr")
    assert rows.count() == 3
    for i in range(3):
        assert "待审核" in rows.nth(i).text_content()
    logout(page)

    # The officer approves one and returns another, each inline.
    login(page, "officer")
    page.goto("/review")
    page.evaluate("window.__notReloaded = true")
    zhang = page.locator("tr", has_text="张三")
    zhang.locator("button:has-text('拟推荐')").click()
    page.locator("tr", has_text="张三").locator(".badge.s-approved").wait_for()
    li = page.locator("tr", has_text="李四")
    li.locator("a:has-text('退回修改')").click()
    reason = page.locator("tr", has_text="李四").locator("input[name=reason]")
    reason.fill("继续教育学时不足")
    page.locator("tr", has_text="李四").locator("button:has-text('确定退回')").click()
    page.locator("tr", has_text="李四").locator(".badge.s-returned").wait_for()
    assert "继续教育学时不足" in page.locator("tr", has_text="李四").text_content()
    assert page.evaluate("window.__notReloaded") is True
    logout(page)

    # The contact sees the new statuses and the reason.
    login(page, "baiguan")
    table = page.locator("#my-rows")
    assert "拟推荐" in table.locator("tr", has_text="张三").text_content()
    returned = table.locator("tr", has_text="李四").text_content()
    assert "退回修改" in returned and "继续教育学时不足" in returned
    assert "待审核" in table.locator("tr", has_text="王五").text_content()
    logout(page)

    # The officer exports the recommended roster: exactly the approved one.
    login(page, "officer")
    page.click("text=导出与定稿文件")
    with page.expect_download() as download:
        page.click("a.button:has-text('推荐人员汇总表')")
    out = tmp_path / "export.xlsx"
    download.value.save_as(out)
    cells = read_export(out)
    header_row = next(i for i, r in enumerate(cells) if "姓名" in [header_key(v) for v in r])
    headers = [header_key(v) for v in cells[header_row]]
    data = [r for r in cells[header_row + 1:] if any(v not in (None, "") for v in r)]
    assert [r[0] for r in data[1:]] == ["合计：1人", "填表人：裘晶晶　　　　联系电话：82212393"]
    record = dict(zip(headers, data[0]))
    assert record["序号"] == 1 and record["姓名"] == "张三"
    assert record["推荐单位"] == "百官街道"
