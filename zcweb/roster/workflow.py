"""Review statuses (审核状态) and who may move a row from which to which."""

from __future__ import annotations

PENDING = "pending"
APPROVED = "approved"
RETURNED = "returned"
REJECTED = "rejected"
RECOMMENDED = "recommended"
WITHDRAWN = "withdrawn"

LABELS = {
    PENDING: "待审核",
    APPROVED: "拟推荐",
    RETURNED: "退回修改",
    REJECTED: "不予推荐",
    RECOMMENDED: "已推荐",
    WITHDRAWN: "已撤回",
}

# Decided by the officer: a re-upload does not change these rows.
LOCKED = frozenset({APPROVED, REJECTED, RECOMMENDED})
# Re-uploading a row in these states submits it again (→ 待审核).
RESUBMITTABLE = frozenset({RETURNED, WITHDRAWN})


class Action:
    def __init__(self, name, label, target, sources, needs_reason, officer):
        self.name = name
        self.label = label
        self.target = target
        self.sources = frozenset(sources)
        self.needs_reason = needs_reason
        self.officer = officer


ACTIONS = {
    a.name: a
    for a in (
        Action("approve", "拟推荐", APPROVED, {PENDING, RETURNED, REJECTED}, False, True),
        Action("return", "退回修改", RETURNED, {PENDING, APPROVED, REJECTED}, True, True),
        Action("reject", "不予推荐", REJECTED, {PENDING, APPROVED, RETURNED}, True, True),
        Action("reopen", "撤销决定", PENDING, {APPROVED, RETURNED, REJECTED}, False, True),
        Action("withdraw", "撤回", WITHDRAWN, {PENDING, RETURNED}, False, False),
    )
}


class TransitionRefused(ValueError):
    """The action is not allowed from the row's status; `str()` says why in Chinese."""


def label(status: str) -> str:
    return LABELS.get(status, status)


def actions_for(status: str, officer: bool) -> list[Action]:
    """The actions offered on a row in `status` to an officer or a contact."""
    return [a for a in ACTIONS.values() if a.officer == officer and status in a.sources]


def apply(action_name: str, status: str, reason: str | None, officer: bool) -> tuple[str, str | None]:
    """The new (status, reason) after an action, or TransitionRefused."""
    action = ACTIONS.get(action_name)
    if action is None or action.officer != officer:
        raise TransitionRefused("无此操作。")
    if status not in action.sources:
        raise TransitionRefused(f"该记录当前为“{label(status)}”，不能{action.label}。")
    reason = (reason or "").strip() or None
    if action.needs_reason and not reason:
        raise TransitionRefused(f"{action.label}须填写原因。")
    # Approving may carry a remark; undoing a decision or withdrawing clears it.
    return action.target, reason if action.target in (APPROVED, RETURNED, REJECTED) else None


def compose_reason(presets: list[str], text: str | None) -> str | None:
    """One reason from the preset reasons ticked and the officer's own words,
    in that order, each once."""
    parts = [p.strip() for p in presets if p and p.strip()]
    if text and text.strip():
        parts.append(text.strip())
    return "；".join(dict.fromkeys(parts)) or None
