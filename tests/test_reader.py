import datetime as dt
import inspect
import io
import random
import zipfile

import olefile
import pytest

import tests.rosterfiles as files
from tests.rosterfiles import DATE_FORMS, ID_FORMS, ID_WOMAN_1949, KEYS, LONG_TEXT, SCHEMA, SHUFFLED, TOKEN
from zcweb.roster.reader import biff, zipped
from zcweb.roster.reader import Limits, RawRow, RosterRefused, read_roster
from zcweb.roster.reader.limits import Deadline
from zcweb.roster.reader.markup import HtmlBook

ALL_KEYS = [column.key for column in SCHEMA.columns]
CORRUPT = ("文件已损坏或不是有效的表格文件，无法读取。请用 Excel 或 WPS 打开，"
           "确认内容无误后另存为 .xlsx（Excel 工作簿）再上传。")
BOMB = "文件解压后过大，疑似异常文件。请用 Excel 或 WPS 打开确认内容后另存为 .xlsx 再上传。"
PASSWORD = "文件设置了打开密码，请取消密码后另存为 .xlsx 再上传。"
MACROS = "文件包含宏（VBA 代码），为安全起见不予读取。请另存为 .xlsx（Excel 工作簿）后重新上传。"
TOO_LARGE = ("工作表的范围过大，超出了读取的内存上限（常见原因是表格下方或右侧很远处有多余的内容）。"
             "请删除多余的行和列后另存为 .xlsx 再上传。")
NO_HEADER = "未找到表头：请确认第一张工作表含有“姓名”“身份证号”等列标题（表头须在前 30 行内）。"
FAR = ("工作表“申报人员”的 {} 单元格有内容，离花名册数据太远，无法读取。"
       "请删除表格下方和右侧多余的内容（选中多余的行或列，右键“删除”）后重新上传。")


def read(data: bytes, **limits):
    """The roster with its rows iterated into a list, as the importer sees them."""
    roster = read_roster(data, SCHEMA, Limits(**limits))
    roster.rows = list(roster.rows)
    return roster


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(RosterRefused) as refused:
        read(data, **limits)
    return refused.value.message


def two_people(cells) -> list[RawRow]:
    return [RawRow(2, cells(files.person(1))), RawRow(3, cells(files.person(2)))]


# ---------------------------------------------------------------- formats

def test_contacts_own_xlsx_gives_every_column_and_the_raw_values():
    roster = read(files.plain_xlsx())
    assert (roster.format, roster.sheet, roster.header_row) == ("xlsx", "申报人员", 1)
    assert roster.columns == ALL_KEYS
    assert roster.rows == two_people(files.raw_cells)
    assert (roster.extra_headers, roster.token, roster.notes) == ([], None, [])


def test_our_template_is_read_below_its_title_with_its_token():
    roster = read(files.template_xlsx())
    assert (roster.sheet, roster.header_row, roster.columns) == ("申报人员", 2, ALL_KEYS)
    assert roster.token == TOKEN
    # The template writes its date columns as date cells.
    expected = files.raw_cells(files.person(1)) | {
        "current_title_date": dt.date(2018, 12, 28), "notice_start": dt.date(2024, 8, 26),
        "notice_end": dt.date(2024, 8, 30)}
    assert [row.number for row in roster.rows] == [3, 4]
    assert roster.rows[0].cells == expected
    assert (roster.extra_headers, roster.notes) == ([], [])


def test_template_sized_workbooks_pass_the_bomb_guard():
    """The template prepares 1,000 styled rows; the guard must let it and a
    workbook of 1,000 styled rows over 30 columns through."""
    assert read(files.template_xlsx()).token == TOKEN
    assert read(files.styled_template_like_xlsx()).rows == []


def test_header_only_file_has_zero_rows():
    roster = read(files.header_only_xlsx())
    assert (roster.columns, roster.rows) == (ALL_KEYS, [])


