"""The 公示 (public notice) of the people the bureau recommends: its period
in working days and the text the officer publishes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .batch import BatchSpec, format_date
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


def notice_text(spec: BatchSpec, period: NoticePeriod, counts: dict[str, int]) -> str:
    """The notice as the bureau publishes it; `counts` is people per level."""
    total = sum(counts.values())
    by_level = "、".join(f"{level}{n}人" for level, n in counts.items() if n)
    lines = [
        f"关于{spec.title}人员的公示",
        "",
        f"根据{spec.year}年度高级工程师和正高级工程师职务任职资格评审工作的有关规定，"
        f"经个人申报、单位审核推荐和我局审核，现将拟推荐人员名单予以公示"
        f"（共{total}人{'：' + by_level if by_level else ''}，名单附后）。",
        "",
        f"公示时间：{period.text}。",
        "",
        "公示期间，任何单位和个人对公示人员的资格条件、业绩材料等有异议的，"
        "可向我局实名书面反映，并提供必要的证明材料。",
    ]
    if spec.contact:
        lines += ["", f"联系人：{spec.contact}"]
    lines += ["", spec.bureau, format_date(period.start)]
    if period.approximate:
        lines += ["", f"（注：{period.start.year}年的法定节假日数据暂缺，工作日按周一至周五计算，请核对。）"]
    return "\n".join(lines)
