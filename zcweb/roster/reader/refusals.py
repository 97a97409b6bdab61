"""Why a file is refused: `RosterRefused` and the messages a contact reads."""

from __future__ import annotations

EMPTY = "文件是空的，请选择填好的花名册重新上传。"
MACROS = "文件包含宏（VBA 代码），为安全起见不予读取。请另存为 .xlsx（Excel 工作簿）后重新上传。"
PASSWORD = "文件设置了打开密码，请取消密码后另存为 .xlsx 再上传。"
BOMB = "文件解压后过大，疑似异常文件。请用 Excel 或 WPS 打开确认内容后另存为 .xlsx 再上传。"
CORRUPT = "文件已损坏或不是有效的表格文件，无法读取。请用 Excel 或 WPS 打开，确认内容无误后另存为 .xlsx（Excel 工作簿）再上传。"
NOT_TEXT = "无法识别文件内容，它不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"
BAD_CSV = "CSV 文件格式有误，无法读取。请用 Excel 打开后另存为 .xlsx（Excel 工作簿）再上传。"
TIMEOUT = "文件过大或过于复杂，读取超时。请删除多余的工作表和空行后另存为 .xlsx 再上传。"
TOO_LARGE = "工作表的范围过大，超出了读取的内存上限（常见原因是表格下方或右侧很远处有多余的内容）。请删除多余的行和列后另存为 .xlsx 再上传。"
NO_HEADER = "未找到表头：请确认第一张工作表含有“姓名”“身份证号”等列标题（表头须在前 30 行内）。"


class RosterRefused(Exception):
    """The whole file is refused; `message` is shown to the contact."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def not_a_roster(what: str) -> RosterRefused:
    return RosterRefused(f"这是{_spaced(what)}，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。")


def archive(what: str) -> RosterRefused:
    return RosterRefused(f"这是{_spaced(what)}，不是 Excel 花名册。请解压后上传其中的花名册（.xlsx 文件）。")


def undecodable(line: int, what: str = "CSV 文件") -> RosterRefused:
    return RosterRefused(f"{what}第 {line} 行有无法识别的字符（文件可能已损坏，或不是以 UTF-8 或 GBK 编码保存）。"
                         "请用 Excel 打开，检查这一行后另存为 .xlsx（Excel 工作簿）再上传。")


def too_many_rows(limit: int) -> RosterRefused:
    return RosterRefused(f"花名册的数据行超过 {limit} 行的上限。请删除与申报无关的行后重新上传。")


def _spaced(what: str) -> str:
    """A space between Chinese and a Latin word, as in the rest of the text."""
    return f" {what}" if what[0].isascii() else what