def test_xls_written_by_xlwt_keeps_integers_and_date_cells():
    roster = read(files.xls())
    assert (roster.format, roster.sheet, roster.header_row) == ("xls", "申报人员", 1)
    first = files.keyed(files.person(1)) | {"current_title_date": dt.date(2018, 12, 28)}
    assert roster.rows == [RawRow(2, first), RawRow(3, files.keyed(files.person(2)))]


def test_hidden_sheet_of_an_xls_is_skipped_and_mentioned():
    roster = read(files.xls_hidden_sheet())
    assert roster.sheet == "Sheet1"
    assert roster.rows == [RawRow(2, files.keyed(files.person(1)))]
    assert roster.notes == [
        "已跳过隐藏的工作表“旧名单”。如其中有要申报的人员，请取消隐藏并复制到“申报人员”工作表后重新上传。"]


def test_ods_written_by_odfpy():
    roster = read(files.ods())
    assert (roster.format, roster.sheet, roster.header_row) == ("ods", "申报人员", 1)
    assert roster.rows == two_people(files.raw_cells)


@pytest.mark.soffice
@pytest.mark.parametrize("target", ["xls", "ods"])
def test_xls_and_ods_saved_by_libreoffice(target):
    roster = read(files.soffice_convert(files.plain_xlsx(), ".xlsx", target))
    assert (roster.format, roster.sheet, roster.columns) == (target, "申报人员", ALL_KEYS)
    assert roster.rows == two_people(files.raw_cells)


@pytest.mark.parametrize("build, cells", [
    (files.backslash_xlsx, files.raw_cells), (files.bare_xlsx, files.raw_cells),
    (files.strict_xlsx, files.raw_cells), (files.xlsm_without_vba, files.text_cells)])
def test_xlsx_from_other_writers_is_read_whole(build, cells):
    """`\\` in part names, parts at the top without docProps, Strict Open
    XML's namespaces, a macro-enabled workbook without macros: the same
    complete roster as the plain file."""
    roster = read(build())
    assert (roster.format, roster.sheet, roster.header_row, roster.columns) == ("xlsx", "申报人员", 1, ALL_KEYS)
    assert roster.rows == two_people(cells)


def test_xlsb_is_read_whole_in_the_child_process():
    roster = read(files.xlsb())
    assert (roster.format, roster.sheet, roster.header_row, roster.columns) == ("xlsb", "申报人员", 1, ALL_KEYS)
    assert roster.rows == [RawRow(2, files.keyed(files.person(1))), RawRow(3, files.keyed(files.person(2)))]


def test_the_far_cell_guard_finds_sheets_under_backslash_names():
    assert refusal(files.backslash_xlsx(files.far_corner_xlsx())) == FAR.format("XFD1048576")
    assert refusal(files.backslash_xlsx(files.stray_value_xlsx())) == FAR.format("A1048576")


@pytest.mark.parametrize("build", [files.csv_utf8, files.csv_utf8_bom, files.csv_gbk, files.csv_tab,
                                   files.csv_semicolon, files.unicode_text])
def test_csv_in_any_encoding_and_delimiter_gives_text_values(build):
    roster = read(build())
    assert (roster.format, roster.sheet, roster.header_row, roster.columns) == ("csv", "", 1, ALL_KEYS)
    assert roster.rows == two_people(files.text_cells)
    assert (roster.token, roster.notes) == (None, [])


def test_an_html_table_saved_as_xls_is_read_as_text():
    roster = read(files.html_xls())
    assert (roster.format, roster.sheet, roster.header_row, roster.columns) == ("html", "表格1", 1, ALL_KEYS)
    assert roster.rows == [RawRow(2, files.text_cells(files.person(1)))]


def test_a_web_page_export_in_gbk_is_read_below_its_title_as_a_browser_shows_it():
    """Office's conditional comments and styles are no cells, &nbsp; is an
    empty cell, markup inside a cell is its text, <br> a line break, and
    the signature table after the roster is named as not read."""
    roster = read(files.web_page_xls())
    assert (roster.format, roster.sheet, roster.header_row, roster.columns) == ("html", "表格1", 2, ALL_KEYS)
    second = files.person(2, 备注="材料已交\n原件已核")
    assert roster.rows == [RawRow(3, files.text_cells(files.person(1))), RawRow(4, files.text_cells(second))]
    assert roster.notes == ["文件有多张表格，读取的是表头最完整的“表格1”，其他表格未读取。"]


