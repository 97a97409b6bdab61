"""The year's rules over cleaned rows (申报条件核查).

Errors block a row's import; warnings import it and show the officer why it
may not be recommended. Every threshold, date and list comes from the batch's
`BatchSpec`; the column keys are the schema's stable identifiers. A column
the schema does not have reads as empty, so a later year may drop any.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .batch import BatchSpec, format_date
from .findings import Finding, error, warning
from .idcard import birth_date, sex
from .normalize import format_number
from .schema import NO, Column, Schema
from .workdays import count_workdays, earliest_end

SEX, ID_NUMBER, BIRTH_MONTH = "sex", "id_number", "birth_month"
EMPLOYER_TYPE, EDUCATION, DEGREE = "employer_type", "education", "degree"
CURRENT_TITLE, CURRENT_TITLE_DATE = "current_title", "current_title_date"
LEVEL, SPECIALTY, ROUTE, SELF_SCORE = "level", "specialty", "route", "self_score"
NOTICE_START, NOTICE_END, POST_VERIFIED = "notice_start", "notice_end", "post_verified"

# Choices of the route column (申报途径).
NORMAL_ROUTE, BREAKTHROUGH_ROUTE = "正常", "破格"

CALENDAR_FALLBACK_NOTE = "（该年度节假日数据缺失，按周一至周五计算）"


class _Row:
    """A cleaned row seen through its schema and batch."""

    def __init__(self, values: dict, schema: Schema, spec: BatchSpec):
        self.values = values
        self.columns = schema.by_key
        self.spec = spec

    def get(self, key: str):
        return self.values.get(key) if key in self.columns else None

    def date(self, key: str) -> dt.date | None:
        value = self.get(key)
        return dt.date.fromisoformat(value) if value else None

    def header(self, key: str) -> str:
        # A stored row may name a column a later schema dropped.
        column = self.columns.get(key)
        return column.header if column else key


def check_row(values: dict, schema: Schema, spec: BatchSpec) -> list[Finding]:
    """Errors and warnings of one cleaned row under the batch's rules."""
    row = _Row(values, schema, spec)
    findings: list[Finding] = []
    for check in _ROW_CHECKS:
        findings.extend(check(row))
    return findings


def _missing(row: _Row):
    for column in row.columns.values():
        if row.values.get(column.key) is None and column.is_required(row.values):
            yield error(column.key, f"{column.header}：{_why_required(row, column)}", "required")


def _why_required(row: _Row, column: Column) -> str:
    if column.required:
        return "未填写，本列必填"
    other = column.required_when[0]
    return f"{row.header(other)}为“{row.get(other)}”时必填，请填写"


def _identity(row: _Row):
    number = row.get(ID_NUMBER)
    if number is None:
        return
    born, written = birth_date(number), row.get(BIRTH_MONTH)
    if written is not None and written != f"{born.year:04d}-{born.month:02d}":
        year, month = written.split("-")
        yield error(
            BIRTH_MONTH,
            f"{row.header(BIRTH_MONTH)}：填写的是{int(year)}年{int(month)}月，"
            f"与{row.header(ID_NUMBER)}中的出生日期{format_date(born)}不符，请核对",
            "birth_month.mismatch",
        )
    coded, written = sex(number), row.get(SEX)
    if written is not None and written != coded:
        yield error(
            SEX,
            f"{row.header(SEX)}：填写的是{written}，{row.header(ID_NUMBER)}第17位表明是{coded}，请核对",
            "sex.mismatch",
        )


