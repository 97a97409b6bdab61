"""The roster template (花名册模板) a submitting body fills in.

`build_template` writes an xlsx with two visible sheets: 填报说明, drawn from
the batch and the schema, and the roster sheet (`schema.sheet`) with a title
row, a header row and prepared entry rows carrying dropdowns, formats and
validations. A hidden sheet holds the dropdown lists behind defined names and
a very hidden sheet holds the signed token. The same writer, with rows, cell
notes and row notes, makes a body's "my rows" copy and the copy with errors
marked; Excel's checks only help the contact, the server checks every upload
again.

The cell-writing, size and print helpers live in `sheets`, the rows and marks
the writer and its instructions share in `template_layout`, and the text of
填报说明 in `instructions`.
"""

from __future__ import annotations

import datetime as dt
import re

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from .batch import BatchSpec
from .instructions import write_instructions
from .schema import INFO_HEADERS, LISTS_SHEET, META_SHEET, Column, Schema, load_schema
from .sheets import BOLD, CENTER, DATE_FORMAT, FONT_NAME, GRID, HEADER_FILL, TEXT_FORMAT, TEXT_TYPES, WRAP, frozen_cell, row_height, safe_filename, setup_print, to_bytes, values_height, write_value
from .template_layout import FIRST_DATA_ROW, HEADER_ROW, ID_NUMBER_LENGTH, RED, TITLE_ROW, header_text


# Protection only keeps a contact from breaking the layout by accident; the
# password is not a secret and the server never trusts the protection.
PROTECTION_PASSWORD = "zcweb"
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))


INFO_FILL = PatternFill("solid", fgColor="EDEDED")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
UNLOCKED = Protection(locked=False)

_INFO_WIDTHS = dict(zip(INFO_HEADERS, (10, 26, 32)))
_EXCEL_NAME = re.compile(r"[^\W\d][\w.]*")
_CELL_REFERENCE = re.compile(r"(?i)[a-z]{1,3}\d+|r\d*c\d*")


# ---------------------------------------------------------------- template

def template_filename(spec: BatchSpec, org_name: str, suffix: str = "") -> str:
    """2024年度职称申报推荐花名册-百官街道.xlsx"""
    return safe_filename(f"{spec.year}年度{load_schema(spec.template).title}-{org_name}{suffix}")


def roster_title(schema: Schema, spec: BatchSpec, org_name: str) -> str:
    return f"{org_name} {spec.title} {schema.sheet}花名册"


def build_template(schema: Schema, spec: BatchSpec, *, org_name: str, token: str | None,
                   rows: list[dict] | None = None,
                   info: list[dict] | None = None,
                   cell_notes: dict[tuple[int, str], str] | None = None,
                   row_notes: dict[int, str] | None = None,
                   prepared_rows: int = 1000) -> bytes:
    """The xlsx a body fills in, optionally pre-filled with `rows`, their
    review `info`, and error notes per cell and per row."""
    rows = rows or []
    last_row = FIRST_DATA_ROW + max(prepared_rows, len(rows) + 200) - 1
    workbook = Workbook()
    write_instructions(workbook.active, schema, spec, last_row - FIRST_DATA_ROW + 1)
    sheet = workbook.create_sheet(schema.sheet)
    extra = _extra_headers(info, row_notes)
    _write_title(sheet, roster_title(schema, spec, org_name), len(schema.columns) + len(extra))
    _write_headers(sheet, schema, extra)
    _prepare_entry_rows(sheet, schema, last_row)
    _add_validations(sheet, schema, spec, _write_lists(workbook, schema, spec), last_row)
    extra_values = _extra_values(rows, info, row_notes)
    _write_rows(sheet, schema, rows, extra_values, [_INFO_WIDTHS[h] for h in extra])
    _mark_cells(sheet, schema, cell_notes or {})
    _outline_filled_rows(sheet, len(schema.columns) + len(extra), last_row)
    _protect(sheet)
    setup_print(sheet, f"{TITLE_ROW}:{HEADER_ROW}")
    if token is not None:
        _write_meta(workbook, token)
    _protect_workbook(workbook, sheet)
    return to_bytes(workbook)


def _write_title(sheet, title: str, width: int) -> None:
    cell = sheet.cell(TITLE_ROW, 1)
    write_value(cell, title)
    cell.font = Font(name=FONT_NAME, bold=True, size=14)
    cell.alignment = CENTER
    sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=width)
    sheet.row_dimensions[TITLE_ROW].height = 30


def _write_headers(sheet, schema: Schema, extra: list[str]) -> None:
    texts = []
    for index, column in enumerate(schema.columns, 1):
        cell = header_cell(sheet, index, header_text(column), column.width)
        if column.required:
            cell.font = Font(name=FONT_NAME, bold=True, color=RED)
        cell.comment = _comment(f"{column.requirement_text()}。{column.help}")
        texts.append((cell.value, column.width))
    for index, header in enumerate(extra, len(schema.columns) + 1):
        cell = header_cell(sheet, index, header, _INFO_WIDTHS[header])
        cell.fill = INFO_FILL
        cell.comment = _comment("系统生成，仅供参考；上传时不读取本列。")
    sheet.row_dimensions[HEADER_ROW].height = row_height(texts)
    sheet.freeze_panes = frozen_cell([c.key for c in schema.columns], FIRST_DATA_ROW)


