"""The one registry of warning rules: rule id → short badge name, filter
label, and the batch setting it measures against, so the officer sees why
a row was flagged. Whichever check makes a warning, the review filter
finds its rows by their marks (zcweb/marks.py).

Adding a rule touches two places: its check (roster/rules.py, or
roster/lists.py for the province's lists) and its entry here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .batch import BatchSpec, format_date

POST_UNVERIFIED = "post.unverified"
BREAKTHROUGH_SCORE = "breakthrough.score"
SENIORITY_SHORT = "seniority.short"
SENIORITY_TITLE = "seniority.title"
SENIORITY_EDUCATION = "seniority.education"
CE_SHORT = "ce.short"
NOTICE_LATE = "notice.late"
NOTICE_SHORT = "notice.short"
DUPLICATE_OTHER_BODY = "duplicate.other_body"
LEVEL_UNKNOWN = "level.unknown"
SPECIALTY_NOT_OFFERED = "specialty.not_offered"
ROUTE_CLOSED = "route.closed"
ROUTE_BREAKTHROUGH_LEVEL = "route.breakthrough_level"
EMPLOYER_EXCLUDED = "employer.excluded"
PLATFORM_MISSING = "platform.missing"
PLATFORM_DIFFERS = "platform.differs"
CE_REGISTRY_SHORT = "ce.registry_short"
CE_REGISTRY_DIFFERS = "ce.registry_differs"
SAME_PERSON = "person.same"


def _ce(spec: BatchSpec) -> str:
    return (f"本批次每年继续教育不少于{spec.ce_min_hours:g}学时，"
            f"其中专业科目不少于{spec.ce_min_professional_hours:g}学时")


def _seniority(spec: BatchSpec) -> str:
    return f"本批次资历计算截止{format_date(spec.seniority_cutoff)}"


@dataclass(frozen=True)
class Rule:
    badge: str  # the short name on a row's ⚠ badge
    label: str  # the review filter's option
    setting: Callable[[BatchSpec], str] | None = None  # the batch setting behind it, in words


RULES: dict[str, Rule] = {
    POST_UNVERIFIED: Rule("岗位未核定", "岗位未核定", setting=lambda s:
                          f"须核定岗位的单位性质：{'、'.join(s.post_check_employer_types)}"),
    BREAKTHROUGH_SCORE: Rule("自评分不足", "破格自评分不足", setting=lambda s:
                             f"本批次破格自评分须达到{s.breakthrough_min_score:g}分"),
    SENIORITY_SHORT: Rule("年限不足", "任职年限不足", setting=_seniority),
    SENIORITY_TITLE: Rule("现职称不符", "现职称不符", setting=_seniority),
    SENIORITY_EDUCATION: Rule("学历不符", "学历资历不符", setting=_seniority),
    CE_SHORT: Rule("学时不足", "继续教育学时不足（自填）", setting=_ce),
    NOTICE_LATE: Rule("公示偏晚", "公示晚于截止", setting=lambda s:
                      f"本批次单位推荐截止{format_date(s.upload_deadline)}"),
    NOTICE_SHORT: Rule("公示不足", "公示不足规定工作日", setting=lambda s:
                       f"本批次公示不少于{s.notice_min_workdays}个工作日"),
    # The same identity number sent by another body.
    DUPLICATE_OTHER_BODY: Rule("重复报送", "重复报送（多个单位报送同一人）"),
    # Rules that refuse a row of a file; a stored row keeps them as warnings
    # when the batch's settings change under it (recheck.py).
    LEVEL_UNKNOWN: Rule("级别不在范围", "申报级别不在本批次范围"),
    SPECIALTY_NOT_OFFERED: Rule("专业不在范围", "申报专业不在本批次范围"),
    ROUTE_CLOSED: Rule("途径未开放", "申报途径未开放"),
    ROUTE_BREAKTHROUGH_LEVEL: Rule("不可破格", "该级别不可破格"),
    EMPLOYER_EXCLUDED: Rule("单位性质不符", "单位性质不符"),
    # From the province's lists (roster/lists.py).
    PLATFORM_MISSING: Rule("平台未申报", "平台未申报"),
    PLATFORM_DIFFERS: Rule("与平台不一致", "与平台信息不一致"),
    CE_REGISTRY_SHORT: Rule("登记学时不足", "登记学时不足", setting=_ce),
    CE_REGISTRY_DIFFERS: Rule("学时与登记不符", "自填学时不符"),
    # The batch's other rows (review/sameperson.py).
    SAME_PERSON: Rule("可能同一人", "可能为同一人（身份证号码不同）"),
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
    DUPLICATE_OTHER_BODY: "重复申报",
}


def presets_for(warnings: list[dict], duplicate: bool, reasons: list[str]) -> list[str]:
    """The preset reasons that a row's warnings call for; `duplicate`: the
    same person is also submitted by another body."""
    rules = [w["rule"] for w in warnings] + ([DUPLICATE_OTHER_BODY] if duplicate else [])
    words = {PRESET_WORDS[r] for r in rules if r in PRESET_WORDS}
    return [r for r in reasons if any(w in r for w in words)]


def short_name(rule: str) -> str:
    found = RULES.get(rule)
    return found.badge if found else "提示"


def threshold(rule: str, spec: BatchSpec) -> str | None:
    """The batch's current setting behind `rule`, in words (None: none)."""
    found = RULES.get(rule)
    return found.setting(spec) if found and found.setting else None
