"""The 推荐人员汇总表 the bureau stamps and sends upward, opened with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from zcweb.roster.official import HEADER_ROW, build_official, load_view

from .test_template import example_row

DAY = dt.date(2024, 9, 5)
FIRST = HEADER_ROW + 1
SURNAMES = ["钱", "郑", "吴", "刘", "白", "叶", "王", "马", "万", "丁"]
STROKE_ORDER = ["丁", "万", "马", "王", "叶", "白", "刘", "吴", "郑", "钱"]


def person(name, org="百官街道", org_order=1, **changes):
    return {**example_row(name=name, **changes), "org": org, "org_order": org_order}


def official(spec, rows):
    return load_workbook(io.BytesIO(build_official(spec, rows, day=DAY)))


def table(sheet) -> list[dict]:
    """The data rows under the header, as {header: value}, up to the 合计 line."""
    headers = [c.value for c in sheet[HEADER_ROW]]
    rows = []
    for row in sheet.iter_rows(min_row=FIRST, values_only=True):
        if str(row[0]).startswith("合计"):
            break
        rows.append(dict(zip(headers, row)))
    return rows


def test_one_sheet_per_level_titled_from_the_batch_without_repeated_words(spec):
    wb = official(spec, [person("王芳"), person("李强", level="正高级工程师", specialty="信息技术")])
    assert wb.sheetnames == ["高级工程师", "正高级工程师"]
    assert wb["高级工程师"]["A1"].value == "2024年度高级工程师职务任职资格评审推荐人员汇总表"
    assert wb["正高级工程师"]["A1"].value == "2024年度正高级工程师职务任职资格审核推荐人员汇总表"
    assert [r["姓名"] for r in table(wb["高级工程师"])] == ["王芳"]
    assert [r["姓名"] for r in table(wb["正高级工程师"])] == ["李强"]


def test_bureau_line_and_contact_footer_come_from_the_batch(spec):
    sheet = official(spec, [person("王芳"), person("丁一")])["高级工程师"]
    line = [c.value for c in sheet[2] if c.value]
    assert line == ["推荐单位（盖章）：绍兴市上虞区经济和信息化局", "填报日期：2024年9月5日"]
    [date_cell] = [c for c in sheet[2] if c.value and c.value.startswith("填报日期")]
    assert date_cell.alignment.horizontal == "right"
    below = [sheet.cell(r, 1).value for r in range(FIRST + 2, sheet.max_row + 1)]
    assert below == ["合计：2人", "填表人：裘晶晶　　　　联系电话：82212393"]
    spec.contact_person, spec.contact_phone = "张三", "82000000"
    sheet = official(spec, [person("王芳")])["高级工程师"]
    assert sheet.cell(sheet.max_row, 1).value == "填表人：张三　　　　联系电话：82000000"


def test_columns_are_the_views_short_set_without_phone_or_review_internals(spec):
    sheet = official(spec, [person("王芳", phone="13800000001", remarks="兼任")])["高级工程师"]
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers == [c.header for c in load_view("official-2024").columns]
    assert headers[:4] == ["序号", "推荐单位", "姓名", "性别"] and len(headers) <= 12
    for forbidden in ("联系电话", "身份证号码", "审核人", "审核时间"):
        assert forbidden not in headers
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any("13800000001" in v for v in values)
    [row] = table(sheet)
    assert row["推荐单位"] == "百官街道" and row["工作单位"] == "浙江上虞某某新材料股份有限公司"
    assert row["最高学历\n（学位）"] == "大学本科\n学士"
    assert row["现职称\n（取得时间）"] == "工程师\n2016-12-28"
    assert row["备注"] == "兼任"


def test_names_in_stroke_order_with_sequence_numbers(spec):
    rows = [person(s + "一") for s in SURNAMES] + [person("陈明"), person("邓华"), person("金鑫"), person("方圆")]
    got = table(official(spec, rows)["高级工程师"])
    # 阝 is 2 strokes: 邓 has 4 (after 王 1121 and 方 4153), 陈 7 (after 吴 2511134, before 金 8).
    assert [r["姓名"] for r in got] == ["丁一", "万一", "马一", "王一", "方圆", "邓华", "叶一", "白一", "刘一",
                                        "吴一", "陈明", "金鑫", "郑一", "钱一"]
    assert [r["序号"] for r in got] == list(range(1, len(rows) + 1))


def test_rows_sorted_by_specialty_then_body_then_strokes(spec):
    rows = [
        person("王二", org="曹娥街道", org_order=2, specialty="材料"),
        person("丁三", org="曹娥街道", org_order=2, specialty="能源"),
        person("马四", org="百官街道", org_order=1, specialty="材料"),
        person("丁五", org="百官街道", org_order=1, specialty="材料"),
    ]
    got = [(r["申报专业"], r["推荐单位"], r["姓名"]) for r in table(official(spec, rows)["高级工程师"])]
    # The batch lists 能源 before 材料.
    assert got == [("能源", "曹娥街道", "丁三"), ("材料", "百官街道", "丁五"), ("材料", "百官街道", "马四"),
                   ("材料", "曹娥街道", "王二")]


def test_formula_looking_values_stay_strings(spec):
    sheet = official(spec, [person("王芳", remarks='=HYPERLINK("http://example.com")', employer="+1-2")])["高级工程师"]
    cells = {sheet.cell(HEADER_ROW, c).value: sheet.cell(FIRST, c) for c in range(1, sheet.max_column + 1)}
    assert (cells["备注"].value, cells["备注"].data_type) == ('=HYPERLINK("http://example.com")', "s")
    assert (cells["工作单位"].value, cells["工作单位"].data_type) == ("+1-2", "s")


def test_prints_a4_landscape_one_page_wide_repeating_the_header_with_page_numbers(spec):
    for sheet in official(spec, [person("王芳")]).worksheets:
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_readable_type_and_a_width_that_fits_a4_landscape(spec):
    sheet = official(spec, [person("王芳")])["高级工程师"]
    assert sheet.cell(FIRST, 3).font.sz == 11 and sheet.cell(HEADER_ROW, 3).font.b
    widths = [sheet.column_dimensions[chr(64 + i)].width for i in range(1, sheet.max_column + 1)]
    # About 2 mm a width unit: 277 mm of A4 landscape between the margins.
    assert sum(widths) * 2.0 <= 277


def test_a_level_without_rows_still_has_its_sheet(spec):
    sheet = official(spec, [person("王芳")])["正高级工程师"]
    assert table(sheet) == [] and sheet.cell(sheet.max_row - 1, 1).value == "合计：0人"


def test_the_view_is_data(tmp_path, spec):
    (tmp_path / "official-2024.toml").write_text(
        'version = "official-2024"\ntitle = "{year}年{level}{step}名单"\n'
        '[[columns]]\nheader = "序号"\nkeys = ["seq"]\n'
        '[[columns]]\nheader = "姓名"\nkeys = ["name"]\n', encoding="utf-8")
    view = load_view("official-2024", tmp_path)
    sheet = load_workbook(io.BytesIO(build_official(spec, [person("王芳")], day=DAY, view=view)))["高级工程师"]
    assert sheet["A1"].value == "2024年高级工程师评审推荐名单"
    assert [c.value for c in sheet[HEADER_ROW]] == ["序号", "姓名"]
    assert table(sheet) == [{"序号": 1, "姓名": "王芳"}]
