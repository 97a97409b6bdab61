"""The text of 填报说明, the template's instructions sheet.

Every fact is taken from the batch (`BatchSpec`) and the schema; a section
with nothing to say is left out. `template.build_template` writes it as the
workbook's first sheet.
"""

from __future__ import annotations

from typing import NamedTuple

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from .batch import BatchSpec, format_date
from .schema import INSTRUCTIONS_SHEET, Column, Schema
from .sheets import BOLD, CENTER, FONT_NAME, TOP, WRAP, row_height, setup_print, write_value
from .template_layout import FIRST_DATA_ROW, ID_NUMBER_LENGTH, RED, REQUIRED_MARK, header_text

COLUMNS_HEADING = "各列说明"  # the instructions' list of columns, printed on a page of its own
HEADING_FILL = PatternFill("solid", fgColor="F2F2F2")
_NUMERALS = "一二三四五六七八九十"


class Item(NamedTuple):
    """One line of the instructions: a label and its text."""

    label: str
    text: str
    strong: bool = False


def write_instructions(sheet, schema: Schema, spec: BatchSpec, prepared: int) -> None:
    sheet.title = INSTRUCTIONS_SHEET
    widths = (22, 82)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    title = sheet.cell(1, 1)
    write_value(title, f"{spec.title}\n{schema.sheet}花名册填报说明")
    title.font = Font(name=FONT_NAME, bold=True, size=15)
    title.alignment = CENTER
    sheet.merge_cells("A1:B1")
    sheet.row_dimensions[1].height = 48
    subtitle = sheet.cell(2, 1)
    write_value(subtitle, f"{spec.bureau}　　本表上传截止：{format_date(spec.upload_deadline)}")
    subtitle.alignment = CENTER
    sheet.merge_cells("A2:B2")
    sheet.row_dimensions[2].height = 22
    row = 2
    for number, (heading, items) in enumerate(instruction_sections(schema, spec, prepared)):
        row += 1
        if heading == COLUMNS_HEADING:
            sheet.row_breaks.append(Break(id=row - 1))
        cell = sheet.cell(row, 1)
        write_value(cell, f"{_numeral(number)}、{heading}")
        cell.font = Font(name=FONT_NAME, bold=True, size=12)
        cell.alignment = WRAP
        for column in (1, 2):
            sheet.cell(row, column).fill = HEADING_FILL
        sheet.row_dimensions[row].height = 22
        for item in items:
            row += 1
            _write_item(sheet, row, item, widths)
    setup_print(sheet, None, landscape=False)


def _write_item(sheet, row: int, item: Item, widths) -> None:
    label, text = sheet.cell(row, 1), sheet.cell(row, 2)
    write_value(label, item.label)
    write_value(text, item.text)
    label.font = BOLD
    text.font = Font(name=FONT_NAME, bold=item.strong, color=RED if item.strong else None)
    label.alignment = text.alignment = TOP
    sheet.row_dimensions[row].height = row_height([(item.label, widths[0]), (item.text, widths[1])])


def _numeral(number: int) -> str:
    if number < 10:
        return _NUMERALS[number]
    return "十" + _NUMERALS[number - 10]


def _quoted(values) -> str:
    return "".join(f"“{v}”" for v in values)


def _joined(values) -> str:
    return "、".join(str(v) for v in values)


