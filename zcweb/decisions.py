"""The officer's decisions on rows, paper forms received, and finalising."""

from __future__ import annotations

from .db import db
from .models import Applicant, Batch, Event, User, now
from .roster import workflow
from .roster.workflow import TransitionRefused


def decide(applicant: Applicant, user: User, action: str, reason: str | None,
           version: int | None = None) -> Applicant:
    """Apply a review action (approve, return, reject, reopen; withdraw for
    a contact). `version` is the one the user saw: a row changed meanwhile
    by someone else is refused rather than overwritten."""
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
    limit = applicant.batch.spec.paper_copies
    if not 0 <= copies <= limit:
        raise TransitionRefused(f"份数应在0到{limit}之间。")
    with db.atomic():
        Applicant.update(copies=copies, updated_at=now()).where(Applicant.id == applicant.id).execute()
        Event.record(user, "applicant.copies", batch=applicant.batch_id, org=applicant.org_id,
                     applicant=applicant, before={"copies": applicant.copies}, after={"copies": copies},
                     detail=f"{applicant.name}：评审表 {applicant.copies} → {copies} 份")
    return Applicant.get_by_id(applicant.id)


def finalise(batch: Batch, user: User) -> int:
    """Mark every 拟推荐 row 已推荐 and close the batch to uploads."""
    with db.atomic():
        count = (Applicant.update(status=workflow.RECOMMENDED, version=Applicant.version + 1, updated_at=now())
                 .where((Applicant.batch == batch) & (Applicant.status == workflow.APPROVED))
                 .execute())
        Batch.update(finalised_at=now(), is_open=False).where(Batch.id == batch.id).execute()
        Event.record(user, "batch.finalised", batch=batch, after={"recommended": count},
                     detail=f"定稿上报，推荐 {count} 人")
    return count
