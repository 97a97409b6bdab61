"""The settings form of a batch (批次设置), over `BatchSpec`.

Each simple field of `BatchSpec` the officer edits is one `Setting`: its
input and its parsing follow from the field's type, so a new simple field
needs only its line below. Levels, 破格 levels and the seniority rules are
edited as rows of two small tables (`levels_from_form`, `seniority_from_form`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from .batch import BatchSpec, format_date, roster_definitions

TEXT, DATE, NUMBER, INTEGER, FLAG, NUMBERS, LINES = "text", "date", "number", "integer", "flag", "numbers", "lines"
_KINDS = {"str": TEXT, "dt.date": DATE, "float": NUMBER, "int": INTEGER, "bool": FLAG,
          "list[int]": NUMBERS, "list[str]": LINES}


class SettingsError(ValueError):
    """A value of the settings form that cannot be used, said in Chinese."""


@dataclass(frozen=True)
class Setting:
    name: str
    label: str
    group: str

    @property
    def kind(self) -> str:
        return _KINDS[BatchSpec.__dataclass_fields__[self.name].type]

    def shown(self, value) -> str:
        """The value as the event log and the preview show it."""
        if self.kind == DATE:
            return format_date(value)
        if self.kind == FLAG:
            return "是" if value else "否"
        if self.kind in (NUMBERS, LINES):
            return "、".join(str(v) for v in value) or "（无）"
        if self.kind in (NUMBER, INTEGER):
            return _number(value)
        return value or "（空）"

    def parse(self, text: str):
        text = (text or "").strip()
        kind = self.kind
        if kind == FLAG:
            return text == "1"
        if kind == LINES:
            return [line.strip() for line in text.splitlines() if line.strip()]
        if kind == TEXT:
            return text
        if kind == DATE:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise SettingsError(f"“{self.label}”不是有效日期。") from None
        try:
            numbers = [float(t) for t in _items(text)] if kind == NUMBERS else [float(text)]
        except ValueError:
            raise SettingsError(f"“{self.label}”须为数字。") from None
        if any(n < 0 for n in numbers):
            raise SettingsError(f"“{self.label}”不能为负数。")
        if kind in (INTEGER, NUMBERS) and not all(n.is_integer() for n in numbers):
            raise SettingsError(f"“{self.label}”须为整数。")
        if kind == NUMBERS:
            return [int(n) for n in numbers]
        return int(numbers[0]) if kind == INTEGER or numbers[0].is_integer() else numbers[0]


SETTINGS = (
    Setting("title", "批次名称", "批次"),
    Setting("bureau", "推荐单位（局名称）", "批次"),
    Setting("contact", "联系方式（写入模板填报说明）", "批次"),
    Setting("contact_person", "填表人（推荐人员汇总表表尾）", "批次"),
    Setting("contact_phone", "联系电话（推荐人员汇总表表尾）", "批次"),
    Setting("paper_copies", "评审表份数", "批次"),
    Setting("individual_deadline", "个人网上申报截止", "日期"),
    Setting("upload_deadline", "单位推荐（上传）截止", "日期"),
    Setting("city_deadline", "市级审核推荐截止", "日期"),
    Setting("seniority_cutoff", "资历计算截止", "日期"),
    Setting("achievement_cutoff", "业绩材料截止", "日期"),
    Setting("ce_years", "继续教育核查年度", "申报条件"),
    Setting("ce_min_hours", "继续教育学时每年最低", "申报条件"),
    Setting("ce_min_professional_hours", "其中专业科目每年最低", "申报条件"),
    Setting("routes", "本批次开放的申报途径（每行一个，留空为花名册中的全部途径）", "申报条件"),
    Setting("breakthrough_min_score", "破格申报量化自评分最低", "申报条件"),
    Setting("notice_min_workdays", "公示最少工作日", "申报条件"),
    Setting("notice_first_day_counts", "公示第一天计入工作日", "申报条件"),
    Setting("excluded_employer_types", "不得申报的单位性质（每行一个）", "名单"),
    Setting("post_check_employer_types", "评聘结合须核定岗位的单位性质（每行一个）", "名单"),
    Setting("reasons", "常用退回/不予推荐原因（每行一条）", "名单"),
)
# The fields edited as tables, with how a change to them is named.
TABLE_LABELS = {
    "template": "花名册列定义",
    "official_view": "推荐人员汇总表格式",
    "gongshi_view": "公示名单格式",
    "district_steps": "区级推荐环节",
    "levels": "申报级别与专业",
    "breakthrough_levels": "可破格申报的级别",
    "seniority": "学历资历条件",
}


def form_value(setting: Setting, spec: BatchSpec) -> str:
    """What the form's input for `setting` holds for `spec`."""
    value = getattr(spec, setting.name)
    if setting.kind == DATE:
        return value.isoformat()
    if setting.kind == LINES:
        return "\n".join(value)
    if setting.kind == NUMBERS:
        return "、".join(str(v) for v in value)
    if setting.kind in (NUMBER, INTEGER):
        return _number(value)
    return value


def level_rows(spec: BatchSpec, blank: int = 2) -> list[dict]:
    """The levels table: one row per level, then `blank` rows to add one."""
    rows = [{"name": level, "specialties": "、".join(specialties),
             "title": "、".join(spec.seniority.get(level, {}).get("title", [])),
             "breakthrough": level in spec.breakthrough_levels, "step": spec.district_steps.get(level, "")}
            for level, specialties in spec.levels.items()]
    return rows + [{"name": "", "specialties": "", "title": "", "breakthrough": False, "step": ""}] * blank


