"""Real-world and hostile files through the web upload: for each, the exact
outcome, and that nothing but the kept upload (and its log line) changed.
The files are built in code by tests/rosterfiles.py."""

from __future__ import annotations

import pytest

from zcweb.models import MODELS, Applicant, Event, Upload, UploadRow

from tests import rosterfiles as rf
from tests.helpers import upload

REFUSED = {
    "pdf": "这是 PDF 文件，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。",
    "png": "这是图片（PNG），不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。",
    "jpeg": "这是图片（JPEG），不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。",
    "docx": "这是 Word 文档，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。",
    "plain_zip": "这是 ZIP 压缩包（其中有 2 个文件：花名册.xlsx、说明.txt），不是 Excel 花名册。"
                 "请解压后上传其中的花名册（.xlsx 文件）。",
    "empty": "文件是空的，请选择填好的花名册重新上传。",
    "xlsm": "文件包含宏（VBA 代码），为安全起见不予读取。请另存为 .xlsx（Excel 工作簿）后重新上传。",
    "xls_macro": "文件包含宏（VBA 代码），为安全起见不予读取。请另存为 .xlsx（Excel 工作簿）后重新上传。",
    "encrypted_xlsx": "文件设置了打开密码，请取消密码后另存为 .xlsx 再上传。",
    "encrypted_ods": "文件设置了打开密码，请取消密码后另存为 .xlsx 再上传。",
    "xls_password": "文件设置了打开密码，请取消密码后另存为 .xlsx 再上传。",
    "zip_bomb": "文件解压后过大，疑似异常文件。请用 Excel 或 WPS 打开确认内容后另存为 .xlsx 再上传。",
    "ratio_bomb": "文件解压后过大，疑似异常文件。请用 Excel 或 WPS 打开确认内容后另存为 .xlsx 再上传。",
    "lying_size_xlsx": "文件解压后过大，疑似异常文件。请用 Excel 或 WPS 打开确认内容后另存为 .xlsx 再上传。",
    "page_without_table": "这是网页（HTML）文件，其中没有表格，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。",
    "xml_spreadsheet_damaged": "文件已损坏或不是有效的表格文件，无法读取。请用 Excel 或 WPS 打开，确认内容无误后另存为 .xlsx"
                               "（Excel 工作簿）再上传。",
    "xls_garbage": "文件已损坏或不是有效的表格文件，无法读取。请用 Excel 或 WPS 打开，确认内容无误后另存为 .xlsx"
                   "（Excel 工作簿）再上传。",
    "csv_with_nul": "无法识别文件内容，它不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。",
    "undecodable": "CSV 文件第 2 行有无法识别的字符（文件可能已损坏，或不是以 UTF-8 或 GBK 编码保存）。"
                   "请用 Excel 打开，检查这一行后另存为 .xlsx（Excel 工作簿）再上传。",
    "missing_required_xlsx": "缺少必填列：身份证号、申报专业。请使用本批次模板填写，或在表头行补上这些列后重新上传。",
    "instructions_only_xlsx": "未找到表头：请确认第一张工作表含有“姓名”“身份证号”等列标题（表头须在前 30 行内）。",
    "far_corner_xlsx": "工作表“申报人员”的 XFD1048576 单元格有内容，离花名册数据太远，无法读取。"
                       "请删除表格下方和右侧多余的内容（选中多余的行或列，右键“删除”）后重新上传。",
    # Read through, token and all: the token of another template is refused.
    "xml_spreadsheet_xls": "文件中的模板标识校验不通过（模板的隐藏信息被改动过，或不是本系统下载的模板）。"
                           "请重新下载本单位模板，把数据复制进去后再上传。",
    "template_xlsx": "文件中的模板标识校验不通过（模板的隐藏信息被改动过，或不是本系统下载的模板）。"
                     "请重新下载本单位模板，把数据复制进去后再上传。",
}

