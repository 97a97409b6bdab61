"""The officer's decisions on rows, paper forms received, and finalising."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN

from .. import marks
from ..db import db
from ..locks import lock_bodies, retried
from ..models import Applicant, Batch, Event, User, now
from ..roster import workflow
from ..roster.batch import format_date
from ..roster.workflow import TransitionRefused


def ensure_not_finalised(batch: Batch) -> None:
    """Refuse any change of a decision or of 评审表 copies once the roster
    has been sent, so the sent roster and the database never disagree."""
    finalised_at = Batch.select(Batch.finalised_at).where(Batch.id == batch.id).scalar()
    if finalised_at:
        raise TransitionRefused(f"本批次已于{format_date(finalised_at.date())}定稿上报，审核结果和评审表份数不能再更改；"
                                "确需更改的，请经办人先在“导出”页“撤销定稿”。")


# Offered on ticked rows or on every row matching the filter (批量操作).
BULK_ACTIONS = ("approve", "return")


class StaleRow(TransitionRefused):
    """Someone changed the row after the user saw it; `str()` says who and when."""


def check_version(applicant: Applicant, version: int | None) -> None:
    """Refuse a change made on a version of the row other than its current one.
    The version is the one the user saw, so it is required."""
    if version is None:
        raise TransitionRefused("请求缺少有效的记录版本号，未作修改。请刷新页面后重试。")
    if version != applicant.version:
        raise StaleRow(changed_by(applicant))


def changed_by(applicant: Applicant) -> str:
    """Who last changed the row, when and to what, e.g.
    该记录已被裘晶晶于 10:42 改为 拟推荐."""
    event = (Event.select(Event, User).join(User, JOIN.LEFT_OUTER)
             .where(Event.applicant == applicant.id).order_by(Event.id.desc()).first())
    # A re-upload changes rows without an Event of their own.
    if event is None or applicant.updated_at > event.at + dt.timedelta(seconds=2):
        return f"该记录已于 {_when(applicant.updated_at)} 被修改（如报送单位重新上传），以下为最新状态。"
    who = event.user.display_name if event.user else "系统"
    after = event.after or {}
    if "status" in after:
        what = f"改为 {workflow.label(after['status'])}"
    elif "copies" in after:
        what = f"将评审表改为 {after['copies']} 份"
    else:
        what = "修改"
    return f"该记录已被{who}于 {_when(event.at)} {what}，以下为最新状态。"


def _when(at: dt.datetime) -> str:
    return f"{at:%H:%M}" if at.date() == dt.date.today() else f"{format_date(at.date())} {at:%H:%M}"


@retried
def decide(applicant: Applicant, user: User, action: str, reason: str | None,
           version: int | None) -> Applicant:
    """Apply a review action (approve, return, reject, reopen; withdraw for
    a contact). `version` is the one the user saw: a row changed meanwhile
    by someone else is refused rather than overwritten."""
    ensure_not_finalised(applicant.batch)
    _change(applicant, user, action, reason, version)
    return Applicant.get_by_id(applicant.id)


def _change(applicant: Applicant, user: User, action: str, reason: str | None, version: int | None,
            marked: bool = True) -> None:
    """One row's decision; its people's marks follow unless `marked` is
    False (a bulk action refreshes them once, at its end)."""
    check_version(applicant, version)
    status, reason = workflow.apply(action, applicant.status, reason, officer=user.is_officer)
    fields = {"status": status, "reason": reason, "version": Applicant.version + 1, "updated_at": now()}
    if user.is_officer:
        fields.update(reviewer=user, reviewed_at=now())
    with db.atomic():
        lock_bodies([applicant.org_id])
        if marked:  # else the bulk action has taken it
            marks.lock(applicant.batch_id)
        changed = (Applicant.update(**fields)
                   .where((Applicant.id == applicant.id) & (Applicant.version == version))
                   .execute())
        if not changed:
            raise StaleRow(changed_by(Applicant.get_by_id(applicant.id)))
        Event.record(user, f"applicant.{action}", batch=applicant.batch_id, org=applicant.org_id,
                     applicant=applicant,
                     before={"status": applicant.status, "reason": applicant.reason},
                     after={"status": status, "reason": reason},
                     detail=f"{applicant.name}：{workflow.label(applicant.status)} → {workflow.label(status)}"
                            + (f"，原因：{reason}" if reason else ""))
        if marked:
            marks.status_changed(applicant.batch, [applicant], {applicant.status, status})


@dataclass
class BulkResult:
    """What a bulk action did: rows changed, rows someone else changed
    first (left as they are), rows whose status does not allow the action."""

    done: list[Applicant] = field(default_factory=list)
    stale: list[tuple[Applicant, str]] = field(default_factory=list)
    refused: list[tuple[Applicant, str]] = field(default_factory=list)


@retried
def decide_many(rows: list[tuple[Applicant, int | None]], user: User, action: str,
                reason: str | None) -> BulkResult:
    """Apply one action with one reason to many rows, each at the version
    the user saw, in one transaction and with one Event per row."""
    act = workflow.ACTIONS.get(action)
    if action not in BULK_ACTIONS or act is None:
        raise TransitionRefused("无此批量操作。")
    if act.needs_reason and not (reason or "").strip():
        raise TransitionRefused(f"{act.label}须填写原因。")
    if rows:
        ensure_not_finalised(rows[0][0].batch)
    result = BulkResult()
    with db.atomic():
        lock_bodies(a.org_id for a, _ in rows)
        if rows:
            marks.lock(rows[0][0].batch_id)
        for applicant, version in rows:
            try:
                with db.atomic():
                    _change(applicant, user, action, reason, version, marked=False)
                    result.done.append(applicant)
            except StaleRow as e:
                result.stale.append((applicant, str(e)))
            except TransitionRefused as e:
                result.refused.append((applicant, str(e)))
        if result.done:
            marks.status_changed(rows[0][0].batch, result.done, {a.status for a in result.done} | {act.target})
    return result


@retried
def set_copies(applicant: Applicant, user: User, copies: int, version: int | None) -> Applicant:
    """Record how many paper 评审表 copies arrived for this applicant, on
    the version of the row the user saw."""
    ensure_not_finalised(applicant.batch)
    check_version(applicant, version)
    limit = applicant.batch.spec.paper_copies
    if not 0 <= copies <= limit:
        raise TransitionRefused(f"份数应在0到{limit}之间。")
    with db.atomic():
        lock_bodies([applicant.org_id])
        changed = (Applicant.update(copies=copies, version=Applicant.version + 1, updated_at=now())
                   .where((Applicant.id == applicant.id) & (Applicant.version == version)).execute())
        if not changed:
            raise StaleRow(changed_by(Applicant.get_by_id(applicant.id)))
        Event.record(user, "applicant.copies", batch=applicant.batch_id, org=applicant.org_id,
                     applicant=applicant, before={"copies": applicant.copies}, after={"copies": copies},
                     detail=f"{applicant.name}：评审表 {applicant.copies} → {copies} 份")
    return Applicant.get_by_id(applicant.id)
