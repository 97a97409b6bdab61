"""Whether a roster may be imported now (导入的门槛): the refusals that
concern the file or the moment as a whole, the template's hidden token,
and the limits under which a file is read.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from .deadlines import deadline_for
from ..models import Batch, Org, User
from ..roster.batch import format_date
from ..roster.reader import Limits
from ..roster.signing import TokenInvalid, read_token

# The answer to a file the import failed on (a bug, not the file): nothing written, what to try.
UNEXPECTED = ("读取这个文件时系统出错，文件未导入，数据没有任何变化。请确认文件能用 Excel 或 WPS 正常打开，"
              "另存为 .xlsx 后重新上传；如仍不行，请联系经信局并说明上传时间。")


class ImportRefused(Exception):
    """The file or the moment is refused as a whole; nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refusal_for(batch: Batch, org: Org, user: User | None, today: dt.date | None = None) -> str | None:
    """Why this user may not import into this body's roster now, or None.
    The officer (and the command line, user None) may import after the
    deadline on a body's behalf."""
    if batch.finalised_at:
        return f"{batch.title}已于{format_date(batch.finalised_at.date())}定稿上报，不再接收上传。"
    if not batch.is_open:
        return f"{batch.title}已关闭，不再接收上传。"
    if not org.active:
        return f"报送单位“{org.name}”已停用。"
    if user is not None and not user.is_officer:
        deadline = deadline_for(batch, org)
        if (today or dt.date.today()) > deadline:
            return (
                f"本批次报送截止日期为{format_date(deadline)}，已过截止日期，不能再上传。"
                "如需补报，请联系经信局。"
            )
    return None


def check_token(token: str, batch: Batch, org: Org) -> None:
    """Refuses a file whose template is not this body's of this batch."""
    try:
        payload = read_token(token, current_app.config["SECRET_KEY"].encode())
    except TokenInvalid:
        raise ImportRefused(
            "文件中的模板标识校验不通过（模板的隐藏信息被改动过，或不是本系统下载的模板）。"
            "请重新下载本单位模板，把数据复制进去后再上传。"
        ) from None
    if payload.get("batch") != batch.year:
        raise ImportRefused(
            f"这是{payload.get('batch')}年度的模板，请下载{batch.year}年度的模板重新填写后上传。"
        )
    if payload.get("template") != batch.settings["template"]:
        raise ImportRefused("模板版本与本批次不符，请下载本批次的模板重新填写后上传。")
    if payload.get("org") != org.id:
        raise ImportRefused(
            f"这是“{payload.get('org_name', '其他单位')}”的模板，不能作为“{org.name}”的花名册上传。"
            "请下载本单位的模板，把数据复制进去后再上传。"
        )


def limits() -> Limits:
    """The limits under which an uploaded file is read."""
    config = current_app.config
    return Limits(
        max_rows=config["IMPORT_MAX_ROWS"],
        max_uncompressed=config["IMPORT_MAX_UNCOMPRESSED"],
        time_limit=config["IMPORT_TIME_LIMIT"],
    )