# file → (rows read, new, with errors, rules found, notes or extra headers expected)
READ = {
    "plain_xlsx": (2, 1, 1, {"month.invalid"}),
    "header_only_xlsx": (0, 0, 0, set()),
    "header_variants_xlsx": (1, 1, 0, set()),
    "shuffled_columns_xlsx": (2, 1, 1, {"month.invalid"}),
    "title_rows_xlsx": (1, 1, 0, set()),
    "annotated_headers_xlsx": (1, 1, 0, set()),
    "extra_columns_xlsx": (1, 1, 0, set()),
    "duplicate_header_xlsx": (1, 1, 0, set()),
    "hidden_first_sheet_xlsx": (1, 1, 0, set()),
    "two_sheets_xlsx": (1, 1, 0, set()),
    "id_number_forms_xlsx": (8, 0, 8, {"duplicate.in_file", "idcard.numeric", "idcard.old15", "idcard.scientific"}),
    "date_forms_xlsx": (7, 0, 7, {"duplicate.in_file", "seniority.short"}),
    "merged_cells_xlsx": (2, 1, 1, {"month.invalid", "required"}),
    "two_row_header_xlsx": (2, 1, 1, {"month.invalid"}),
    "filtered_xlsx": (4, 3, 1, {"month.invalid"}),
    "odd_text_xlsx": (2, 0, 2, {"month.invalid", "text.too_long"}),
    "gaps_xlsx": (3, 1, 2, {"ce.short", "month.invalid", "required"}),
    "formulas_xlsx": (1, 1, 0, set()),
    "styled_template_like_xlsx": (0, 0, 0, set()),
    "claim_styled_rows_xlsx": (2, 1, 1, {"month.invalid"}),
    "claim_dimension_xlsx": (2, 1, 1, {"month.invalid"}),
    "counted_cells_xlsx": (1, 1, 0, set()),
    "csv_utf8": (2, 1, 1, {"month.invalid"}),
    "csv_utf8_bom": (2, 1, 1, {"month.invalid"}),
    "csv_gbk": (2, 1, 1, {"month.invalid"}),
    "csv_tab": (2, 1, 1, {"month.invalid"}),
    "csv_semicolon": (2, 1, 1, {"month.invalid"}),
    "csv_odd_text": (2, 1, 1, {"month.invalid"}),
    "unicode_text": (2, 1, 1, {"month.invalid"}),
    "xls": (2, 1, 1, {"month.invalid"}),
    "xls_hidden_sheet": (1, 1, 0, set()),
    "filtered_xls": (4, 3, 1, {"month.invalid"}),
    "backslash_xlsx": (2, 1, 1, {"month.invalid"}),
    "bare_xlsx": (2, 1, 1, {"month.invalid"}),
    "strict_xlsx": (2, 1, 1, {"month.invalid"}),
    "xlsb": (2, 1, 1, {"month.invalid"}),
    "xlsm_without_vba": (2, 1, 1, {"month.invalid"}),
    "html_xls": (1, 1, 0, set()),
    "web_page_xls": (2, 1, 1, {"month.invalid"}),
    "web_archive_mht": (2, 1, 1, {"month.invalid"}),
}

NOTES = {
    "hidden_first_sheet_xlsx": "已跳过隐藏的工作表“2023年”",
    "duplicate_header_xlsx": "“身份证号码”（AE 列）与“身份证号”（D 列）重复，已读取 D 列",
    "two_sheets_xlsx": "读取的是表头最完整的“花名册”",
    "filtered_xlsx": "第 3、5 行在 Excel 中是隐藏的",
    "filtered_xls": "第 3、5 行在 Excel 中是隐藏的",
}


def snapshot() -> dict:
    """Every table but the kept uploads (with their preview rows) and the
    log, row by row."""
    return {model.__name__: [tuple(r.values())
                             for r in model.select().order_by(*model._meta.get_primary_keys()).dicts()]
            for model in MODELS if model not in (Upload, UploadRow, Event)}


@pytest.fixture
def contact(client, ctx):
    client.login("baiguan")
    return client


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_file_says_why_and_changes_nothing(contact, name):
    before, uploads, events = snapshot(), Upload.select().count(), Event.select().count()
    response = upload(contact, getattr(rf, name)(), name=f"{name}.xlsx")
    assert response.status_code == 303
    kept = Upload.select().order_by(Upload.id.desc()).first()
    assert (kept.status, kept.message) == (Upload.REFUSED, REFUSED[name])
    assert kept.rows.count() == 0
    assert snapshot() == before
    assert (Upload.select().count(), Event.select().count()) == (uploads + 1, events + 1)
    assert REFUSED[name] in contact.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(READ))