def _level_and_specialty(row: _Row):
    levels, level, specialty = row.spec.levels, row.get(LEVEL), row.get(SPECIALTY)
    if level is not None and level not in levels:
        yield error(
            LEVEL,
            f"{row.header(LEVEL)}：“{level}”不在本批次申报范围，请选择{'或'.join(levels)}",
            "level.unknown",
        )
    if specialty is None:
        return
    if level in levels and specialty not in levels[level]:
        yield error(
            SPECIALTY,
            f"{row.header(SPECIALTY)}：{row.spec.year}年度{level}评审的专业为{'、'.join(levels[level])}，"
            f"不含“{specialty}”，请重新选择",
            "specialty.not_offered",
        )
    elif level not in levels and specialty not in row.spec.all_specialties():
        yield error(
            SPECIALTY,
            f"{row.header(SPECIALTY)}：“{specialty}”不在{row.spec.year}年度评审范围，"
            f"可选：{'、'.join(row.spec.all_specialties())}",
            "specialty.not_offered",
        )


def _employer(row: _Row):
    kind = row.get(EMPLOYER_TYPE)
    if kind in row.spec.excluded_employer_types:
        yield error(
            EMPLOYER_TYPE,
            f"{row.header(EMPLOYER_TYPE)}：{kind}人员不得申报；如单位性质填错请更正，否则请删除该行",
            "employer.excluded",
        )
    elif kind in row.spec.post_check_employer_types and row.get(POST_VERIFIED) == NO:
        yield warning(
            POST_VERIFIED,
            f"{row.header(POST_VERIFIED)}：{kind}实行评聘结合，岗位尚未核定，须核定相应岗位后方可推荐",
            "post.unverified",
        )


def _breakthrough_hint(spec: BatchSpec, level: str) -> str:
    if level not in spec.breakthrough_levels:
        return ""
    return f"；学历资历不符时只能走破格途径（量化自评分≥{format_number(spec.breakthrough_min_score)}分）"


def _breakthrough(row: _Row):
    spec, level = row.spec, row.get(LEVEL)
    if row.get(ROUTE) != BREAKTHROUGH_ROUTE:
        return
    if level in spec.levels and level not in spec.breakthrough_levels:
        allowed = (
            f"本批次仅{'、'.join(spec.breakthrough_levels)}可破格申报"
            if spec.breakthrough_levels
            else "本批次不设破格途径"
        )
        yield error(ROUTE, f"{row.header(ROUTE)}：{level}不能走破格途径，{allowed}", "route.breakthrough_level")
        return
    score = row.get(SELF_SCORE)
    if score is not None and score < spec.breakthrough_min_score:
        yield warning(
            SELF_SCORE,
            f"{row.header(SELF_SCORE)}：{format_number(score)}分，"
            f"低于破格申报要求的{format_number(spec.breakthrough_min_score)}分",
            "breakthrough.score",
        )


def _seniority(row: _Row):
    level, title = row.get(LEVEL), row.get(CURRENT_TITLE)
    requirement = row.spec.seniority.get(level)
    if row.get(ROUTE) != NORMAL_ROUTE or not requirement or title is None:
        return
    hint = _breakthrough_hint(row.spec, level)
    if title not in requirement["title"]:
        yield warning(
            CURRENT_TITLE,
            f"{row.header(CURRENT_TITLE)}：申报{level}须现任{'或'.join(requirement['title'])}，"
            f"填写的是“{title}”{hint}",
            "seniority.title",
        )
        return
    education = row.get(EDUCATION)
    if education is None:
        return
    rule = _education_rule(requirement["rules"], education, row.get(DEGREE))
    if rule is None:
        labels = "、".join(r["label"] for r in requirement["rules"])
        yield warning(
            EDUCATION,
            f"{row.header(EDUCATION)}：{education}（学位：{row.get(DEGREE) or '无'}）"
            f"不符合申报{level}的学历要求（{labels}）{hint}",
            "seniority.education",
        )
        return
    obtained, cutoff = row.date(CURRENT_TITLE_DATE), row.spec.seniority_cutoff
    if obtained is None:
        return
    years = _full_years(obtained, cutoff)
    if years < rule["years"]:
        yield warning(
            CURRENT_TITLE_DATE,
            f"{row.header(CURRENT_TITLE)}（{title}）取得于{format_date(obtained)}，至{format_date(cutoff)}满{years}年，"
            f"不足{format_number(rule['years'])}年{hint}",
            "seniority.short",
        )


