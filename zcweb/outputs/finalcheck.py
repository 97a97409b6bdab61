"""The check before 定稿上报: what is still open in the batch, each count
with the list that shows it, so the officer finalises knowing the state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import Flask
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..review import dashboard
from ..review.listing import COPIES, review_count, review_filters
from ..models import Batch
from ..roster import rulenames, workflow


@dataclass(frozen=True)
class Item:
    label: str
    count: int
    endpoint: str  # where the matching rows are listed, with `args`
    args: dict = field(default_factory=dict)
    optional: bool = False  # a warning's count: left out when it flags no one


@dataclass(frozen=True)
class FinalCheck:
    items: list[Item]
    days_left: int  # to the batch's upload deadline; negative once passed

    @property
    def needs_acknowledgement(self) -> bool:
        return any(item.count for item in self.items)


def final_check(batch: Batch, today: dt.date) -> FinalCheck:
    """What is still open; a count of stored rows is that of the review list it links to."""
    approved = workflow.APPROVED
    lists = [("待审核", {"status": workflow.PENDING}),
             ("退回修改，尚未重新报送", {"status": workflow.RETURNED})]
    lists += [(f"拟推荐，评审表{COPIES[key]}", {"status": approved, "copies": key}) for key in ("0", "partial")]
    lists += [(f"拟推荐，有提示：{rule.label}", {"status": approved, "warning": rule_id})
              for rule_id, rule in rulenames.RULES.items()]
    items = [Item(label, review_count(batch, review_filters(MultiDict(args))), "review.index", args,
                  optional="warning" in args) for label, args in lists]
    items = [item for item in items if item.count or not item.optional]
    items.append(Item("上传待联络员确认", dashboard.live_previews(batch, today).count(), "uploads.index"))
    silent = sum(1 for body in dashboard.bodies(batch, batch.spec, today) if body.missing)
    items.append(Item("单位尚未报送任何人员", silent, "home.index"))
    return FinalCheck(items, (batch.spec.upload_deadline - today).days)


def init_app(app: Flask) -> None:
    @app.context_processor
    def finalised_banner():
        """`finalised_batch` for the banner every page shows once the current batch is finalised."""
        if not current_user.is_authenticated:
            return {"finalised_batch": None}
        batch = Batch.current()
        return {"finalised_batch": batch if batch is not None and batch.finalised_at else None}
