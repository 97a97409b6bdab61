"""The exported roster workbook (roster/export.py): what the bureau keeps and sends upward."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from zcweb.roster.export import BUREAU_COLUMNS, FIRST_DATA_ROW, HEADER_ROW, build_roster, roster_filename
from zcweb.roster.schema import load_schema

from .test_template import example_row, write_definition_with_extra_column

TITLE = "2024年度高级工程师和正高级工程师职务任职资格评审推荐拟推荐人员花名册"
SUBTITLE = "报送单位：绍兴市上虞区经济和信息化局　　导出时间：2026年11月25日"
BUREAU = {"org": "百官街道", "status": "拟推荐", "reason": "", "reviewer": "裘晶晶",
          "reviewed_at": dt.datetime(2024, 9, 6, 10, 20), "copies": 3}


def export(schema, spec, rows, **options):
    data = build_roster(schema, spec, rows, title=TITLE, subtitle=SUBTITLE, **options)
    return load_workbook(io.BytesIO(data)).active


def values_by_key(sheet, schema, row: int, bureau: bool = True) -> dict:
    keys = [c.key for c in schema.columns] + ([key for key, _h, _w in BUREAU_COLUMNS] if bureau else [])
    return {key: sheet.cell(row, index) for index, key in enumerate(keys, 1)}


def test_title_subtitle_and_headers(schema, spec):
    sheet = export(schema, spec, [{**example_row(), **BUREAU}])
    assert sheet.title == schema.sheet
    assert sheet["A1"].value == TITLE and sheet["A1"].font.b and sheet["A1"].font.sz >= 14
    assert sheet["A2"].value == SUBTITLE
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers == [c.header for c in schema.columns] + [h for _k, h, _w in BUREAU_COLUMNS]
    last = get_column_letter(len(headers))
    assert {str(r) for r in sheet.merged_cells.ranges} == {f"A1:{last}1", f"A2:{last}2"}
    assert headers[-7:] == ["报送单位", "审核状态", "审核意见/退回原因", "审核人", "审核时间", "评审表已收(份数)", "评审结果"]


def test_without_bureau_columns_only_the_schema_columns_are_exported(schema, spec):
    sheet = export(schema, spec, [{**example_row(), **BUREAU}], bureau_columns=False)
    assert [c.value for c in sheet[HEADER_ROW]] == [c.header for c in schema.columns]
    assert sheet.max_column == len(schema.columns)


def test_rows_carry_their_values_with_seq_renumbered(schema, spec):
    rows = [{**example_row(seq=7), **BUREAU},
            {**example_row(seq=None, name="李建国", id_number="440524188001010014", sex="男"),
             **BUREAU, "status": "退回修改", "reason": "重复申报", "copies": 0}]
    sheet = export(schema, spec, rows)
    first, second = (values_by_key(sheet, schema, FIRST_DATA_ROW + i) for i in (0, 1))
    assert (first["seq"].value, second["seq"].value) == (1, 2)
    assert first["name"].value == "王晓燕" and second["name"].value == "李建国"
    assert first["employer"].value == "浙江上虞某某新材料股份有限公司"
    assert first["ce_2022"].value == 96 and first["specialty"].value == "材料"
    assert first["org"].value == "百官街道" and first["reviewer"].value == "裘晶晶"
    assert (second["status"].value, second["reason"].value, second["copies"].value) == ("退回修改", "重复申报", 0)
    assert first["remarks"].value is None
    assert sheet.max_row == FIRST_DATA_ROW + 1


def test_identity_numbers_and_phones_are_text(schema, spec):
    sheet = export(schema, spec, [example_row(id_number="440524188001010014", phone=13800000001)])
    cells = values_by_key(sheet, schema, FIRST_DATA_ROW)
    assert (cells["id_number"].value, cells["id_number"].data_type) == ("440524188001010014", "s")
    assert cells["id_number"].number_format == "@"
    assert (cells["phone"].value, cells["phone"].number_format) == ("13800000001", "@")


def test_dates_are_real_dates_and_months_stay_text(schema, spec):
    sheet = export(schema, spec, [{**example_row(), **BUREAU, "reviewed_at": "2024-09-07"}])
    cells = values_by_key(sheet, schema, FIRST_DATA_ROW)
    assert cells["notice_start"].value == dt.datetime(2024, 8, 26)
    assert cells["notice_start"].number_format == "yyyy-mm-dd"
    assert cells["reviewed_at"].value == dt.datetime(2024, 9, 7)
    assert cells["reviewed_at"].number_format == "yyyy-mm-dd"
    assert (cells["birth_month"].value, cells["birth_month"].data_type) == ("1949-12", "s")


def test_strings_that_look_like_formulas_stay_strings(schema, spec):
    hostile = '=HYPERLINK("http://example.com","点我")'
    data = build_roster(schema, spec, [{**example_row(name=hostile, remarks="+1-2"), **BUREAU, "reason": "=1+1"}],
                        title=TITLE)
    sheet = load_workbook(io.BytesIO(data)).active
    cells = values_by_key(sheet, schema, FIRST_DATA_ROW)
    for key, text in (("name", hostile), ("remarks", "+1-2"), ("reason", "=1+1")):
        assert (cells[key].value, cells[key].data_type) == (text, "s")
    read = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert read[FIRST_DATA_ROW - 1][1] == hostile


def test_table_is_bordered_wrapped_sized_filtered_and_frozen(schema, spec):
    sheet = export(schema, spec, [{**example_row(), **BUREAU}] * 3)
    last = get_column_letter(len(schema.columns) + len(BUREAU_COLUMNS))
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{last}{HEADER_ROW + 3}"
    assert sheet.freeze_panes == f"C{FIRST_DATA_ROW}"
    for cell in sheet[FIRST_DATA_ROW + 2]:
        assert cell.border.left.style == "thin" and cell.alignment.wrap_text
    assert sheet[f"A{HEADER_ROW}"].font.b
    for index, column in enumerate(schema.columns, 1):
        assert sheet.column_dimensions[get_column_letter(index)].width == column.width
    assert sheet.column_dimensions[last].width == BUREAU_COLUMNS[-1][2]


def test_prints_landscape_a4_one_page_wide_repeating_the_header(schema, spec):
    sheet = export(schema, spec, [example_row()])
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 8, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_a_column_added_to_the_definition_is_exported(tmp_path, spec):
    schema = load_schema(write_definition_with_extra_column(tmp_path), directory=tmp_path)
    sheet = export(schema, spec, [{**example_row(certificate="ZJ2016-0042"), **BUREAU}])
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers[len(schema.columns) - 1] == "证书编号"
    assert headers[len(schema.columns)] == "报送单位"
    assert values_by_key(sheet, schema, FIRST_DATA_ROW)["certificate"].value == "ZJ2016-0042"


def test_empty_roster_still_has_title_and_headers(schema, spec):
    sheet = export(schema, spec, [])
    assert sheet.max_row == HEADER_ROW
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{get_column_letter(sheet.max_column)}{HEADER_ROW}"


def test_roster_filename_names_year_roster_and_what(spec):
    assert roster_filename(spec, "拟推荐人员") == "2024年度职称申报推荐花名册-拟推荐人员.xlsx"