def test_a_web_archive_is_read_from_the_page_that_holds_the_table():
    roster = read(files.web_archive_mht())
    assert (roster.format, roster.sheet, roster.header_row, roster.columns) == ("html", "表格1", 1, ALL_KEYS)
    assert roster.rows == two_people(files.text_cells)


def test_an_xml_spreadsheet_2003_gives_typed_cells_its_blank_rows_and_the_template_token():
    roster = read(files.xml_spreadsheet_xls())
    assert (roster.format, roster.sheet, roster.header_row, roster.columns) == ("xml", "申报人员", 2, ALL_KEYS)
    first = files.raw_cells(files.person(1, 现职称取得时间=dt.date(2018, 12, 28)))
    assert roster.rows == [RawRow(3, first), RawRow(5, files.raw_cells(files.person(2)))]
    assert (roster.token, roster.notes) == (TOKEN, [])  # the hidden metadata sheet is read, not mentioned


@pytest.mark.parametrize("cells, laid_out", [
    # A cell spanning two rows leaves its column blank in the next row.
    ('<tr><td rowspan="2">甲</td><td>乙</td></tr><tr><td>丙</td></tr>', [["甲", "乙"], ["", "丙"]]),
    # Spanning columns and rows: the block it covers is blank, around it cells go on.
    ('<tr><td colspan=2 rowspan=2>甲</td><td>乙</td></tr><tr><td>丙</td></tr><tr><td>丁</td><td>戊</td></tr>',
     [["甲", "", "乙"], ["", "", "丙"], ["丁", "戊"]]),
    # A span that is no number counts as 1; a table inside a cell is not that cell's text.
    ('<tr><td colspan="x">甲</td><td>乙<table><tr><td>内</td></tr></table></td></tr>', [["甲", "乙"]]),
    # A page cut short keeps what it had.
    ("<tr><td>甲</td><td>乙", [["甲", "乙"]]),
])
def test_html_cells_are_laid_out_as_a_browser_lays_them(cells, laid_out):
    book = HtmlBook([f"<table>{cells}</table>"], Limits(), Deadline(10))
    assert [row for _, row in book.load("表格1").rows] == laid_out


def test_csv_keeps_quoted_line_breaks_script_tags_and_control_characters():
    rows = read(files.csv_odd_text()).rows
    assert [row.number for row in rows] == [2, 3]
    assert rows[0].cells["remarks"] == "第一行\n第二行"
    assert rows[1].cells["name"] == "<script>alert(1)</script>\x07"


# ---------------------------------------------------------------- refusals

