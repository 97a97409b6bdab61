"""定稿上报 and its undo: the year's last step, which keeps the official roster produced."""

from __future__ import annotations

import datetime as dt

from .. import marks
from ..db import db
from ..locks import lock_batch_bodies
from ..models import Applicant, Batch, Event, FinalRoster, User, now
from ..review.decisions import ensure_not_finalised
from ..roster import workflow
from ..roster.workflow import TransitionRefused
from .exports import official_roster


def finalise(batch: Batch, user: User | None, day: dt.date | None = None) -> FinalRoster:
    """定稿上报: mark every 拟推荐 row 已推荐, close the batch to uploads and
    keep the exact official roster produced (bytes, sha256, who, when)."""
    with db.atomic():
        lock_batch_bodies(batch.id)
        marks.lock(batch)
        ensure_not_finalised(batch)
        count = (Applicant.update(status=workflow.RECOMMENDED, version=Applicant.version + 1, updated_at=now())
                 .where((Applicant.batch == batch) & (Applicant.status == workflow.APPROVED))
                 .execute())
        Batch.update(finalised_at=now(), is_open=False).where(Batch.id == batch.id).execute()
        marks.refresh_later(batch)
        data, name, rows = official_roster(batch, day or dt.date.today())
        kept = FinalRoster.create(batch=batch, created_by=user, rows=rows, **FinalRoster.kept(name, data))
        Event.record(user, "batch.finalised", batch=batch, after={"recommended": count, "sha256": kept.sha256},
                     detail=f"定稿上报，推荐 {rows} 人，保存 {name}")
    return kept


def reopen_batch(batch: Batch, user: User, reason: str, reopen_uploads: bool = False) -> int:
    """撤销定稿: allow decisions again; 已推荐 rows go back to 拟推荐, and
    uploads are taken again when asked. The rosters kept so far stay downloadable."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused("撤销定稿须填写原因。")
    with db.atomic():
        lock_batch_bodies(batch.id)
        marks.lock(batch)
        if not Batch.select(Batch.finalised_at).where(Batch.id == batch.id).scalar():
            raise TransitionRefused("本批次尚未定稿上报。")
        count = (Applicant.update(status=workflow.APPROVED, version=Applicant.version + 1, updated_at=now())
                 .where((Applicant.batch == batch) & (Applicant.status == workflow.RECOMMENDED))
                 .execute())
        marks.refresh_later(batch)
        changes = {"finalised_at": None, **({"is_open": True} if reopen_uploads else {})}
        Batch.update(**changes).where(Batch.id == batch.id).execute()
        Event.record(user, "batch.reopened", batch=batch,
                     after={"approved_again": count, "reason": reason, "uploads_reopened": reopen_uploads},
                     detail=f"撤销定稿：{reason}（{count}人恢复为拟推荐；{reopened_text(reopen_uploads)}）")
    return count


def reopened_text(reopen_uploads: bool) -> str:
    return "已重新接收各单位上传" if reopen_uploads else "各单位上传仍关闭"
