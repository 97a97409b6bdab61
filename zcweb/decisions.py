"""The officer's decisions on rows, paper forms received, and finalising."""

from __future__ import annotations

import datetime as dt
import hashlib

from .db import db
from .models import Applicant, Batch, Event, FinalRoster, User, now
from .roster import workflow
from .roster.batch import format_date
from .roster.workflow import TransitionRefused
from .workbooks import official_roster


def _ensure_not_finalised(batch: Batch) -> None:
    """Refuse any change of a decision or of 评审表 copies once the roster
    has been sent, so the sent roster and the database never disagree."""
    finalised_at = Batch.select(Batch.finalised_at).where(Batch.id == batch.id).scalar()
    if finalised_at:
        raise TransitionRefused(f"本批次已于{format_date(finalised_at.date())}定稿上报，审核结果和评审表份数不能再更改；"
                                "确需更改的，请经办人先在总览页“撤销定稿”。")


def decide(applicant: Applicant, user: User, action: str, reason: str | None,
           version: int | None = None) -> Applicant:
    """Apply a review action (approve, return, reject, reopen; withdraw for
    a contact). `version` is the one the user saw: a row changed meanwhile
    by someone else is refused rather than overwritten."""
    _ensure_not_finalised(applicant.batch)
    status, reason = workflow.apply(action, applicant.status, reason, officer=user.is_officer)
    seen = applicant.version if version is None else version
    fields = {"status": status, "reason": reason, "version": Applicant.version + 1, "updated_at": now()}
    if user.is_officer:
        fields.update(reviewer=user, reviewed_at=now())
    with db.atomic():
        changed = (Applicant.update(**fields)
                   .where((Applicant.id == applicant.id) & (Applicant.version == seen))
                   .execute())
        if not changed:
            raise TransitionRefused("该记录刚被他人修改过，请查看最新状态后再操作。")
        Event.record(user, f"applicant.{action}", batch=applicant.batch_id, org=applicant.org_id,
                     applicant=applicant,
                     before={"status": applicant.status, "reason": applicant.reason},
                     after={"status": status, "reason": reason},
                     detail=f"{applicant.name}：{workflow.label(applicant.status)} → {workflow.label(status)}")
    return Applicant.get_by_id(applicant.id)


def set_copies(applicant: Applicant, user: User, copies: int) -> Applicant:
    """Record how many paper 评审表 copies arrived for this applicant."""
    _ensure_not_finalised(applicant.batch)
    limit = applicant.batch.spec.paper_copies
    if not 0 <= copies <= limit:
        raise TransitionRefused(f"份数应在0到{limit}之间。")
    with db.atomic():
        Applicant.update(copies=copies, updated_at=now()).where(Applicant.id == applicant.id).execute()
        Event.record(user, "applicant.copies", batch=applicant.batch_id, org=applicant.org_id,
                     applicant=applicant, before={"copies": applicant.copies}, after={"copies": copies},
                     detail=f"{applicant.name}：评审表 {applicant.copies} → {copies} 份")
    return Applicant.get_by_id(applicant.id)


def finalise(batch: Batch, user: User | None, day: dt.date | None = None) -> FinalRoster:
    """定稿上报: mark every 拟推荐 row 已推荐, close the batch to uploads and
    keep the exact official roster produced (bytes, sha256, who, when)."""
    with db.atomic():
        _ensure_not_finalised(batch)
        count = (Applicant.update(status=workflow.RECOMMENDED, version=Applicant.version + 1, updated_at=now())
                 .where((Applicant.batch == batch) & (Applicant.status == workflow.APPROVED))
                 .execute())
        Batch.update(finalised_at=now(), is_open=False).where(Batch.id == batch.id).execute()
        data, name, rows = official_roster(batch, day or dt.date.today())
        kept = FinalRoster.create(batch=batch, created_by=user, filename=name, size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest(), content=data, rows=rows)
        Event.record(user, "batch.finalised", batch=batch, after={"recommended": count, "sha256": kept.sha256},
                     detail=f"定稿上报，推荐 {rows} 人，保存 {name}")
    return kept


def reopen_batch(batch: Batch, user: User, reason: str) -> int:
    """撤销定稿: allow decisions again; 已推荐 rows go back to 拟推荐. The
    rosters kept so far stay downloadable."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused("撤销定稿须填写原因。")
    with db.atomic():
        if not Batch.select(Batch.finalised_at).where(Batch.id == batch.id).scalar():
            raise TransitionRefused("本批次尚未定稿上报。")
        count = (Applicant.update(status=workflow.APPROVED, version=Applicant.version + 1, updated_at=now())
                 .where((Applicant.batch == batch) & (Applicant.status == workflow.RECOMMENDED))
                 .execute())
        Batch.update(finalised_at=None).where(Batch.id == batch.id).execute()
        Event.record(user, "batch.reopened", batch=batch, after={"approved_again": count, "reason": reason},
                     detail=f"撤销定稿：{reason}（{count}人恢复为拟推荐）")
    return count