def rule_rows(spec: BatchSpec, blank: int = 2) -> list[dict]:
    """The seniority table: one row per (level, education rule), then blanks."""
    rows = [{"level": level, "label": rule["label"], "education": "、".join(rule["education"]),
             "degrees": "、".join(rule["degrees"]), "years": _number(rule["years"])}
            for level, requirement in spec.seniority.items() for rule in requirement["rules"]]
    return rows + [dict.fromkeys(("level", "label", "education", "degrees", "years"), "")] * blank


def spec_from_form(spec: BatchSpec, form) -> BatchSpec:
    """`spec` with the values of the settings form (a mapping with `get`
    and `getlist`, such as Flask's `request.form`). Raises SettingsError."""
    values = {s.name: s.parse(form.get(s.name, "")) for s in SETTINGS}
    if not values["title"]:
        raise SettingsError("请填写批次名称。")
    for name, kind in (("template", "roster"), ("official_view", "official"), ("gongshi_view", "gongshi")):
        values[name] = form.get(name) or getattr(spec, name)
        if values[name] not in roster_definitions(kind):
            raise SettingsError(f"没有名为“{values[name]}”的{TABLE_LABELS[name]}。")
    levels, breakthrough, titles = levels_from_form(form)
    seniority = seniority_from_form(form, levels, titles)
    steps = {name: step.strip() for name, step in zip(form.getlist("level_name"), form.getlist("level_step"))
             if name.strip() in levels and step.strip()}
    return dataclasses.replace(spec, levels=levels, breakthrough_levels=breakthrough, seniority=seniority,
                               district_steps=steps, **values)


def levels_from_form(form) -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """(levels with their specialties, the 破格 levels, each level's required
    current titles) from the rows of the levels table; a row without a
    level name is dropped."""
    levels, breakthrough, titles = {}, [], {}
    ticked = set(form.getlist("level_breakthrough"))
    rows = zip(form.getlist("level_name"), form.getlist("level_specialties"), form.getlist("level_title"))
    for index, (name, specialties, title) in enumerate(rows):
        name = name.strip()
        if not name:
            continue
        if name in levels:
            raise SettingsError(f"申报级别“{name}”重复。")
        levels[name] = _items(specialties)
        if not levels[name]:
            raise SettingsError(f"请填写“{name}”的申报专业（用顿号分隔）。")
        if str(index) in ticked:
            breakthrough.append(name)
        if _items(title):
            titles[name] = _items(title)
    if not levels:
        raise SettingsError("至少需要一个申报级别。")
    return levels, breakthrough, titles


def seniority_from_form(form, levels: dict, titles: dict[str, list[str]]) -> dict[str, dict]:
    """The seniority rules from the rows of their table; a row without a
    level is dropped. A level has rules exactly when it has a required title."""
    seniority: dict[str, dict] = {}
    rows = zip(*(form.getlist(f"rule_{key}") for key in ("level", "label", "education", "degrees", "years")))
    for level, label, education, degrees, years in rows:
        level = level.strip()
        if not level:
            continue
        if level not in levels:
            raise SettingsError(f"学历资历条件中的级别“{level}”不在申报级别中。")
        if level not in titles:
            raise SettingsError(f"请在申报级别表中填写“{level}”须现任的职称。")
        try:
            number = float(years)
        except ValueError:
            raise SettingsError(f"“{level}”的学历资历条件须填写年限（数字）。") from None
        if not (_items(education) or _items(degrees)):
            raise SettingsError(f"“{level}”的学历资历条件须填写学历或学位。")
        rule = {"label": label.strip() or "、".join(_items(education) + _items(degrees)),
                "education": _items(education), "degrees": _items(degrees),
                "years": int(number) if number.is_integer() else number}
        seniority.setdefault(level, {"title": titles[level], "rules": []})["rules"].append(rule)
    for level in titles.keys() - seniority.keys():
        raise SettingsError(f"“{level}”填写了须现任的职称，请在学历资历条件表中至少填写一行。")
    return seniority


@dataclass(frozen=True)
class Change:
    """One setting changed: its name, label and both values as shown."""

    name: str
    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.label} {self.before} → {self.after}"


def changes(before: BatchSpec, after: BatchSpec) -> list[Change]:
    """What differs between two specs, in the form's order."""
    found = [Change(s.name, s.label, s.shown(getattr(before, s.name)), s.shown(getattr(after, s.name)))
             for s in SETTINGS if getattr(before, s.name) != getattr(after, s.name)]
    shown = {"template": str, "official_view": str, "gongshi_view": str, "levels": _levels_text,
             "district_steps": lambda v: "；".join(f"{k}：{s}" for k, s in v.items()) or "（无）", "breakthrough_levels": lambda v: "、".join(v) or "（无）",
             "seniority": _seniority_text}
    for name, label in TABLE_LABELS.items():
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            found.append(Change(name, label, shown[name](old), shown[name](new)))
    return found


def _levels_text(levels: dict[str, list[str]]) -> str:
    return "；".join(f"{level}：{'、'.join(specialties)}" for level, specialties in levels.items())


def _seniority_text(seniority: dict[str, dict]) -> str:
    return "；".join(
        f"{level}（须现任{'或'.join(r['title'])}）：" + "，".join(f"{rule['label']}{_number(rule['years'])}年"
                                                              for rule in r["rules"])
        for level, r in seniority.items()
    ) or "（无）"


def _items(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,，、;；]+", text or "") if t]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