def header_cell(sheet, index: int, text: str, width: float, row: int = HEADER_ROW):
    """A header cell as the template and the exports draw it; sets the
    column's width."""
    cell = sheet.cell(row, index)
    write_value(cell, text)
    cell.font = BOLD
    cell.fill = HEADER_FILL
    cell.alignment = CENTER
    cell.border = GRID
    sheet.column_dimensions[get_column_letter(index)].width = width
    return cell


def _comment(text: str) -> Comment:
    comment = Comment(text, "")
    comment.width = 240
    comment.height = row_height([(text, 30)]) + 10
    return comment


def _prepare_entry_rows(sheet, schema: Schema, last_row: int) -> None:
    """Unlocked, correctly formatted entry cells: written on each prepared
    row, and as the column style so rows below the prepared ones behave too."""
    for index, column in enumerate(schema.columns, 1):
        number_format = _entry_format(column)
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.number_format = number_format
        dimension.protection = UNLOCKED
        dimension.alignment = WRAP
        for row in range(FIRST_DATA_ROW, last_row + 1):
            cell = sheet.cell(row, index)
            cell.number_format = number_format
            cell.protection = UNLOCKED
            cell.alignment = WRAP


def _entry_format(column: Column) -> str:
    if column.type == "date":
        return DATE_FORMAT
    return TEXT_FORMAT if column.type in TEXT_TYPES else "General"


def _write_rows(sheet, schema: Schema, rows: list[dict], extra_values: list[list[str]], extra_widths) -> None:
    """The rows and their extra columns, each row as high as its wrapped values need."""
    widths = [c.width for c in schema.columns] + list(extra_widths)
    after = len(schema.columns)
    for offset, row in enumerate(rows):
        number = FIRST_DATA_ROW + offset
        values = [row.get(column.key) for column in schema.columns]
        for index, (column, value) in enumerate(zip(schema.columns, values), 1):
            if value is not None and value != "":
                write_value(sheet.cell(number, index), value, column.type)
        texts = extra_values[offset] if extra_values else []
        for index, text in enumerate(texts, after + 1):
            cell = sheet.cell(number, index)
            if text:
                write_value(cell, text)
            cell.fill = INFO_FILL
            cell.alignment = WRAP
        sheet.row_dimensions[number].height = values_height(values + texts, widths)


def _extra_headers(info, row_notes) -> list[str]:
    return list(INFO_HEADERS[:2] if info else ()) + ([INFO_HEADERS[2]] if row_notes is not None else [])


def _extra_values(rows, info, row_notes) -> list[list[str]]:
    """Per row, the texts of the extra columns: review status and reason,
    and the row's error note."""
    values = []
    for offset in range(len(rows)):
        texts = [info[offset].get("status") or "", info[offset].get("reason") or ""] if info else []
        if row_notes is not None:
            texts.append(row_notes.get(offset, ""))
        values.append(texts)
    return values


def _mark_cells(sheet, schema: Schema, cell_notes: dict) -> None:
    positions = {column.key: index for index, column in enumerate(schema.columns, 1)}
    for (offset, key), message in cell_notes.items():
        if key not in positions:  # no cell to mark; the row's note still says it
            continue
        cell = sheet.cell(FIRST_DATA_ROW + offset, positions[key])
        cell.fill = ERROR_FILL
        cell.comment = _comment(message)


def _outline_filled_rows(sheet, width: int, last_row: int) -> None:
    """Borders appear on a row once something is typed in it, so printing
    shows the filled rows as a table and no empty grid."""
    last = get_column_letter(width)
    area = f"A{FIRST_DATA_ROW}:{last}{last_row}"
    rule = FormulaRule(formula=[f"COUNTA($A{FIRST_DATA_ROW}:${last}{FIRST_DATA_ROW})>0"], border=GRID)
    sheet.conditional_formatting.add(area, rule)


# ---------------------------------------------------------------- dropdowns

def _list_name(column: Column) -> str:
    return f"list_{column.key}"


def _is_excel_name(text: str) -> bool:
    """Whether `text` can name a range (and be found by INDIRECT)."""
    return (len(text) <= 255 and bool(_EXCEL_NAME.fullmatch(text))
            and not _CELL_REFERENCE.fullmatch(text))


def _by_level(schema: Schema, spec: BatchSpec) -> bool:
    """Whether the specialty dropdown can follow the row's level: it needs
    the level column and a level name that is a valid Excel name."""
    return any(c.choices_from == "levels" for c in schema.columns) and all(map(_is_excel_name, spec.levels))