def _education_rule(rules: list[dict], education: str, degree: str | None) -> dict | None:
    # The notice reads "硕士、学士学位或大学本科学历": the education or the
    # degree alone qualifies.
    for rule in rules:
        if education in rule["education"] or degree in rule["degrees"]:
            return rule
    return None


def _full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from `start` reached by `end` (an anniversary counts)."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def _continuing_education(row: _Row):
    minimum = row.spec.ce_min_hours
    for year in row.spec.ce_years:
        key = f"ce_{year}"
        hours = row.get(key)
        if hours is not None and hours < minimum:
            yield warning(
                key,
                f"{row.header(key)}：登记{format_number(hours)}学时，不足{format_number(minimum)}学时",
                "ce.short",
            )


def _notice(row: _Row):
    start, end, spec = row.date(NOTICE_START), row.date(NOTICE_END), row.spec
    if end is None:
        return
    if start is not None and end < start:
        yield error(
            NOTICE_END,
            f"{row.header(NOTICE_END)}：{format_date(end)}早于"
            f"{row.header(NOTICE_START)}{format_date(start)}，请核对",
            "notice.order",
        )
        return
    if start is not None:
        yield from _notice_length(row, start, end)
    if end > spec.upload_deadline:
        yield warning(
            NOTICE_END,
            f"{row.header(NOTICE_END)}：{format_date(end)}晚于单位推荐截止日期{format_date(spec.upload_deadline)}，"
            "公示应在截止日期前结束",
            "notice.late",
        )


def _notice_length(row: _Row, start: dt.date, end: dt.date):
    spec = row.spec
    needed, first_day_counts = spec.notice_min_workdays, spec.notice_first_day_counts
    earliest, guessed = earliest_end(start, needed, first_day_counts)
    if end >= earliest:
        return
    days, guessed_count = count_workdays(start, end, first_day_counts)
    first_day = "" if first_day_counts else "（首日不计）"
    note = CALENDAR_FALLBACK_NOTE if guessed or guessed_count else ""
    yield warning(
        NOTICE_END,
        f"{row.header(NOTICE_END)}：公示自{format_date(start)}至{format_date(end)}共{days}个工作日{first_day}，"
        f"不足{needed}个工作日，最早应到{format_date(earliest)}结束{note}",
        "notice.short",
    )


_ROW_CHECKS = (
    _missing,
    _identity,
    _level_and_specialty,
    _employer,
    _breakthrough,
    _seniority,
    _continuing_education,
    _notice,
)


def check_duplicates(rows: list[tuple[int, dict]], schema: Schema) -> dict[int, list[Finding]]:
    """Errors for rows sharing an identity number, by row number as Excel
    shows it; every row of a pair or group is flagged."""
    found: dict[int, list[Finding]] = defaultdict(list)
    for column in schema.columns:
        if column.type != "idcard":
            continue
        rows_by_number: dict[str, list[int]] = defaultdict(list)
        for number, values in rows:
            if values.get(column.key) is not None:
                rows_by_number[values[column.key]].append(number)
        for numbers in rows_by_number.values():
            if len(numbers) < 2:
                continue
            for number in numbers:
                others = "、".join(str(n) for n in numbers if n != number)
                found[number].append(
                    error(column.key, f"{column.header}：与第{others}行{column.header}重复", "duplicate.in_file")
                )
    return dict(found)


def other_body_warning(org_names: list[str]) -> Finding:
    """The same identity number is in another body's roster of the batch."""
    return warning(
        ID_NUMBER,
        f"同一身份证号码也在{'、'.join(org_names)}报送的花名册中，请核实是否重复申报",
        "duplicate.other_body",
    )
