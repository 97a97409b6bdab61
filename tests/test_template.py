"""The township template: what a contact sees and what the reader relies on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from zcweb.roster.batch import load_preset
from zcweb.roster.schema import DEFINITIONS_DIR, INFO_HEADERS, INSTRUCTIONS_SHEET, load_schema
from zcweb.roster.template import FIRST_DATA_ROW, HEADER_ROW, LISTS_SHEET, META_SHEET, PROTECTION_PASSWORD, TITLE_ROW, build_template, template_filename

ORG = "百官街道"
TOKEN = "zcweb1.eyJvcmciOiAxfQ.0123456789abcdef0123456789abcdef"
PREPARED = 1000
LAST_ROW = FIRST_DATA_ROW + PREPARED - 1


def example_row(**changes) -> dict:
    """A fully valid 2024 roster row, cleaned values by column key."""
    row = {
        "seq": 1, "name": "王晓燕", "sex": "女", "id_number": "11010519491231002X", "birth_month": "1949-12",
        "employer": "浙江上虞某某新材料股份有限公司", "employer_type": "企业", "education": "大学本科",
        "degree": "学士", "school": "浙江工业大学", "major": "高分子材料与工程", "graduation": "1972-07",
        "work_start": "1972-08", "current_title": "工程师", "current_title_specialty": "材料",
        "current_title_date": "2016-12-28", "current_post": "新材料研发", "level": "高级工程师",
        "specialty": "材料", "route": "正常", "ce_2022": 96, "ce_2023": 92, "ce_2024": 90,
        "notice_start": "2024-08-26", "notice_end": "2024-08-30", "phone": "13800000001", "remarks": "",
    }
    return {**row, **changes}


def build(schema, spec, **options) -> bytes:
    """A template; with few prepared rows unless asked, which keeps the tests quick."""
    options = {"token": TOKEN, "prepared_rows": 10, **options}
    return build_template(schema, spec, org_name=ORG, **options)


def open_book(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def book():
    """The 2024 template for 百官街道 as sent, read back once for the module."""
    return open_book(build(load_schema("roster-2024"), load_preset(2024), prepared_rows=PREPARED))


def column_of(schema, key: str) -> str:
    return get_column_letter([c.key for c in schema.columns].index(key) + 1)


def validation_at(sheet, coordinate: str):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, coordinate
    return found[0]


def named_values(book, name: str) -> list[str]:
    (sheet_name, reference), = book.defined_names[name].destinations
    assert sheet_name == LISTS_SHEET
    return [row[0].value for row in book[sheet_name][reference.replace("$", "")]]


def instructions_text(book) -> str:
    return "\n".join(str(c.value) for row in book[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)


# ---------------------------------------------------------------- layout

def test_roster_sheet_opens_first_with_title_naming_body_and_batch(book, schema, spec):
    sheet = book.active
    assert sheet.title == schema.sheet
    assert book.sheetnames[:2] == [INSTRUCTIONS_SHEET, schema.sheet]
    assert sheet.cell(TITLE_ROW, 1).value == f"{ORG} {spec.title} {schema.sheet}花名册"
    last = get_column_letter(len(schema.columns))
    assert f"A{TITLE_ROW}:{last}{TITLE_ROW}" in {str(r) for r in sheet.merged_cells.ranges}


def test_header_row_has_every_schema_column_in_order(book, schema):
    headers = [c.value for c in book[schema.sheet][HEADER_ROW]]
    assert [schema.match_header(h) for h in headers] == list(schema.columns)
    assert headers[:3] == ["序号", "*姓名", "*性别"]


def test_required_headers_are_starred_red_and_bold(book, schema):
    sheet = book[schema.sheet]
    for index, column in enumerate(schema.columns, 1):
        cell = sheet.cell(HEADER_ROW, index)
        assert cell.font.b and cell.fill.fgColor.rgb.endswith("DDEBF7") and cell.alignment.wrap_text
        assert cell.value.startswith("*") == column.required
        assert (cell.font.color is not None and cell.font.color.rgb.endswith("C00000")) == column.required


def test_header_comments_hold_help_and_requirement(book, schema):
    sheet = book[schema.sheet]
    score = sheet[f"{column_of(schema, 'self_score')}{HEADER_ROW}"].comment.text
    assert score == "破格时必填。破格申报必填，按量化评价标准自评。"
    for index, column in enumerate(schema.columns, 1):
        comment = sheet.cell(HEADER_ROW, index).comment.text
        assert column.help in comment and column.requirement_text() in comment


def test_widths_come_from_schema_and_header_is_frozen_after_name(book, schema):
    sheet = book[schema.sheet]
    for column in schema.columns:
        assert sheet.column_dimensions[column_of(schema, column.key)].width == column.width
    assert sheet.freeze_panes == f"{get_column_letter(schema.columns.index(schema['name']) + 2)}{FIRST_DATA_ROW}"


def test_prepared_rows_grow_with_prefilled_rows(schema, spec):
    book = open_book(build(schema, spec, rows=[example_row()] * 3, prepared_rows=10))
    sheet = book[schema.sheet]
    last = FIRST_DATA_ROW + 3 + 200 - 1
    assert sheet[f"D{last}"].protection.locked is False
    assert f"C{last}" in validation_at(sheet, f"C{FIRST_DATA_ROW}").sqref
    assert f"C{last + 1}" not in validation_at(sheet, f"C{FIRST_DATA_ROW}").sqref


# ---------------------------------------------------------------- dropdowns and formats

def test_each_dropdown_reads_its_choices_from_a_name_on_the_lists_sheet(book, schema, spec):
    sheet = book[schema.sheet]
    dropdowns = [c for c in schema.columns if c.type in ("choice", "yesno") and c.choices_from != "specialties"]
    assert {c.key for c in dropdowns} >= {"sex", "employer_type", "education", "degree", "current_title",
                                          "level", "route", "post_verified"}
    for column in dropdowns:
        validation = validation_at(sheet, f"{column_of(schema, column.key)}{FIRST_DATA_ROW}")
        assert validation.type == "list"
        assert validation.formula1 == f"list_{column.key}"
        assert named_values(book, validation.formula1) == column.choices_for(spec)
    assert named_values(book, "list_level") == ["高级工程师", "正高级工程师"]
    assert named_values(book, "list_post_verified") == ["是", "否"]


def test_route_dropdown_and_instructions_offer_only_the_batch_routes(schema, spec):
    assert named_values(open_book(build(schema, spec)), "list_route") == ["正常", "破格", "高技能人才"]
    closed = dataclasses.replace(spec, routes=["正常", "破格"])
    book = open_book(build(schema, closed))
    assert named_values(book, "list_route") == ["正常", "破格"]
    text = instructions_text(book)
    assert "按正常途径申报" in text and "可以破格申报" in text
    assert "贯通的规定申报" not in text  # the closed route is not explained as open
    assert "可选：正常、破格。" in text


def test_specialty_dropdown_offers_the_specialties_of_the_row_level(book, schema, spec):
    sheet = book[schema.sheet]
    validation = validation_at(sheet, f"{column_of(schema, 'specialty')}{FIRST_DATA_ROW}")
    assert validation.formula1 == f"INDIRECT(${column_of(schema, 'level')}{FIRST_DATA_ROW})"
    assert named_values(book, "高级工程师") == ["能源", "材料", "轻纺", "石油和化学工程"]
    assert named_values(book, "正高级工程师") == spec.levels["正高级工程师"]
    assert "请先选择“申报级别”" in validation.error


def test_changing_the_batch_levels_changes_the_lists(schema, spec):
    spec = dataclasses.replace(spec, levels={"工程师": ["电子"], "高级工程师": ["能源", "电子信息"]})
    book = open_book(build(schema, spec))
    assert named_values(book, "list_level") == ["工程师", "高级工程师"]
    assert named_values(book, "高级工程师") == ["能源", "电子信息"]
    assert named_values(book, "工程师") == ["电子"]
    assert "正高级工程师" not in book.defined_names
    assert "高级工程师：能源、电子信息" not in instructions_text(book)
    assert "能源、电子信息，共2个专业。" in instructions_text(book)


def test_level_that_cannot_name_a_range_falls_back_to_all_specialties(schema, spec):
    spec = dataclasses.replace(spec, levels={"高级工程师(试行)": ["能源"], "正高级工程师": ["信息技术"]})
    book = open_book(build(schema, spec))
    validation = validation_at(book[schema.sheet], f"{column_of(schema, 'specialty')}{FIRST_DATA_ROW}")
    assert validation.formula1 == "list_specialty"
    assert named_values(book, "list_specialty") == ["能源", "信息技术"]


def test_every_validation_covers_the_prepared_rows_and_refuses_in_chinese(book, schema):
    sheet = book[schema.sheet]
    validations = sheet.data_validations.dataValidation
    assert len(validations) >= 20
    for validation in validations:
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        assert str(validation.sqref) == f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}"
        assert validation.showErrorMessage and validation.errorStyle == "stop" and validation.allow_blank
        assert validation.errorTitle.endswith("填写有误")
        assert len(validation.error) <= 255 and "“" in validation.error
    sex = validation_at(sheet, f"{column_of(schema, 'sex')}{LAST_ROW}")
    assert sex.errorTitle == "性别填写有误"
    assert sex.error == "请从下拉列表中选择“性别”。从下拉列表选择；须与身份证号码一致。"


def test_identity_phone_month_and_text_cells_are_text_on_every_prepared_row(book, schema):
    sheet = book[schema.sheet]
    for key in ("id_number", "phone", "birth_month", "name", "remarks"):
        letter = column_of(schema, key)
        assert sheet.column_dimensions[letter].number_format == "@"
        assert {sheet[f"{letter}{row}"].number_format for row in range(FIRST_DATA_ROW, LAST_ROW + 1)} == {"@"}
    identity = validation_at(sheet, f"{column_of(schema, 'id_number')}{FIRST_DATA_ROW}")
    assert (identity.type, identity.operator, identity.formula1) == ("textLength", "equal", "18")


def test_date_columns_take_dates_between_1900_and_2100(book, schema, spec):
    sheet = book[schema.sheet]
    for key in ("current_title_date", "notice_start", "notice_end"):
        letter = column_of(schema, key)
        assert sheet[f"{letter}{LAST_ROW}"].number_format == "yyyy-mm-dd"
        validation = validation_at(sheet, f"{letter}{FIRST_DATA_ROW}")
        assert (validation.type, validation.operator) == ("date", "between")
        assert (validation.formula1, validation.formula2) == ("1", "73415")  # 1900-01-01, 2100-12-31
        assert "请填写日期，如 2024-12-31" in validation.error


def test_number_columns_validate_the_schema_range(book, schema):
    sheet = book[schema.sheet]
    score = validation_at(sheet, f"{column_of(schema, 'self_score')}{FIRST_DATA_ROW}")
    assert (score.type, score.operator, score.formula1, score.formula2) == ("decimal", "between", "0", "1000")
    assert score.error == "“量化自评分”请填写0至1000之间的数。"
    hours = validation_at(sheet, f"{column_of(schema, 'ce_2023')}{FIRST_DATA_ROW}")
    assert (hours.formula1, hours.formula2) == ("0", "2000")


# ---------------------------------------------------------------- protection, hidden sheets, printing

def test_layout_is_locked_and_entry_cells_are_not(book, schema):
    sheet = book[schema.sheet]
    protection = sheet.protection
    assert protection.sheet and protection.password == _hashed(PROTECTION_PASSWORD)
    assert not any((protection.formatColumns, protection.formatRows, protection.sort, protection.autoFilter,
                    protection.selectLockedCells, protection.selectUnlockedCells))
    assert protection.formatCells and protection.insertColumns and protection.deleteColumns
    assert sheet.cell(TITLE_ROW, 1).protection.locked and sheet.cell(HEADER_ROW, 4).protection.locked
    for index in range(1, len(schema.columns) + 1):
        assert sheet.cell(FIRST_DATA_ROW, index).protection.locked is False
        assert sheet.cell(LAST_ROW, index).protection.locked is False
        assert sheet.column_dimensions[get_column_letter(index)].protection.locked is False
    assert book.security.lockStructure and book.security.workbookPassword == _hashed(PROTECTION_PASSWORD)


def _hashed(password: str) -> str:
    from openpyxl.utils.protection import hash_password
    return hash_password(password)


def test_lists_sheet_is_hidden_and_token_sits_very_hidden_in_meta(book):
    assert book[LISTS_SHEET].sheet_state == "hidden" and book[LISTS_SHEET].protection.sheet
    assert book[META_SHEET].sheet_state == "veryHidden"
    assert book[META_SHEET]["A1"].value == TOKEN


def test_no_meta_sheet_without_a_token(schema, spec):
    assert META_SHEET not in open_book(build(schema, spec, token=None)).sheetnames


def test_prints_landscape_a4_one_page_wide_with_header_rows_repeated(book, schema):
    sheet = book[schema.sheet]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.page_margins.left < 0.5


# ---------------------------------------------------------------- 填报说明

def test_instructions_follow_the_batch_upload_deadline(schema, spec):
    assert "2024年9月5日" in instructions_text(open_book(build(schema, spec)))
    moved = dataclasses.replace(spec, upload_deadline=dt.date(2024, 9, 6))
    text = instructions_text(open_book(build(schema, moved)))
    assert "2024年9月6日前，请将填好的本表上传至系统" in text
    assert "2024年9月5日" not in text


def test_instructions_state_the_batch_rules(book, schema, spec):
    text = instructions_text(book)
    for fact in (
        spec.title, spec.bureau, spec.contact,
        "参照公务员法管理的事业单位（参公事业单位）人员不得申报",
        "高级工程师\n能源、材料、轻纺、石油和化学工程，共4个专业。",
        "仅限高级工程师：未达到学历资历条件，但按照量化评价标准自评分达到120分及以上的，可以破格申报。须填写“量化自评分”。",
        "须填写“职业技能等级及取得时间”",
        "资历计算截止\n2024年12月31日", "业绩材料截止\n2024年7月31日",
        "博士，取得工程师职称满2年；硕士、学士或大学本科，取得工程师职称满5年",
        "2022年、2023年、2024年的学时：每年不少于90学时，其中专业科目不少于60学时",
        "公示不少于5个工作日", "“公示开始日期”“公示结束日期”",
        "事业单位\n按评聘结合要求", "一式3份", "末位X大写", "切勿改为数字格式",
        "已预留1000行",
    ):
        assert fact in text, fact


def test_instructions_list_every_column_with_requirement_and_help(book, schema):
    sheet = book[INSTRUCTIONS_SHEET]
    described = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3) if row[0].value}
    for column in schema.columns:
        label = f"*{column.header}" if column.required else column.header
        assert described[label].startswith(f"【{column.requirement_text()}】{column.help}")
    assert described["*性别"].endswith("可选：男、女。")


def test_instructions_are_readable(book):
    sheet = book[INSTRUCTIONS_SHEET]
    assert sheet.column_dimensions["B"].width >= 60
    assert sheet["A3"].font.b and sheet["A3"].value == "一、申报范围"
    assert all(c.alignment.wrap_text for row in sheet.iter_rows(min_row=3) for c in row if c.value)
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.fitToWidth == 1


# ---------------------------------------------------------------- pre-filled rows, review info, error marks

def test_prefilled_rows_keep_their_values_and_types(schema, spec):
    book = open_book(build(schema, spec, rows=[example_row(), example_row(name="李建国", ce_2022=90.5)]))
    sheet = book[schema.sheet]
    first = {c.key: sheet[f"{column_of(schema, c.key)}{FIRST_DATA_ROW}"] for c in schema.columns}
    assert first["id_number"].value == "11010519491231002X" and first["id_number"].data_type == "s"
    assert first["birth_month"].value == "1949-12" and first["birth_month"].number_format == "@"
    assert first["current_title_date"].value == dt.datetime(2016, 12, 28)
    assert first["current_title_date"].number_format == "yyyy-mm-dd"
    assert first["ce_2022"].value == 96 and first["level"].value == "高级工程师"
    assert first["remarks"].value is None
    assert sheet[f"B{FIRST_DATA_ROW + 1}"].value == "李建国"
    assert sheet[f"{column_of(schema, 'ce_2022')}{FIRST_DATA_ROW + 1}"].value == 90.5


def test_formula_like_strings_are_written_as_strings(schema, spec):
    hostile = ['=HYPERLINK("http://example.com","点我")', "+86 138", "-1", "@SUM(A1)"]
    rows = [example_row(name=text, remarks=text) for text in hostile]
    data = build(schema, spec, rows=rows)
    sheet = open_book(data)[schema.sheet]
    for offset, text in enumerate(hostile):
        cell = sheet[f"B{FIRST_DATA_ROW + offset}"]
        assert (cell.value, cell.data_type) == (text, "s")
    read = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(schema.sheet).to_python()
    assert [r[1] for r in read[FIRST_DATA_ROW - 1:]] == hostile


def test_raw_uploaded_values_are_written_as_found(schema, spec):
    raw = example_row(id_number=3.30682199001011e17, phone=13800000001.0, notice_start="2024/8/26",
                      notice_end=dt.datetime(2024, 8, 30), birth_month=dt.datetime(1949, 12, 1), ce_2023="九十二")
    sheet = open_book(build(schema, spec, rows=[raw]))[schema.sheet]
    value = lambda key: sheet[f"{column_of(schema, key)}{FIRST_DATA_ROW}"].value  # noqa: E731
    # Excel showed the damaged number like this; an 18-digit text here would look right and be wrong.
    assert value("id_number") == "3.30682199001011E+17"
    assert value("phone") == "13800000001"
    assert value("notice_start") == "2024/8/26"
    assert value("notice_end") == dt.datetime(2024, 8, 30)
    assert value("birth_month") == dt.datetime(1949, 12, 1)
    assert sheet[f"{column_of(schema, 'birth_month')}{FIRST_DATA_ROW}"].number_format == "yyyy-mm"
    assert value("ce_2023") == "九十二"


def test_review_info_shows_status_and_reason_in_locked_grey_columns(schema, spec):
    info = [{"status": "拟推荐", "reason": ""}, {"status": "退回修改", "reason": "单位公示不足5个工作日"}]
    book = open_book(build(schema, spec, rows=[example_row(), example_row(seq=2)], info=info))
    sheet = book[schema.sheet]
    status, reason = len(schema.columns) + 1, len(schema.columns) + 2
    assert [sheet.cell(HEADER_ROW, i).value for i in (status, reason)] == list(INFO_HEADERS[:2])
    assert sheet.cell(HEADER_ROW, reason + 1).value is None
    assert sheet.cell(FIRST_DATA_ROW + 1, status).value == "退回修改"
    assert sheet.cell(FIRST_DATA_ROW + 1, reason).value == "单位公示不足5个工作日"
    cell = sheet.cell(FIRST_DATA_ROW, status)
    assert cell.value == "拟推荐" and cell.protection.locked and cell.fill.fgColor.rgb.endswith("EDEDED")


def test_error_notes_mark_cells_red_with_a_comment_and_fill_the_error_column(schema, spec):
    rows = [example_row(), example_row(notice_end="2024-08-29")]
    book = open_book(build(schema, spec, rows=rows, cell_notes={(1, "notice_end"): "公示不足5个工作日"},
                           row_notes={1: "公示期不足"}))
    sheet = book[schema.sheet]
    marked = sheet[f"{column_of(schema, 'notice_end')}{FIRST_DATA_ROW + 1}"]
    assert marked.comment.text == "公示不足5个工作日"
    assert marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert marked.protection.locked is False
    clean = sheet[f"{column_of(schema, 'notice_end')}{FIRST_DATA_ROW}"]
    assert clean.comment is None and clean.fill.fill_type is None
    errors = len(schema.columns) + 1
    assert sheet.cell(HEADER_ROW, errors).value == INFO_HEADERS[2]
    assert [sheet.cell(FIRST_DATA_ROW + i, errors).value for i in (0, 1)] == [None, "公示期不足"]


def test_calamine_reads_header_row_data_rows_and_token(schema, spec):
    data = build(schema, spec, rows=[example_row()])
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(schema.sheet).to_python()
    assert [schema.match_header(h) for h in rows[HEADER_ROW - 1]] == list(schema.columns)
    first = dict(zip((c.key for c in schema.columns), rows[FIRST_DATA_ROW - 1]))
    assert first["id_number"] == "11010519491231002X" and first["name"] == "王晓燕"
    assert first["notice_start"] == dt.date(2024, 8, 26)
    assert len(rows) == FIRST_DATA_ROW  # the prepared empty rows are not read as rows
    assert book.get_sheet_by_name(META_SHEET).to_python() == [[TOKEN]]


def test_a_column_added_to_the_definition_appears_in_the_template(tmp_path, spec):
    version = write_definition_with_extra_column(tmp_path)
    schema = load_schema(version, directory=tmp_path)
    sheet = open_book(build(schema, spec, rows=[example_row(certificate="ZJ2016-0042")]))[schema.sheet]
    last = len(schema.columns)
    assert sheet.cell(HEADER_ROW, last).value == "证书编号"
    assert sheet.cell(HEADER_ROW, last).comment.text == "选填。现职称证书上的编号。"
    assert sheet.cell(FIRST_DATA_ROW, last).value == "ZJ2016-0042"
    assert sheet.column_dimensions[get_column_letter(last)].width == 15


def write_definition_with_extra_column(directory: Path) -> str:
    """A copy of the 2024 definition with a 证书编号 column; returns its version."""
    version = "roster-test-extra-column"
    text = (DEFINITIONS_DIR / "roster-2024.toml").read_text(encoding="utf-8")
    text = text.replace('version = "roster-2024"', f'version = "{version}"')
    text += ('\n[[columns]]\nkey = "certificate"\nheader = "证书编号"\ntype = "text"\nwidth = 15\n'
             'help = "现职称证书上的编号。"\n')
    (directory / f"{version}.toml").write_text(text, encoding="utf-8")
    return version


def test_template_filename_names_year_roster_and_body(spec):
    assert template_filename(spec, ORG) == "2024年度职称申报推荐花名册-百官街道.xlsx"
    assert template_filename(spec, "A/B", "-错误标注") == "2024年度职称申报推荐花名册-A_B-错误标注.xlsx"


# ---------------------------------------------------------------- LibreOffice

def soffice_convert(source: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return outdir / f"{source.stem}.{fmt}"


@pytest.mark.soffice
def test_template_survives_a_libreoffice_round_trip_through_xls(tmp_path, schema, spec):
    source = tmp_path / "template.xlsx"
    source.write_bytes(build(schema, spec, rows=[example_row()], info=[{"status": "退回修改", "reason": "重复申报"}]))
    profile = tmp_path / "profile"
    xls = soffice_convert(source, "xls", tmp_path / "xls", profile)
    back = soffice_convert(xls, "xlsx", tmp_path / "back", profile)
    book = CalamineWorkbook.from_filelike(io.BytesIO(back.read_bytes()))
    rows = book.get_sheet_by_name(schema.sheet).to_python()
    assert [schema.match_header(h) for h in rows[HEADER_ROW - 1][:len(schema.columns)]] == list(schema.columns)
    assert rows[HEADER_ROW - 1][len(schema.columns):] == list(INFO_HEADERS[:2])
    first = dict(zip((c.key for c in schema.columns), rows[FIRST_DATA_ROW - 1]))
    assert first["id_number"] == "11010519491231002X"
    assert first["name"] == "王晓燕" and first["birth_month"] == "1949-12" and first["phone"] == "13800000001"
    assert first["notice_end"] == dt.date(2024, 8, 30)
    assert book.get_sheet_by_name(META_SHEET).to_python() == [[TOKEN]]
    # LibreOffice keeps the level-dependent dropdown and its names.
    kept = load_workbook(back)
    validation = validation_at(kept[schema.sheet], f"{column_of(schema, 'specialty')}{FIRST_DATA_ROW}")
    assert validation.formula1 == f"INDIRECT(${column_of(schema, 'level')}{FIRST_DATA_ROW})"
    assert named_values(kept, "高级工程师") == spec.levels["高级工程师"]