def _write_lists(workbook: Workbook, schema: Schema, spec: BatchSpec) -> dict[str, str]:
    """Writes every dropdown list on the hidden lists sheet behind a
    workbook-level name (an inline list breaks past 255 characters) and
    returns each dropdown column's list formula by column key."""
    lists: dict[str, list[str]] = {}
    formulas: dict[str, str] = {}
    for column in schema.columns:
        if column.type not in ("choice", "yesno"):
            continue
        if column.choices_from == "specialties" and _by_level(schema, spec):
            lists.update(spec.levels)
            level = next(i for i, c in enumerate(schema.columns, 1) if c.choices_from == "levels")
            formulas[column.key] = f"INDIRECT(${get_column_letter(level)}{FIRST_DATA_ROW})"
        else:
            lists[_list_name(column)] = column.choices_for(spec)
            formulas[column.key] = _list_name(column)
    sheet = workbook.create_sheet(LISTS_SHEET)
    for index, (name, values) in enumerate(lists.items(), 1):
        letter = get_column_letter(index)
        write_value(sheet.cell(1, index), name)
        for row, value in enumerate(values, 2):
            write_value(sheet.cell(row, index), value)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${max(len(values), 1) + 1}"
        workbook.defined_names[name] = DefinedName(name, attr_text=ref)
    sheet.sheet_state = "hidden"
    _protect(sheet)
    return formulas


def _add_validations(sheet, schema: Schema, spec: BatchSpec, formulas: dict[str, str], last_row: int) -> None:
    for index, column in enumerate(schema.columns, 1):
        validation = _validation(schema, spec, column, formulas)
        if validation is None:
            continue
        letter = get_column_letter(index)
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        sheet.add_data_validation(validation)


def _validation(schema: Schema, spec: BatchSpec, column: Column, formulas: dict[str, str]) -> DataValidation | None:
    header = column.header
    if column.key in formulas:
        if column.choices_from == "specialties" and _by_level(schema, spec):
            level = next(c for c in schema.columns if c.choices_from == "levels")
            message = f"请先选择“{level.header}”，再从下拉列表中选择该级别本次评审的“{header}”。"
        else:
            message = f"请从下拉列表中选择“{header}”。{column.help}"
        return _checked(DataValidation(type="list", formula1=formulas[column.key]), header, message)
    if column.type == "date":
        first, last = (str(int(to_excel(d))) for d in DATE_RANGE)
        message = f"“{header}”请填写日期，如 {spec.seniority_cutoff.isoformat()}。"
        return _checked(DataValidation(type="date", operator="between", formula1=first, formula2=last),
                        header, message)
    if column.type == "number" and (column.min is not None or column.max is not None):
        return _number_validation(column)
    if column.type == "idcard":
        message = f"“{header}”须为{ID_NUMBER_LENGTH}位，末位X大写；不接受15位旧号码。"
        return _checked(DataValidation(type="textLength", operator="equal", formula1=str(ID_NUMBER_LENGTH)),
                        header, message)
    if column.type == "text":
        message = f"“{header}”不能超过{column.max_length}个字。"
        return _checked(DataValidation(type="textLength", operator="lessThanOrEqual",
                                       formula1=str(column.max_length)), header, message)
    return None


def _number_validation(column: Column) -> DataValidation:
    low, high = column.min, column.max
    if low is not None and high is not None:
        validation = DataValidation(type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}")
        wanted = f"{low:g}至{high:g}之间的数"
    elif low is not None:
        validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=f"{low:g}")
        wanted = f"不小于{low:g}的数"
    else:
        validation = DataValidation(type="decimal", operator="lessThanOrEqual", formula1=f"{high:g}")
        wanted = f"不大于{high:g}的数"
    return _checked(validation, column.header, f"“{column.header}”请填写{wanted}。")


def _checked(validation: DataValidation, header: str, message: str) -> DataValidation:
    """Blank allowed (the server judges what is required); anything else
    that fails is refused with a Chinese message. Excel caps the title at
    32 and the message at 255 characters."""
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.errorStyle = "stop"
    validation.errorTitle = f"{header}填写有误"[:32]
    validation.error = message[:255]
    return validation


# ---------------------------------------------------------------- protection and metadata

def _protect(sheet) -> None:
    """Locks the layout; entry cells are unlocked, and a contact may still
    resize columns and rows, insert and delete rows, sort, filter and select."""
    protection = sheet.protection
    protection.password = PROTECTION_PASSWORD
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False
    protection.sort = protection.autoFilter = False
    protection.insertRows = protection.deleteRows = False
    protection.selectLockedCells = protection.selectUnlockedCells = False


def _write_meta(workbook: Workbook, token: str) -> None:
    sheet = workbook.create_sheet(META_SHEET)
    write_value(sheet["A1"], token)
    sheet.sheet_state = "veryHidden"
    _protect(sheet)


def _protect_workbook(workbook: Workbook, active) -> None:
    """Opens on the roster sheet; no sheet can be unhidden, renamed or added."""
    workbook.active = active
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet is active
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.security.workbookPassword = PROTECTION_PASSWORD