def instruction_sections(schema: Schema, spec: BatchSpec, prepared: int) -> list[tuple[str, list[Item]]]:
    """The contents of 填报说明, every fact taken from `spec` and `schema`;
    a section with nothing to say is left out."""
    sections = [
        ("申报范围", _scope(schema, spec)),
        ("申报途径", _routes(schema, spec)),
        ("时间要求", _dates(spec)),
        ("资历条件", _seniority(spec)),
        ("继续教育", [Item("学时要求", _continuing_education(spec))] if spec.ce_years else []),
        ("单位公示", [Item("公示要求", _notice(schema, spec))]),
        ("岗位核定", [Item(_joined(spec.post_check_employer_types), _post_check(schema, spec))]
                     if spec.post_check_employer_types else []),
        ("纸质材料", [Item("评审表",
                        f"《专业技术职务任职资格评审表》一式{spec.paper_copies}份，签名盖章后报送{spec.bureau}"
                        "（地址见“联系方式”）。")]),
        ("填表要求", _filling(schema, spec, prepared)),
        (COLUMNS_HEADING, [_column_item(column, spec) for column in schema.columns]),
        ("联系方式", [Item(spec.bureau, spec.contact)]),
    ]
    return [(heading, items) for heading, items in sections if items]


def _choice_column(schema: Schema, values) -> Column | None:
    """The choice column whose choices include `values` (e.g. 单位性质)."""
    return next((c for c in schema.columns if values and set(values) <= set(c.choices)), None)


def _scope(schema: Schema, spec: BatchSpec) -> list[Item]:
    excluded = spec.excluded_employer_types
    employer = _choice_column(schema, excluded)
    allowed = [v for v in employer.choices if v not in excluded] if employer else []
    who = f"本区{_joined(allowed)}的" if allowed else "本区企事业单位的"
    items = [Item("申报对象", f"{who}专业技术人员，现从事工程技术或工程技术管理工作，且满足申报条件的，可以申报。")]
    if excluded:
        names = [_long_name(employer, value) for value in excluded] if employer else excluded
        where = f"（“{employer.header}”选{_quoted(excluded)}）" if employer else ""
        items.append(Item("不得申报", f"{_joined(names)}人员不得申报{where}。", strong=True))
    for level, specialties in spec.levels.items():
        items.append(Item(level, f"{_joined(specialties)}，共{len(specialties)}个专业。"))
    return items


def _long_name(column: Column, value: str) -> str:
    """The longest way the schema accepts of writing `value`, e.g.
    参照公务员法管理的事业单位 for 参公事业单位."""
    names = [alias for alias, canonical in column.choice_aliases.items() if canonical == value]
    longest = max(names, key=len, default=value)
    return f"{longest}（{value}）" if longest != value else value


def _needed_for(schema: Schema, route: Column, value: str) -> str:
    headers = [c.header for c in schema.columns
               if c.required_when and c.required_when[0] == route.key and value in c.required_when[1]]
    return f"须填写{_quoted(headers)}。" if headers else ""


def _routes(schema: Schema, spec: BatchSpec) -> list[Item]:
    if "route" not in schema:
        return []
    route = schema["route"]
    score = f"{spec.breakthrough_min_score:g}"
    texts = {
        "正常": "符合下面“资历条件”的，按正常途径申报。",
        "破格": f"仅限{_joined(spec.breakthrough_levels)}：未达到学历资历条件，但按照量化评价标准"
                f"自评分达到{score}分及以上的，可以破格申报。",
        "高技能人才": "取得职业技能等级的高技能人才，可按高技能人才与专业技术人才职业发展贯通的规定申报。",
    }
    return [Item(value, texts.get(value, "") + _needed_for(schema, route, value)) for value in route.choices_for(spec)]


def _dates(spec: BatchSpec) -> list[Item]:
    return [
        Item("资历计算截止", f"{format_date(spec.seniority_cutoff)}（任现职年限算至此日）"),
        Item("业绩材料截止", f"{format_date(spec.achievement_cutoff)}（业绩等相关材料截至此日）"),
        Item("网上个人申报截止", format_date(spec.individual_deadline)),
        Item("本表上传截止", f"{format_date(spec.upload_deadline)}前，请将填好的本表上传至系统，逾期不再受理。",
             strong=True),
        Item("地市评审推荐截止", format_date(spec.city_deadline)),
    ]


