"""The audit trail as the officer reads it (操作日志): actions named in
Chinese, filtered by person, action, applicant and date, and exported."""

from __future__ import annotations

import datetime as dt

from peewee import JOIN

from ..models import Applicant, Event, User
from ..roster import workflow
from .hygiene import number

ACTION_NAMES = {
    "auth.login": "登录",
    "auth.failed": "登录失败",
    "auth.password": "修改密码",
    "batch.created": "新建批次",
    "batch.updated": "修改批次设置",
    "batch.extension": "延长单位截止时间",
    "batch.finalised": "定稿",
    "batch.reopened": "撤销定稿",
    **{f"applicant.{a.name}": a.label for a in workflow.ACTIONS.values()},
    "applicant.copies": "登记评审表份数",
    "upload.preview": "上传花名册（待确认）",
    "upload.refused": "上传花名册（被拒收）",
    "upload.confirmed": "确认导入花名册",
    "upload.cancelled": "取消上传",
    "upload.edited": "在线修改上传内容",
    "list.current": "上传名单",  # the platform's, the CE registry's or the results: the detail names it
    "list.refused": "上传名单（被拒收）",
    "export.rows": "导出名单",
    "export.feedback": "导出审核反馈",
    "export.roster": "导出汇总表",
    "export.final": "下载定稿文件",
    "export.marked": "下载标注错误的文件",
    "export.original": "下载上传原文件",
    "export.list_original": "下载名单原文件",
    "export.reconcile": "导出核对结果",
    "org.created": "新增单位",
    "org.updated": "修改单位",
    "user.created": "新增账号",
    "user.password_reset": "重置密码",
    "user.phone": "修改联系电话",
    "user.enabled": "启用账号",
    "user.disabled": "停用账号",
}
PAGE_SIZE = 100


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def log_filters(args) -> dict:
    """The log's filters from request arguments; values naming nothing are dropped."""
    action = args.get("action", "")
    return {"user": args.get("user", type=number), "action": action if action in ACTION_NAMES else "",
            "applicant": args.get("applicant", "").strip(),
            "start": _date(args.get("start")), "end": _date(args.get("end"))}


def log_query(filters: dict):
    """Events matching `filters`, newest first, with their user."""
    query = Event.select(Event, User).join(User, join_type=JOIN.LEFT_OUTER).order_by(Event.id.desc())
    if filters["user"]:
        query = query.where(Event.user == filters["user"])
    if filters["action"]:
        query = query.where(Event.action == filters["action"])
    if filters["applicant"]:
        named = Applicant.select(Applicant.id).where(Applicant.name.contains(filters["applicant"]))
        query = query.where(Event.applicant.in_(named))
    if filters["start"]:
        query = query.where(Event.at >= dt.datetime.combine(filters["start"], dt.time()))
    if filters["end"]:
        query = query.where(Event.at < dt.datetime.combine(filters["end"] + dt.timedelta(days=1), dt.time()))
    return query


def workbook(query) -> tuple[bytes, str]:
    """The events of `query` as a workbook (操作日志.xlsx)."""
    from ..roster.sheets import Col, StreamSheet, stream_workbook, to_bytes
    book = stream_workbook()
    columns = [Col("at", "时间", 20), Col("user", "操作人", 14), Col("action", "操作", 20),
               Col("detail", "内容", 60), Col("address", "地址", 16)]
    sheet = StreamSheet(book, "操作日志", columns, freeze="A2")
    sheet.header()
    for e in query.iterator():
        sheet.row([f"{e.at:%Y-%m-%d %H:%M:%S}", e.user.display_name if e.user else "系统", action_name(e.action),
                   e.detail, e.address or ""])
    sheet.finish()
    return to_bytes(book), f"操作日志{dt.date.today():%Y%m%d}.xlsx"
