"""The year's rules over cleaned rows (申报条件核查).

Errors block a row's import; warnings import it and show the officer why it
may not be recommended. Every threshold, date and list comes from the batch's
`BatchSpec`; the column keys are the schema's stable identifiers. A column
the schema does not have reads as empty, so a later year may drop any.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cache

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


class RowChecker:
    """The batch's rules compiled for one schema, to check row after row.

    Build one per import and call `check` for each row. What every row shares
    (which columns are required and why, the messages, the batch's lists) is
    worked out once, and a rule that reads only values repeating from row to
    row (level and specialty, employer type, route and score, seniority, the
    notice dates) is computed once per distinct combination of them. So the
    spec must not change while a checker is in use: edit it, then build a new
    checker.
    """

    def __init__(self, schema: Schema, spec: BatchSpec):
        self.schema, self.spec = schema, spec
        self._columns = schema.by_key
        self._requirements = [_requirement(c) for c in schema.columns if c.required or c.required_when]
        self._always_required = frozenset(key for key, other, _ in self._requirements if other is None)
        self._required_when = [r for r in self._requirements if r[1] is not None]
        self._ce_keys = [f"ce_{year}" for year in spec.ce_years]
        self._ce_min_hours = spec.ce_min_hours
        self._routes = frozenset(spec.routes)
        # A stored row may hold a column a later schema dropped: the rules
        # read it as empty.
        self._dropped = frozenset(_RULE_KEYS.union(self._ce_keys).difference(self._columns))
        # Each rule that reads only values repeating from row to row is
        # remembered per checker, under its own name.
        self._required_error = cache(self._required_error)
        self._level_and_specialty = _remembered(self._level_and_specialty)
        self._employer = _remembered(self._employer)
        self._breakthrough = _remembered(self._breakthrough)
        self._route_closed = cache(self._route_closed)
        self._qualification = cache(self._qualification)
        self._short_seniority = cache(self._short_seniority)
        self._short_hours = cache(self._short_hours)
        self._notice = _remembered(self._notice)

    def check(self, values: dict, skip: Collection[str] = ()) -> list[Finding]:
        """Errors and warnings of one cleaned row, none for the columns in
        `skip` (cells that failed cleaning, which have their own message).

        `values` holds only the columns that have a value, as
        `RowCleaner.clean` returns them: a column that is absent is empty."""
        findings = self._missing(values)
        if self._dropped:
            values = {k: v for k, v in values.items() if k not in self._dropped}
        get = values.get
        number, level, route = get(ID_NUMBER), get(LEVEL), get(ROUTE)
        if number is not None:
            findings += self._identity(number, get(BIRTH_MONTH), get(SEX))
        findings += self._level_and_specialty(level, get(SPECIALTY))
        findings += self._employer(get(EMPLOYER_TYPE), get(POST_VERIFIED))
        if route is not None and self._routes and route not in self._routes:
            findings.append(self._route_closed(route))
        elif route == BREAKTHROUGH_ROUTE:
            findings += self._breakthrough(level, get(SELF_SCORE))
        elif route == NORMAL_ROUTE:
            findings += self._seniority(level, get(CURRENT_TITLE), get(EDUCATION), get(DEGREE),
                                        get(CURRENT_TITLE_DATE))
        minimum = self._ce_min_hours
        for key in self._ce_keys:
            hours = get(key)
            if hours is not None and hours < minimum:
                findings.append(self._short_hours(key, hours))
        notice_end = get(NOTICE_END)
        if notice_end:
            findings += self._notice(get(NOTICE_START), notice_end)
        if skip:
            findings = [f for f in findings if f.column not in skip]
        return findings

    def header(self, key: str) -> str:
        # A stored row may name a column a later schema dropped.
        column = self._columns.get(key)
        return column.header if column else key

    def _missing(self, values: dict) -> list[Finding]:
        """Errors for the required values a row lacks, in column order."""
        if self._always_required <= values.keys():
            # Nearly every row: only the conditional requirements to look at.
            for key, other, when in self._required_when:
                if key not in values and values.get(other) in when:
                    break
            else:
                return []
        return [
            self._required_error(key, values.get(other) if other else None)
            for key, other, when in self._requirements
            if key not in values and (other is None or values.get(other) in when)
        ]

    def _required_error(self, key: str, because: object) -> Finding:
        column = self._columns[key]
        if column.required:
            why = "未填写，本列必填"
        else:
            other = column.required_when[0]
            # Like every rule, the message reads a column through the schema.
            shown = because if other in self._columns else None
            why = f"{self.header(other)}为“{shown}”时必填，请填写"
        return error(key, f"{column.header}：{why}", "required")

    def _identity(self, number: str, birth_month: str | None, written_sex: str | None) -> Sequence[Finding]:
        """The birth month and sex written against those coded in a valid number."""
        # Digits 7 to 12 of a valid number are its birth year and month.
        month_differs = birth_month is not None and birth_month != f"{number[6:10]}-{number[10:12]}"
        if not month_differs and (written_sex is None or written_sex == sex(number)):
            return ()  # as in nearly every row
        findings = []
        if month_differs:
            born = birth_date(number)
            year, month = birth_month.split("-")
            findings.append(error(
                BIRTH_MONTH,
                f"{self.header(BIRTH_MONTH)}：填写的是{int(year)}年{int(month)}月，"
                f"与{self.header(ID_NUMBER)}中的出生日期{format_date(born)}不符，请核对",
                "birth_month.mismatch",
            ))
        if written_sex is not None:
            coded = sex(number)
            if written_sex != coded:
                findings.append(error(
                    SEX,
                    f"{self.header(SEX)}：填写的是{written_sex}，{self.header(ID_NUMBER)}第17位表明是{coded}，请核对",
                    "sex.mismatch",
                ))
        return findings

    def _level_and_specialty(self, level: str | None, specialty: str | None) -> Iterable[Finding]:
        spec = self.spec
        levels = spec.levels
        if level is not None and level not in levels:
            yield error(
                LEVEL,
                f"{self.header(LEVEL)}：“{level}”不在本批次申报范围，请选择{'或'.join(levels)}",
                "level.unknown",
            )
        if specialty is None:
            return
        if level in levels and specialty not in levels[level]:
            yield error(
                SPECIALTY,
                f"{self.header(SPECIALTY)}：{spec.year}年度{level}评审的专业为{'、'.join(levels[level])}，"
                f"不含“{specialty}”，请重新选择",
                "specialty.not_offered",
            )
        elif level not in levels and specialty not in spec.all_specialties():
            yield error(
                SPECIALTY,
                f"{self.header(SPECIALTY)}：“{specialty}”不在{spec.year}年度评审范围，"
                f"可选：{'、'.join(spec.all_specialties())}",
                "specialty.not_offered",
            )

    def _employer(self, kind: str | None, post_verified: str | None) -> Iterable[Finding]:
        if kind in self.spec.excluded_employer_types:
            yield error(
                EMPLOYER_TYPE,
                f"{self.header(EMPLOYER_TYPE)}：{kind}人员不得申报；如单位性质填错请更正，否则请删除该行",
                "employer.excluded",
            )
        elif kind in self.spec.post_check_employer_types and post_verified == NO:
            yield warning(
                POST_VERIFIED,
                f"{self.header(POST_VERIFIED)}：{kind}实行评聘结合，岗位尚未核定，须核定相应岗位后方可推荐",
                "post.unverified",
            )

    def _route_closed(self, route: str) -> Finding:
        return error(ROUTE, f"{self.header(ROUTE)}：本批次不设“{route}”途径，可选：{'、'.join(self.spec.routes)}",
                     "route.closed")

    def _breakthrough(self, level: str | None, score: float | None) -> Iterable[Finding]:
        """The 破格 route: allowed for the level, with a high enough score."""
        spec = self.spec
        if level in spec.levels and level not in spec.breakthrough_levels:
            allowed = (
                f"本批次仅{'、'.join(spec.breakthrough_levels)}可破格申报"
                if spec.breakthrough_levels
                else "本批次不设破格途径"
            )
            yield error(ROUTE, f"{self.header(ROUTE)}：{level}不能走破格途径，{allowed}", "route.breakthrough_level")
            return
        if score is not None and score < spec.breakthrough_min_score:
            yield warning(
                SELF_SCORE,
                f"{self.header(SELF_SCORE)}：{format_number(score)}分，"
                f"低于破格申报要求的{format_number(spec.breakthrough_min_score)}分",
                "breakthrough.score",
            )

    def _seniority(self, level, title, education, degree, title_date: str | None) -> tuple[Finding, ...]:
        """The normal route: the title, education and years in that title
        that the level asks for."""
        findings, needed, latest_start = self._qualification(level, title, education, degree)
        # ISO dates compare as text: most rows need no date parsed.
        if needed is None or not title_date or title_date <= latest_start:
            return findings
        return self._short_seniority(level, title, title_date, needed)

    def _short_seniority(self, level, title, title_date: str, needed: float) -> tuple[Finding]:
        hint = _breakthrough_hint(self.spec, level)
        obtained, cutoff = dt.date.fromisoformat(title_date), self.spec.seniority_cutoff
        years = _full_years(obtained, cutoff)
        return (warning(
            CURRENT_TITLE_DATE,
            f"{self.header(CURRENT_TITLE)}（{title}）取得于{format_date(obtained)}，至{format_date(cutoff)}满{years}年，"
            f"不足{format_number(needed)}年{hint}",
            "seniority.short",
        ),)

    def _qualification(self, level, title, education, degree) -> tuple[tuple[Finding, ...], float | None, str]:
        """Warnings for a title or education that does not qualify for the
        level; else the years in the title its rule asks for (None: no rule
        applies, or too little is known to check them) and the latest date
        on which the title may have been obtained to have them."""
        requirement = self.spec.seniority.get(level)
        if not requirement or title is None:
            return (), None, ""
        hint = _breakthrough_hint(self.spec, level)
        if title not in requirement["title"]:
            return (warning(
                CURRENT_TITLE,
                f"{self.header(CURRENT_TITLE)}：申报{level}须现任{'或'.join(requirement['title'])}，"
                f"填写的是“{title}”{hint}",
                "seniority.title",
            ),), None, ""
        if education is None:
            return (), None, ""
        rule = _education_rule(requirement["rules"], education, degree)
        if rule is None:
            labels = "、".join(r["label"] for r in requirement["rules"])
            return (warning(
                EDUCATION,
                f"{self.header(EDUCATION)}：{education}（学位：{degree or '无'}）"
                f"不符合申报{level}的学历要求（{labels}）{hint}",
                "seniority.education",
            ),), None, ""
        return (), rule["years"], self._latest_start(rule["years"])

    def _latest_start(self, needed: float) -> str:
        """The latest date (ISO) on which a title can have been obtained to
        be held `needed` whole years at the cutoff: the cutoff's month and
        day, as many years earlier (29 February included, as text)."""
        years = math.ceil(needed)
        if years <= 0:
            return "9999-12-31"
        cutoff = self.spec.seniority_cutoff
        return f"{cutoff.year - years:04d}-{cutoff.month:02d}-{cutoff.day:02d}"

    def _short_hours(self, key: str, hours: float) -> Finding:
        minimum = self.spec.ce_min_hours
        return warning(
            key,
            f"{self.header(key)}：登记{format_number(hours)}学时，不足{format_number(minimum)}学时",
            "ce.short",
        )

    def _notice(self, start_iso: str | None, end_iso: str) -> Iterable[Finding]:
        """The public notice (公示): in order, long enough, over in time."""
        spec = self.spec
        end = dt.date.fromisoformat(end_iso)
        start = dt.date.fromisoformat(start_iso) if start_iso else None
        if start is not None and end < start:
            yield error(
                NOTICE_END,
                f"{self.header(NOTICE_END)}：{format_date(end)}早于"
                f"{self.header(NOTICE_START)}{format_date(start)}，请核对",
                "notice.order",
            )
            return
        if start is not None:
            yield from self._notice_length(start, end)
        if end > spec.upload_deadline:
            yield warning(
                NOTICE_END,
                f"{self.header(NOTICE_END)}：{format_date(end)}晚于单位推荐截止日期{format_date(spec.upload_deadline)}，"
                "公示应在截止日期前结束",
                "notice.late",
            )

    def _notice_length(self, start: dt.date, end: dt.date) -> Iterable[Finding]:
        spec = self.spec
        needed, first_day_counts = spec.notice_min_workdays, spec.notice_first_day_counts
        earliest, guessed = earliest_end(start, needed, first_day_counts)
        if end >= earliest:
            return
        days, guessed_count = count_workdays(start, end, first_day_counts)
        first_day = "" if first_day_counts else "（首日不计）"
        note = CALENDAR_FALLBACK_NOTE if guessed or guessed_count else ""
        yield warning(
            NOTICE_END,
            f"{self.header(NOTICE_END)}：公示自{format_date(start)}至{format_date(end)}共{days}个工作日{first_day}，"
            f"不足{needed}个工作日，最早应到{format_date(earliest)}结束{note}",
            "notice.short",
        )


def _requirement(column: Column) -> tuple[str, str | None, tuple]:
    """(key, None, ()) for a column always required; (key, other, values)
    for one required when column `other` holds one of `values`."""
    if column.required:
        return column.key, None, ()
    return column.key, *column.required_when


def _remembered(rule: Callable[..., Iterable[Finding]]) -> Callable[..., tuple[Finding, ...]]:
    """`rule`'s findings as one tuple, shared by the rows that give it the
    same values."""
    return cache(lambda *values: tuple(rule(*values)))


_RULE_KEYS = frozenset({
    SEX, ID_NUMBER, BIRTH_MONTH, EMPLOYER_TYPE, EDUCATION, DEGREE, CURRENT_TITLE, CURRENT_TITLE_DATE,
    LEVEL, SPECIALTY, ROUTE, SELF_SCORE, NOTICE_START, NOTICE_END, POST_VERIFIED,
})


def check_row(values: dict, schema: Schema, spec: BatchSpec, skip: Collection[str] = ()) -> list[Finding]:
    """Errors and warnings of one cleaned row under the batch's rules, none
    for the columns in `skip`; a value None counts as empty. An import checks
    its rows with one `RowChecker`, which remembers what rows share."""
    return RowChecker(schema, spec).check({k: v for k, v in values.items() if v is not None}, skip)


def _breakthrough_hint(spec: BatchSpec, level: str) -> str:
    if level not in spec.breakthrough_levels:
        return ""
    return f"；学历资历不符时只能走破格途径（量化自评分≥{format_number(spec.breakthrough_min_score)}分）"


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


OTHER_BODY_RULE = "duplicate.other_body"


def other_body_warning(org_names: list[str] | None = None) -> Finding:
    """The same identity number is in another body's roster of the batch.
    Only the officer is told which body (`org_names`): to a contact it would
    reveal who else submitted the person."""
    return warning(
        ID_NUMBER,
        f"该身份证号码已由{'、'.join(org_names) if org_names else '其他单位'}报送，请核实是否重复申报",
        OTHER_BODY_RULE,
    )
