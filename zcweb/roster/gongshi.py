"""The 公示 (public notice) of the people the bureau recommends: its period
in working days and the text the officer publishes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .batch import BatchSpec, format_date
from .official import cell_value, load_view
from .sheets import CENTER, Col, StreamSheet, safe_filename, stream_workbook, to_bytes
from .workdays import earliest_end


@dataclass(frozen=True)
class NoticePeriod:
    """公示期: from `start` to the first day it has lasted `workdays` working
    days (holidays and 调休 counted by chinesecalendar)."""

    start: dt.date
    end: dt.date
    workdays: int
    approximate: bool  # a year chinesecalendar has no data for: Monday–Friday

    @property
    def text(self) -> str:
        return f"{format_date(self.start)}至{format_date(self.end)}（{self.workdays}个工作日）"


def notice_period(spec: BatchSpec, start: dt.date) -> NoticePeriod:
    end, approximate = earliest_end(start, spec.notice_min_workdays, spec.notice_first_day_counts)
    return NoticePeriod(start, end, spec.notice_min_workdays, approximate)


@dataclass(frozen=True)
class Notice:
    """The 公示 text: a title, paragraphs and the signature (bureau, date)."""

    title: str
    paragraphs: tuple[str, ...]
    signature: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join((self.title, *self.paragraphs, "\n".join(self.signature)))


def notice(spec: BatchSpec, period: NoticePeriod, counts: dict[str, int]) -> Notice:
    """The notice as the bureau publishes it; `counts` is people per level."""
    total = sum(counts.values())
    by_level = "、".join(f"{level}{n}人" for level, n in counts.items() if n)
    paragraphs = [
        f"根据{spec.year}年度高级工程师和正高级工程师职务任职资格评审工作的有关规定，"
        f"经个人申报、单位审核推荐和我局审核，现将拟推荐人员名单予以公示"
        f"（共{total}人{'：' + by_level if by_level else ''}，名单附后）。",
        f"公示时间：{period.text}。",
        "公示期间，任何单位和个人对公示人员的资格条件、业绩材料等有异议的，"
        "可向我局实名书面反映，并提供必要的证明材料。",
    ]
    if spec.contact:
        paragraphs.append(f"联系人：{spec.contact}")
    if period.approximate:
        paragraphs.append(f"（注：{period.start.year}年的法定节假日数据暂缺，工作日按周一至周五计算，请核对。）")
    return Notice(f"关于{spec.title}人员的公示", tuple(paragraphs), (spec.bureau, format_date(period.start)))


def gongshi_filename(spec: BatchSpec) -> str:
    """2024年度拟推荐人员公示名单.xlsx"""
    return safe_filename(f"{spec.year}年度拟推荐人员公示名单")


def build_gongshi(spec: BatchSpec, people: dict[str, list[dict]]) -> bytes:
    """The 公示 list: a sheet per level of `people` (rows in order, with
    the view's keys), titled from the batch, A4 portrait with borders."""
    view = load_view(spec.gongshi_view)
    columns = [Col(str(i), c.header, c.width) for i, c in enumerate(view.columns)]
    workbook = stream_workbook()
    for level, rows in people.items():
        table = StreamSheet(workbook, level, columns, data_align=CENTER)
        table.line(view.sheet_title(spec, level), bold=True, size=16, align=CENTER, height=36)
        table.header()
        for number, row in enumerate(rows, 1):
            row = {**row, "seq": number}
            table.row([cell_value(row, c.keys) for c in view.columns])
        table.line(f"合计：{len(rows)}人", height=22)
        table.finish(landscape=False)
    if not people:
        table = StreamSheet(workbook, "公示名单", columns)
        table.line("暂无拟推荐人员", height=22)
        table.finish(landscape=False)
    return to_bytes(workbook)
