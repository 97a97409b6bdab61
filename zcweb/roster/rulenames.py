"""Short names of the warning rules for badges, and the batch setting each
rule measures against, so the officer sees why a row was flagged."""

from __future__ import annotations

from .batch import BatchSpec, format_date

SHORT_NAMES = {
    "post.unverified": "岗位未核定",
    "breakthrough.score": "自评分不足",
    "seniority.short": "年限不足",
    "seniority.title": "现职称不符",
    "seniority.education": "学历不符",
    "ce.short": "学时不足",
    "notice.late": "公示偏晚",
    "notice.short": "公示不足",
    "duplicate.other_body": "重复报送",
    # Rules that refuse a row of a file; a stored row keeps them as warnings
    # when the batch's settings change under it (recheck.py).
    "level.unknown": "级别不在范围",
    "specialty.not_offered": "专业不在范围",
    "route.closed": "途径未开放",
    "route.breakthrough_level": "不可破格",
    "employer.excluded": "单位性质不符",
    # From the province's lists (reconcile.py), shown but never stored.
    "platform.missing": "平台未申报",
    "platform.differs": "与平台不一致",
    "ce.registry_short": "登记学时不足",
    "ce.registry_differs": "学时与登记不符",
}


# A warning that is itself a reason to return the row: the words of the
# preset reason (批次设置 › 常用原因) it pre-ticks. A preset matches when it
# contains these words, so "单位公示不足5个工作日" follows the batch's number.
PRESET_WORDS = {
    "ce.short": "继续教育学时不足",
    "ce.registry_short": "继续教育学时不足",
    "notice.short": "公示不足",
    "seniority.short": "年限不足",
    "breakthrough.score": "自评分不足",
    "specialty.not_offered": "专业不在",
    "duplicate.other_body": "重复申报",
}


def presets_for(warnings: list[dict], duplicate: bool, reasons: list[str]) -> list[str]:
    """The preset reasons that a row's warnings call for; `duplicate`: the
    same person is also submitted by another body."""
    rules = [w["rule"] for w in warnings] + (["duplicate.other_body"] if duplicate else [])
    words = {PRESET_WORDS[r] for r in rules if r in PRESET_WORDS}
    return [r for r in reasons if any(w in r for w in words)]


def short_name(rule: str) -> str:
    return SHORT_NAMES.get(rule, "提示")


def threshold(rule: str, spec: BatchSpec) -> str | None:
    """The batch's current setting behind `rule`, in words (None: none)."""
    if rule == "breakthrough.score":
        return f"本批次破格自评分须达到{spec.breakthrough_min_score:g}分"
    if rule in ("ce.short", "ce.registry_short"):
        return (f"本批次每年继续教育不少于{spec.ce_min_hours:g}学时，"
                f"其中专业科目不少于{spec.ce_min_professional_hours:g}学时")
    if rule == "notice.short":
        return f"本批次公示不少于{spec.notice_min_workdays}个工作日"
    if rule == "notice.late":
        return f"本批次单位推荐截止{format_date(spec.upload_deadline)}"
    if rule.startswith("seniority."):
        return f"本批次资历计算截止{format_date(spec.seniority_cutoff)}"
    if rule == "post.unverified":
        return f"须核定岗位的单位性质：{'、'.join(spec.post_check_employer_types)}"
    return None