def _seniority(spec: BatchSpec) -> list[Item]:
    items = []
    for level, condition in spec.seniority.items():
        title = _joined(condition.get("title", []))
        rules = "；".join(f"{rule['label']}，取得{title}职称满{rule['years']}年" for rule in condition.get("rules", []))
        text = f"{rules}。年限从“现职称取得时间”算至{format_date(spec.seniority_cutoff)}。"
        if level in spec.breakthrough_levels:
            text += f"不符合的，可按破格途径申报（量化自评分≥{spec.breakthrough_min_score:g}分）。"
        items.append(Item(level, text))
    return items


def _continuing_education(spec: BatchSpec) -> str:
    years = _joined(f"{year}年" for year in spec.ce_years)
    return (f"须在继续教育学时登记系统登记，申报时核验{years}的学时：每年不少于{spec.ce_min_hours:g}学时，"
            f"其中专业科目不少于{spec.ce_min_professional_hours:g}学时。在各年度的继续教育学时列填写登记的学时数。")


def _notice(schema: Schema, spec: BatchSpec) -> str:
    first_day = "公示首日计入" if spec.notice_first_day_counts else "公示首日不计入"
    headers = _quoted(c.header for c in schema.columns if c.key in ("notice_start", "notice_end"))
    return (f"单位审核后须公示不少于{spec.notice_min_workdays}个工作日（不含周末和法定节假日，"
            f"调休上班日计入，{first_day}），在{headers}填写公示的起止日期。")


def _post_check(schema: Schema, spec: BatchSpec) -> str:
    column = next((c for c in schema.columns if c.required_when
                   and set(c.required_when[1]) & set(spec.post_check_employer_types)), None)
    where = f"，在“{column.header}”列选择“是”或“否”" if column else ""
    return f"按评聘结合要求申报推荐，须已在事业单位人事工资管理服务系统中核定相应岗位{where}。"


def _filling(schema: Schema, spec: BatchSpec, prepared: int) -> list[Item]:
    example = spec.seniority_cutoff
    level = next((c for c in schema.columns if c.choices_from == "levels"), None)
    specialty = next((c for c in schema.columns if c.choices_from == "specialties"), None)
    return [
        Item("必填项", f"列名前带“{REQUIRED_MARK}”（红色）的为必填项；其余列在说明所写的情形下必填。"
                       "把鼠标移到列名上可看到该列的说明。"),
        Item("填写位置", f"在“{schema.sheet}”工作表从第{FIRST_DATA_ROW}行起每行填写一人，已预留{prepared}行。"
                         "请勿修改列名、增删列或工作表；本表已设保护，只能在表格区域填写。"),
        Item("下拉选择", "带下拉箭头的列请从列表中选择。"
             + (f"“{specialty.header}”须先选“{level.header}”，列表只列出该级别本次评审的专业。"
                if level and specialty else "")),
        Item("日期与年月", f"日期写成 {example.isoformat()} 的形式；年月写成 {example:%Y-%m} 的形式。"),
        Item("身份证号", f"填写{ID_NUMBER_LENGTH}位公民身份号码，末位X大写；不接受15位旧号码。本列已设为文本格式，"
                         "请直接输入，粘贴时请选择“只粘贴值/文本”；切勿改为数字格式，"
                         "否则Excel只保留15位有效数字，后三位变成000且无法恢复。"),
        Item("上传", "填好后保存为 .xlsx 文件上传至系统（WPS 也请保存为 .xlsx）。系统逐行检查，"
                     "有问题的行可下载“错误标注”文件，按红色单元格的批注修改后重新上传。"),
    ]


def _column_item(column: Column, spec: BatchSpec) -> Item:
    text = f"【{column.requirement_text()}】{column.help}"
    # The specialties depend on the level; 申报范围 lists them per level.
    if column.type in ("choice", "yesno") and column.choices_from != "specialties":
        text += f"可选：{_joined(column.choices_for(spec))}。"
    return Item(header_text(column), text)