@pytest.mark.parametrize("build, message", [
    (files.empty, "文件是空的，请选择填好的花名册重新上传。"),
    (files.pdf, "这是 PDF 文件，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.png, "这是图片（PNG），不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.jpeg, "这是图片（JPEG），不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.docx, "这是 Word 文档，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.plain_zip, "这是 ZIP 压缩包（其中有 2 个文件：花名册.xlsx、说明.txt），不是 Excel 花名册。"
                      "请解压后上传其中的花名册（.xlsx 文件）。"),
    (files.gbk_named_zip, "这是 ZIP 压缩包（其中有 4 个文件：张三.jpg、李四.jpg、王五.jpg等），不是 Excel 花名册。"
                          "请解压后上传其中的花名册（.xlsx 文件）。"),
    (files.damaged_xlsb, CORRUPT),
    (files.worksheets_only_xlsx, CORRUPT),
    (files.properties_only_xlsx, CORRUPT),
    (files.unknown_zip_version_xlsx, CORRUPT),
    (files.page_without_table, "这是网页（HTML）文件，其中没有表格，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.web_archive_without_table, "这是网页文件（.mht），其中没有表格，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.other_xml, "这是 XML 文件，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.xml_spreadsheet_damaged, CORRUPT),
    (files.xml_spreadsheet_entities, CORRUPT),
    (files.web_page_gbk_damaged, "文件第 3 行有无法识别的字符（文件可能已损坏，或不是以 UTF-8 或 GBK 编码保存）。"
                                 "请用 Excel 打开，检查这一行后另存为 .xlsx（Excel 工作簿）再上传。"),
    (files.web_page_too_wide, TOO_LARGE),
    (files.csv_with_nul, "无法识别文件内容，它不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"),
    (files.undecodable, "CSV 文件第 2 行有无法识别的字符（文件可能已损坏，或不是以 UTF-8 或 GBK 编码保存）。"
                     "请用 Excel 打开，检查这一行后另存为 .xlsx（Excel 工作簿）再上传。"),
    (files.csv_gbk_damaged, "CSV 文件第 3 行有无法识别的字符（文件可能已损坏，或不是以 UTF-8 或 GBK 编码保存）。"
                     "请用 Excel 打开，检查这一行后另存为 .xlsx（Excel 工作簿）再上传。"),
    (files.csv_utf8_damaged, "CSV 文件第 3 行有无法识别的字符（文件可能已损坏，或不是以 UTF-8 或 GBK 编码保存）。"
                     "请用 Excel 打开，检查这一行后另存为 .xlsx（Excel 工作簿）再上传。"),
    (files.unicode_text_damaged, "CSV 文件第 3 行有无法识别的字符（文件可能已损坏，或不是以 UTF-8 或 GBK 编码保存）。"
                     "请用 Excel 打开，检查这一行后另存为 .xlsx（Excel 工作簿）再上传。"),
    (files.xlsm, MACROS),
    (files.xls_macro, MACROS),
    (files.encrypted_xlsx, PASSWORD),
    (files.encrypted_ods, PASSWORD),
    (files.xls_password, PASSWORD),
    (files.xls_garbage, CORRUPT),
    (files.instructions_only_xlsx, NO_HEADER),
])
def test_files_that_are_not_readable_rosters_are_refused_with_what_to_do(build, message):
    assert refusal(build()) == message


def test_missing_required_columns_are_listed_by_their_headers():
    assert refusal(files.missing_required_xlsx()) == (
        "缺少必填列：身份证号、申报专业。请使用本批次模板填写，或在表头行补上这些列后重新上传。")


# ---------------------------------------------------------------- headers

def test_last_years_header_wording_is_recognised():
    roster = read(files.header_variants_xlsx())
    assert roster.columns == ALL_KEYS
    assert roster.rows == [RawRow(2, files.raw_cells(files.person(1)))]


@pytest.mark.parametrize("name", ["身份证号码", "公民身份号码", "证件号码", "公民身份证号码", "身份证件号码"])
def test_each_identity_header_variant_names_the_identity_column(name):
    roster = read(files.id_header_xlsx(name))
    assert roster.columns == ALL_KEYS
    assert roster.rows[0].cells["id_number"] == ID_WOMAN_1949


def test_columns_in_any_order_are_keyed_by_header_in_file_order():
    roster = read(files.shuffled_columns_xlsx())
    assert roster.columns == [KEYS[h] for h in SHUFFLED]
    assert roster.rows == two_people(files.raw_cells)


def test_title_rows_above_the_header_are_skipped():
    roster = read(files.title_rows_xlsx())
    assert roster.header_row == 4
    assert roster.rows == [RawRow(5, files.raw_cells(files.person(1)))]


def test_headers_with_notes_line_breaks_stars_and_full_width_forms_match():
    roster = read(files.annotated_headers_xlsx())
    assert (roster.columns, roster.extra_headers) == (ALL_KEYS, [])
    assert roster.rows == [RawRow(2, files.raw_cells(files.person(1)))]


def test_unknown_headers_are_reported_and_our_info_columns_ignored_silently():
    roster = read(files.extra_columns_xlsx())
    assert roster.extra_headers == ["籍贯", "民族"]
    assert roster.columns == ALL_KEYS
    assert roster.rows == [RawRow(2, files.raw_cells(files.person(1)))]


def test_a_column_named_twice_is_read_once_from_its_first_place():
    roster = read(files.duplicate_header_xlsx())
    assert roster.rows[0].cells["id_number"] == ID_WOMAN_1949
    assert roster.notes == ["“身份证号码”（AE 列）与“身份证号”（D 列）重复，已读取 D 列，AE 列未读取。"]


def test_a_two_row_header_is_read_as_one_label_per_column():
    roster = read(files.two_row_header_xlsx())
    assert (roster.header_row, roster.columns, roster.extra_headers) == (3, ALL_KEYS, [])
    assert [row.number for row in roster.rows] == [4, 5]
    assert roster.rows == [RawRow(4, files.raw_cells(files.person(1))), RawRow(5, files.raw_cells(files.person(2)))]


def test_hidden_first_sheet_is_skipped_for_the_visible_roster():
    roster = read(files.hidden_first_sheet_xlsx())
    assert roster.sheet == "申报人员"
    assert roster.rows == [RawRow(2, files.raw_cells(files.person(1)))]
    assert roster.notes == [
        "已跳过隐藏的工作表“2023年”。如其中有要申报的人员，请取消隐藏并复制到“申报人员”工作表后重新上传。"]


def test_without_a_roster_sheet_the_sheet_with_a_header_is_read():
    roster = read(files.two_sheets_xlsx())
    assert roster.sheet == "花名册"
    assert roster.rows == [RawRow(2, files.raw_cells(files.person(1)))]
    assert roster.notes == ["文件有多张工作表，读取的是表头最完整的“花名册”，其他工作表未读取。"]


# ---------------------------------------------------------------- values

def test_identity_numbers_come_back_exactly_as_excel_stored_them():
    rows = read(files.id_number_forms_xlsx()).rows
    # The number cell holds what Excel would: 15 significant digits.
    assert [row.cells["id_number"] for row in rows] == [
        1.1010519491231e17, *ID_FORMS[1:], ID_WOMAN_1949]
    assert isinstance(rows[0].cells["id_number"], float)


def test_dates_come_back_as_date_cells_serials_or_text_untouched():
    rows = read(files.date_forms_xlsx()).rows
    assert [row.cells["current_title_date"] for row in rows] == [
        dt.date(2024, 8, 1), 45505.0, *DATE_FORMS[2:]]
    assert rows[0].cells["birth_month"] == dt.date(1949, 12, 1)


def test_formulas_give_the_values_excel_cached():
    cells = read(files.formulas_xlsx()).rows[0].cells
    assert (cells["name"], cells["birth_month"], cells["ce_2024"]) == ("林秀英", "1949-12", 96.0)


def test_merged_cells_give_their_value_to_the_first_row_only():
    rows = read(files.merged_cells_xlsx()).rows
    assert rows[0].cells["employer"] == "浙江上虞精工机械有限公司"
    assert rows[1].cells == files.raw_cells(files.person(2, **{"工作单位(全称)": None}))


def test_long_text_script_tags_and_control_characters_are_returned_raw():
    rows = read(files.odd_text_xlsx()).rows
    assert rows[0].cells["remarks"] == LONG_TEXT and len(LONG_TEXT) == 5000
    assert rows[0].cells["name"] == "<script>alert(1)</script>"
    assert rows[1].cells["name"] == "陈\x07国强\t"


def test_rows_numbered_in_advance_and_lines_under_the_table_are_skipped_and_named():
    """A 序号 typed ahead for rows left empty, "填表人：…" running into the
    identity column, a total: no one's, so skipped and named in the notes.
    A row with data but no name or identity number is still a row (the
    contact must see it)."""
    blank = [None] * len(files.HEADERS)
    rows = files.table(files.HEADERS, [files.person(1)])
    rows += [[n] + blank[1:] for n in (2, 3, 4)] + [blank, [6] + blank[1:]]
    rows.append(["填表人：王丽", None, None, "联系电话：0575-82123456"] + blank[4:])
    rows.append(["合计"] + [None] * 20 + [90, 92, 96] + blank[24:])
    rows.append([None, None, None, None, "1985-06", "浙江上虞精工机械有限公司"] + blank[6:])
    roster = read(files.xlsx(rows))
    assert [row.number for row in roster.rows] == [2, 10]
    assert roster.notes == ["第 3—5、7 行只填了序号，没有人员信息，已跳过。",
                            "第 8 行“填表人：王丽”不是人员信息，已跳过。", "第 9 行“合计”不是人员信息，已跳过。"]


@pytest.mark.parametrize("build", [files.filtered_xlsx, files.filtered_xls])
def test_rows_excel_hides_are_read_and_named(build):
    roster = read(build())
    assert [row.number for row in roster.rows] == [2, 3, 4, 5]
    assert roster.notes == ["第 3、5 行在 Excel 中是隐藏的（可能被筛选或隐藏了），这些行也已读取。"
                            "如其中的人员不应报送，请删除这些行后重新上传。"]


def test_an_xls_tells_the_hidden_rows_of_each_sheet_and_a_damaged_one_tells_none():
    with olefile.OleFileIO(io.BytesIO(files.filtered_xls())) as ole:
        stream = ole.openstream("Workbook").read()
    assert biff.hidden_rows(stream) == {"申报人员": frozenset({3, 5}), "Notes": frozenset({2})}
    assert biff.hidden_rows(files.xls_garbage()) == {}
    chance = random.Random(19)
    for _ in range(200):  # cut short or with bytes changed: an answer, never an error
        damaged = bytearray(stream[:chance.randrange(len(stream))])
        for _ in range(20):
            if damaged:
                damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        assert isinstance(biff.hidden_rows(bytes(damaged)), dict)


def test_rows_an_xml_spreadsheet_hides_are_read_and_named():
    hidden = files.xml_spreadsheet_xls().replace(b'<Row ss:Index="5">', b'<Row ss:Index="5" ss:Hidden="1">')
    assert read(hidden).notes == ["第 5 行在 Excel 中是隐藏的（可能被筛选或隐藏了），这些行也已读取。"
                                  "如其中的人员不应报送，请删除这些行后重新上传。"]


def test_empty_and_whitespace_rows_are_skipped_but_a_zero_is_a_value():
    roster = read(files.gaps_xlsx())
    assert [row.number for row in roster.rows] == [2, 6, 7]
    assert roster.rows[1].cells == dict.fromkeys(ALL_KEYS) | {"ce_2022": 0.0}
    assert roster.extra_headers == ["备用"]


def test_cells_without_references_are_placed_by_calamine_in_a_child_process():
    roster = read(files.counted_cells_xlsx())
    assert (roster.format, roster.columns) == ("xlsx", ALL_KEYS)
    assert roster.rows == [RawRow(2, files.text_cells(files.person(1)))]


# ---------------------------------------------------------------- limits and hostile files

def test_more_rows_than_the_limit_are_refused_with_the_limit():
    assert len(read(files.many_rows_xlsx(3), max_rows=3).rows) == 3
    message = "花名册的数据行超过 3 行的上限。请删除与申报无关的行后重新上传。"
    assert refusal(files.many_rows_xlsx(4), max_rows=3) == message
    assert refusal(files.xls_many_rows(4), max_rows=3) == message
    # The child reading an .xls stops sending rows past the limit.
    assert refusal(files.xls_many_rows(40), max_rows=3) == message


def test_rows_are_read_as_they_are_asked_for_and_the_limit_refuses_on_the_way():
    roster = read_roster(files.many_rows_xlsx(4), SCHEMA, Limits(max_rows=3))
    assert roster.columns == ALL_KEYS  # the header is read before any row
    assert [next(roster.rows).number for _ in range(3)] == [2, 3, 4]
    with pytest.raises(RosterRefused) as refused:
        next(roster.rows)
    assert refused.value.message == "花名册的数据行超过 3 行的上限。请删除与申报无关的行后重新上传。"


@pytest.mark.parametrize("build", [files.plain_xlsx, files.csv_utf8, files.xls])
def test_reading_past_the_time_limit_is_refused(build):
    assert refusal(build(), time_limit=0) == (
        "文件过大或过于复杂，读取超时。请删除多余的工作表和空行后另存为 .xlsx 再上传。")


def test_sheets_claiming_a_million_styled_rows_read_only_the_real_ones():
    for build in (files.claim_styled_rows_xlsx, files.claim_dimension_xlsx):
        roster = read(build())
        assert roster.rows == two_people(files.text_cells)


def test_a_stray_value_a_million_rows_down_is_named_not_read():
    assert refusal(files.stray_value_xlsx()) == FAR.format("A1048576")


def test_a_stray_value_within_the_cell_budget_is_read_as_a_row():
    rows = read(files.stray_value_xlsx(40000, column=2)).rows
    assert [row.number for row in rows] == [2, 40000]
    assert rows[1].cells == dict.fromkeys(ALL_KEYS) | {"sex": "x"}


def test_a_stray_value_just_past_the_cell_budget_is_named_not_read():
    # AY99999 makes a grid of 51 columns x 99,999 rows = 5,099,949 cells > 5,000,000.
    assert refusal(files.stray_value_xlsx(99999, column=50)) == FAR.format("AY99999")


def test_a_cell_at_the_last_row_and_column_is_refused_before_calamine_sees_it():
    assert refusal(files.far_corner_xlsx()) == FAR.format("XFD1048576")


def test_the_far_cell_check_sees_tags_split_between_inflated_pieces(monkeypatch):
    monkeypatch.setattr(zipped, "INFLATE_PIECE", 256)
    assert read(files.plain_xlsx()).rows == two_people(files.raw_cells)
    assert refusal(files.far_corner_xlsx()) == FAR.format("XFD1048576")
    assert refusal(files.stray_value_xlsx()) == FAR.format("A1048576")


def test_counted_cells_reaching_the_far_corner_only_end_the_child_process():
    assert refusal(files.counted_far_xlsx()) == TOO_LARGE


@pytest.mark.parametrize("build", [files.zip_bomb, files.ratio_bomb, files.lying_size_xlsx])
def test_zip_bombs_are_refused_before_parsing(build):
    assert refusal(build()) == BOMB


def test_ods_repeating_a_value_over_a_billion_cells_is_refused():
    assert refusal(files.ods_repeat_bomb()) == CORRUPT


def test_zip_bomb_members_are_what_they_claim():
    """The bomb really declares more than the limit, and it is small."""
    bomb = files.zip_bomb()
    sizes = [info.file_size for info in zipfile.ZipFile(io.BytesIO(bomb)).infolist()]
    assert sum(sizes) > Limits().max_uncompressed and len(bomb) < 300_000


def test_a_stray_space_far_away_is_ignored_with_a_note():
    roster = read(files.stray_space_xlsx())
    assert [row.number for row in roster.rows] == [3, 4]
    assert roster.rows[0].cells["name"] == files.person(1)["姓名"]
    assert roster.notes == ["工作表“申报人员”的 AD1048576 单元格只有空格，离花名册数据太远，已忽略。"]


def test_far_cells_holding_an_ideographic_space_or_nothing_are_ignored():
    roster = read(files.inline_blank_far_xlsx())
    assert roster.rows == two_people(files.text_cells)
    assert roster.notes == ["工作表“申报人员”的 AD1048576、AE1048576 单元格只有空格，离花名册数据太远，已忽略。"]


def test_a_far_cell_with_text_is_still_refused():
    assert refusal(files.stray_space_xlsx(" x ")) == FAR.format("AD1048576")


def test_column_letters_and_numbers_agree_with_openpyxl():
    from openpyxl.utils import column_index_from_string, get_column_letter

    from zcweb.roster.reader import column_index, column_letter

    for index in (1, 2, 26, 27, 52, 53, 702, 703, 16384):
        assert column_letter(index) == get_column_letter(index)
        assert column_index(column_letter(index)) == index == column_index_from_string(get_column_letter(index))
    assert column_index("xfd") == 16384


# ---------------------------------------------------------------- every refusal names its cause

# Each file in tests/rosterfiles.py that the reader refuses → the words of
# its refusal that name the true cause.
CAUSES = {
    "counted_far_xlsx": "工作表的范围过大",
    "csv_with_nul": "无法识别文件内容",
    "damaged_xlsb": "文件已损坏",
    "docx": "这是 Word 文档",
    "empty": "文件是空的",
    "encrypted_ods": "设置了打开密码",
    "encrypted_xlsx": "设置了打开密码",
    "far_corner_xlsx": "XFD1048576 单元格有内容",
    "gbk_named_zip": "这是 ZIP 压缩包（其中有 4 个文件",
    "other_xml": "这是 XML 文件",
    "web_archive_without_table": "其中没有表格",
    "page_without_table": "这是网页（HTML）文件，其中没有表格",
    "web_page_gbk_damaged": "文件第 3 行有无法识别的字符",
    "web_page_too_wide": "工作表的范围过大",
    "xml_spreadsheet_damaged": "文件已损坏",
    "xml_spreadsheet_entities": "文件已损坏",
    "instructions_only_xlsx": "未找到表头",
    "jpeg": "这是图片（JPEG）",
    "lying_size_xlsx": "文件解压后过大",
    "missing_required_xlsx": "缺少必填列：身份证号、申报专业",
    "ods_repeat_bomb": "不是有效的表格文件",  # python-calamine refuses it as no spreadsheet it knows
    "pdf": "这是 PDF 文件",
    "plain_zip": "这是 ZIP 压缩包（其中有 2 个文件",
    "png": "这是图片（PNG）",
    "ratio_bomb": "文件解压后过大",
    "stray_value_xlsx": "A1048576 单元格有内容",
    "twin_parts_xlsx": "文件已损坏",
    "csv_gbk_damaged": "CSV 文件第 3 行有无法识别的字符",
    "csv_utf8_damaged": "CSV 文件第 3 行有无法识别的字符",
    "undecodable": "CSV 文件第 2 行有无法识别的字符",
    "unicode_text_damaged": "CSV 文件第 3 行有无法识别的字符",
    "properties_only_xlsx": "文件已损坏",
    "unknown_zip_version_xlsx": "文件已损坏",
    "worksheets_only_xlsx": "文件已损坏",  # not "ZIP 压缩包": its parts are Excel's
    "xls_garbage": "文件已损坏",
    "xls_macro": "文件包含宏（VBA 代码）",
    "xls_password": "设置了打开密码",
    "xlsm": "文件包含宏（VBA 代码）",
    "zip_bomb": "文件解压后过大",
}


def _whole_files() -> list[str]:
    """The builders in rosterfiles that make a whole file with no arguments."""
    builders = {name: inspect.unwrap(build) for name, build in vars(files).items() if callable(build)}
    return sorted(
        name for name, build in builders.items()
        if inspect.isfunction(build) and build.__module__ == files.__name__ and not name.startswith("_")
        and inspect.signature(build).return_annotation == "bytes"
        and all(p.default is not p.empty for p in inspect.signature(build).parameters.values()))


@pytest.mark.parametrize("name", _whole_files())
def test_every_refused_file_is_refused_for_its_true_cause(name):
    try:
        read(getattr(files, name)())
    except RosterRefused as refused:
        assert name in CAUSES, f"{name} is refused: {refused.message}"
        assert CAUSES[name] in refused.message
    else:
        assert name not in CAUSES, f"{name} is read"


def test_the_cause_table_names_only_files_there_are():
    assert set(CAUSES) <= set(_whole_files())