def test_readable_file_previews_exactly_and_confirms_only_good_rows(contact, name):
    rows, new, errors, rules = READ[name]
    before = snapshot()
    upload(contact, getattr(rf, name)(), name=f"{name}.xlsx")
    kept = Upload.select().order_by(Upload.id.desc()).first()
    assert kept.status == Upload.PREVIEW
    summary = kept.summary
    assert (summary["rows"], summary["new"], summary["error"]) == (rows, new, errors)
    found = {f["rule"] for r in kept.rows for f in r.findings or []}
    assert found == rules
    if name in NOTES:
        assert any(NOTES[name] in note for note in kept.preview["notes"])
    if name == "extra_columns_xlsx":
        assert kept.preview["extra_headers"] == ["籍贯", "民族"]
    assert snapshot() == before  # a preview writes no applicant
    contact.post(f"/uploads/{kept.id}/confirm")
    assert Applicant.select().count() == new


def test_script_in_a_name_is_shown_as_text_not_run(contact):
    upload(contact, rf.odd_text_xlsx())
    kept = Upload.select().order_by(Upload.id.desc()).first()
    page = contact.get(f"/uploads/{kept.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_too_many_rows_are_refused_with_the_limit(contact, app):
    app.config["IMPORT_MAX_ROWS"] = 5
    upload(contact, rf.many_rows_xlsx(6))
    kept = Upload.select().order_by(Upload.id.desc()).first()
    assert kept.status == Upload.REFUSED and "5" in kept.message
    assert UploadRow.select().count() == 0  # the rows read before the refusal are rolled back
    assert Applicant.select().count() == 0


def test_a_file_over_the_size_limit_gets_a_chinese_413_page(contact, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(contact, b"x" * 4096, name="big.xlsx")
    assert response.status_code == 413
    assert "上传的文件超过" in response.get_data(as_text=True)
    assert Upload.select().count() == 0


@pytest.mark.soffice
def test_our_template_imports_unchanged_after_a_libreoffice_round_trip(contact):
    """Saved as .xls by LibreOffice (as an old office PC would) and back to
    .xlsx: both import with the template recognised and the values intact."""
    from zcweb.models import Org

    from tests.helpers import roster, valid_row

    template = roster(Org.get(Org.name == "百官街道"), [valid_row(1, name="往返"), valid_row(2)])
    xls = rf.soffice_convert(template, ".xlsx", "xls")
    back = rf.soffice_convert(xls, ".xls", "xlsx")
    for data in (xls, back):
        upload(contact, data)
        kept = Upload.select().order_by(Upload.id.desc()).first()
        assert (kept.status, kept.summary["new"], kept.summary["error"]) == (Upload.PREVIEW, 2, 0)
        first = kept.rows.order_by(UploadRow.row)[0]
        assert first.values == valid_row(1, name="往返")
    # The template's signed metadata survives the round trip too.
    other = rf.soffice_convert(roster(Org.get(Org.name == "曹娥街道"), [valid_row(3)]), ".xlsx", "xls")
    upload(contact, other)
    assert "这是“曹娥街道”的模板" in Upload.select().order_by(Upload.id.desc()).first().message


def test_a_web_page_export_comes_back_as_the_real_template_with_its_faulty_cell_marked(contact):
    """The contact's way forward from a system's HTML .xls: the marked copy
    is a real xlsx template holding the page's rows, the identity numbers
    as text and the bad cell commented."""
    import io

    import openpyxl

    upload(contact, rf.web_page_xls(), name="人事系统导出.xls")
    kept = Upload.select().order_by(Upload.id.desc()).first()
    with contact.get(f"/uploads/{kept.id}/marked.xlsx") as response:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data))["申报人员"]
    headers = {str(c.value).lstrip("*"): c.column for c in sheet[2] if c.value}
    rows = {sheet.cell(row=r, column=headers["姓名"]).value: r for r in range(3, sheet.max_row + 1)}
    assert set(rows) - {None} == {"林秀英", "陈国强"}  # the template's styled empty rows follow
    assert sheet.cell(row=rows["林秀英"], column=headers["身份证号"]).value == rf.ID_WOMAN_1949
    month = sheet.cell(row=rows["陈国强"], column=headers["出生年月"])
    assert month.comment is not None and "1880-01" in month.comment.text
    assert sheet.cell(row=rows["陈国强"], column=headers["备注"]).value == "材料已交\n原件已核"
