import datetime as dt
import tomllib


from zcweb.roster.findings import ERROR, WARNING
from zcweb.roster.rules import CALENDAR_FALLBACK_NOTE, RowChecker, check_duplicates, check_row, other_body_warning
from zcweb.roster.schema import DEFINITIONS_DIR, load_schema, schema_from_dict

SCHEMA = load_schema("roster-2024")


def valid_row(**changes) -> dict:
    """A cleaned row that meets every 2024 rule; `changes` override values."""
    row = {
        "seq": 1,
        "name": "张晓梅",
        "sex": "女",
        "id_number": "11010519491231002X",
        "birth_month": "1949-12",
        "employer": "浙江上虞某某化工有限公司",
        "employer_type": "企业",
        "education": "大学本科",
        "degree": "学士",
        "school": "浙江工业大学",
        "major": "化学工程与工艺",
        "graduation": "1972-07",
        "work_start": "1972-08",
        "current_title": "工程师",
        "current_title_specialty": "化工",
        "current_title_date": "2018-12-28",
        "current_post": "工艺技术部经理",
        "level": "高级工程师",
        "specialty": "石油和化学工程",
        "route": "正常",
        "self_score": None,
        "skill_level": None,
        "ce_2022": 96,
        "ce_2023": 90,
        "ce_2024": 102.5,
        "notice_start": "2024-08-26",
        "notice_end": "2024-08-30",
        "post_verified": None,
        "phone": "13800000000",
        "remarks": None,
    }
    row.update(changes)
    return row


def findings_of(spec, **changes):
    return check_row(valid_row(**changes), SCHEMA, spec)


def by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def only(findings, rule, level):
    assert [(f.rule, f.level) for f in findings] == [(rule, level)]
    return findings[0]


def test_valid_row_has_no_findings(spec):
    assert findings_of(spec) == []


def without_empty(row: dict) -> dict:
    """A row as RowCleaner.clean gives it: only the columns with a value."""
    return {k: v for k, v in row.items() if v is not None}


def test_one_checker_checks_every_row_of_an_import_as_check_row_does(spec):
    rows = [
        valid_row(),
        valid_row(name=None, sex="男", ce_2023=40),
        valid_row(level="正高级工程师", specialty="材料", current_title="高级工程师", route="破格", self_score=130),
        valid_row(employer_type="事业单位", post_verified="否", notice_end="2024-08-29"),
        valid_row(current_title_date="2021-12-28", education="大学专科", degree="无"),
        valid_row(current_title_date="2021-12-28"),
        valid_row(),
    ]
    checker = RowChecker(SCHEMA, spec)
    assert [checker.check(without_empty(row)) for row in rows] == [check_row(row, SCHEMA, spec) for row in rows]
    assert [f.rule for f in checker.check(without_empty(rows[1]))] == ["required", "sex.mismatch", "ce.short"]


def test_columns_that_failed_cleaning_get_no_other_finding(spec):
    row = without_empty(valid_row(name=None, phone=None))
    checker = RowChecker(SCHEMA, spec)
    assert [f.column for f in checker.check(row)] == ["name", "phone"]
    assert [f.column for f in checker.check(row, skip={"phone"})] == ["name"]
    assert [f.column for f in check_row(valid_row(phone=None), SCHEMA, spec, skip={"phone"})] == []


def test_a_spec_edited_in_place_is_seen_by_the_next_check(spec):
    assert by_rule(findings_of(spec, specialty="信息技术"), "specialty.not_offered") != []
    spec.levels["高级工程师"].append("信息技术")
    assert findings_of(spec, specialty="信息技术") == []


# --- required values ----------------------------------------------------------


def test_missing_required_value_names_the_column(spec):
    finding = only(findings_of(spec, name=None), "required", ERROR)
    assert (finding.column, finding.message) == ("name", "姓名：未填写，本列必填")


def test_column_absent_from_the_row_counts_as_missing(spec):
    row = valid_row()
    del row["phone"]
    assert only(check_row(row, SCHEMA, spec), "required", ERROR).column == "phone"


def test_self_score_is_required_on_the_breakthrough_route(spec):
    finding = only(findings_of(spec, route="破格"), "required", ERROR)
    assert (finding.column, finding.message) == ("self_score", "量化自评分：申报途径为“破格”时必填，请填写")


def test_self_score_is_not_required_on_the_normal_route(spec):
    assert by_rule(findings_of(spec, route="正常", self_score=None), "required") == []


def test_skill_level_is_required_for_skilled_workers(spec):
    finding = only(findings_of(spec, route="高技能人才"), "required", ERROR)
    assert (finding.column, finding.message) == ("skill_level", "职业技能等级及取得时间：申报途径为“高技能人才”时必填，请填写")


def test_skilled_worker_with_skill_level_is_complete(spec):
    assert findings_of(spec, route="高技能人才", skill_level="高级技师 2019-06") == []


def test_post_check_is_required_for_institutions(spec):
    finding = only(findings_of(spec, employer_type="事业单位"), "required", ERROR)
    assert (finding.column, finding.message) == ("post_verified", "岗位核定：单位性质为“事业单位”时必填，请填写")


def test_enterprise_staff_need_no_post_check(spec):
    assert findings_of(spec, employer_type="企业", post_verified=None) == []


# --- identity ---------------------------------------------------------------


def test_birth_month_must_match_the_identity_number(spec):
    finding = only(findings_of(spec, birth_month="1950-01"), "birth_month.mismatch", ERROR)
    assert finding.column == "birth_month"
    assert finding.message == "出生年月：填写的是1950年1月，与身份证号中的出生日期1949年12月31日不符，请核对"


def test_sex_must_match_the_identity_number(spec):
    finding = only(findings_of(spec, sex="男"), "sex.mismatch", ERROR)
    assert (finding.column, finding.message) == ("sex", "性别：填写的是男，身份证号第17位表明是女，请核对")


def test_man_with_odd_seventeenth_digit_matches(spec):
    assert findings_of(spec, id_number="440524188001010014", birth_month="1880-01", sex="男") == []


def test_identity_checks_wait_for_a_valid_number(spec):
    assert by_rule(findings_of(spec, id_number=None, sex="男"), "sex.mismatch") == []


# --- level, specialty, employer, route ----------------------------------------


def test_level_outside_the_batch_is_an_error(spec):
    finding = only(findings_of(spec, level="工程师", specialty="能源"), "level.unknown", ERROR)
    assert finding.message == "申报级别：“工程师”不在本批次申报范围，请选择高级工程师或正高级工程师"


def test_specialty_not_offered_for_the_level_lists_that_levels_specialties(spec):
    finding = only(findings_of(spec, specialty="信息技术"), "specialty.not_offered", ERROR)
    assert finding.message == (
        "申报专业：2024年度高级工程师评审的专业为能源、材料、轻纺、石油和化学工程，不含“信息技术”，请重新选择"
    )


def test_specialty_offered_for_the_senior_level_is_accepted(spec):
    row = dict(level="正高级工程师", specialty="信息技术", current_title="高级工程师")
    assert by_rule(findings_of(spec, **row), "specialty.not_offered") == []


def test_specialty_outside_every_level_is_an_error_when_level_is_unknown(spec):
    findings = findings_of(spec, level=None, specialty="天文")
    assert by_rule(findings, "specialty.not_offered")[0].message.startswith("申报专业：“天文”不在2024年度评审范围")


def test_civil_servant_managed_institutions_may_not_apply(spec):
    finding = only(findings_of(spec, employer_type="参公事业单位"), "employer.excluded", ERROR)
    assert finding.message.startswith("单位性质：参公事业单位人员不得申报")


def test_breakthrough_route_is_refused_on_a_level_without_it(spec):
    row = dict(level="正高级工程师", specialty="材料", current_title="高级工程师", route="破格", self_score=130)
    finding = only(findings_of(spec, **row), "route.breakthrough_level", ERROR)
    assert finding.message == "申报途径：正高级工程师不能走破格途径，本批次仅高级工程师可破格申报"


def test_breakthrough_route_on_senior_engineer_with_enough_score_is_fine(spec):
    assert findings_of(spec, route="破格", self_score=120) == []


def test_breakthrough_score_below_the_minimum_is_a_warning(spec):
    finding = only(findings_of(spec, route="破格", self_score=118.5), "breakthrough.score", WARNING)
    assert finding.message == "量化自评分：118.5分，低于破格申报要求的120分"


def test_breakthrough_minimum_comes_from_the_batch(spec):
    spec.breakthrough_min_score = 130
    assert by_rule(findings_of(spec, route="破格", self_score=125), "breakthrough.score") != []


# --- seniority ----------------------------------------------------------------


def test_short_seniority_states_required_and_actual_years(spec):
    finding = only(findings_of(spec, current_title_date="2021-12-28"), "seniority.short", WARNING)
    assert finding.column == "current_title_date"
    assert finding.message == (
        "现职称（工程师）取得于2021年12月28日，至2024年12月31日满3年，不足5年；"
        "学历资历不符时只能走破格途径（量化自评分≥120分）"
    )


def test_seniority_reached_exactly_on_the_cutoff_is_enough(spec):
    assert findings_of(spec, current_title_date="2019-12-31") == []
    assert by_rule(findings_of(spec, current_title_date="2020-01-01"), "seniority.short") != []


def test_doctorate_needs_two_years(spec):
    row = dict(education="博士研究生", degree="博士")
    assert findings_of(spec, current_title_date="2022-12-31", **row) == []
    finding = only(findings_of(spec, current_title_date="2023-01-01", **row), "seniority.short", WARNING)
    assert "不足2年" in finding.message


def test_senior_level_warning_does_not_offer_the_breakthrough_route(spec):
    row = dict(level="正高级工程师", specialty="材料", current_title="高级工程师", current_title_date="2021-12-28")
    finding = only(findings_of(spec, **row), "seniority.short", WARNING)
    assert finding.message == "现职称（高级工程师）取得于2021年12月28日，至2024年12月31日满3年，不足5年"


def test_seniority_cutoff_comes_from_the_batch(spec):
    spec.seniority_cutoff = dt.date(2026, 12, 31)
    assert findings_of(spec, current_title_date="2021-12-28") == []


def test_seniority_cutoff_on_a_leap_day(spec):
    spec.seniority_cutoff = dt.date(2024, 2, 29)
    assert findings_of(spec, current_title_date="2019-02-28") == []
    finding = only(findings_of(spec, current_title_date="2019-03-01"), "seniority.short", WARNING)
    assert "取得于2019年3月1日，至2024年2月29日满4年，不足5年" in finding.message


def test_seniority_years_need_not_be_whole(spec):
    spec.seniority["高级工程师"]["rules"][0]["years"] = 2.5
    row = {"education": "博士研究生", "degree": "博士"}
    assert findings_of(spec, current_title_date="2021-12-31", **row) == []
    finding = only(findings_of(spec, current_title_date="2022-06-30", **row), "seniority.short", WARNING)
    assert "满2年，不足2.5年" in finding.message


def test_wrong_current_title_for_the_level_is_a_warning(spec):
    finding = only(findings_of(spec, current_title="助理工程师"), "seniority.title", WARNING)
    assert finding.message.startswith("现职称：申报高级工程师须现任工程师，填写的是“助理工程师”")


def test_education_without_a_qualifying_rule_is_a_warning(spec):
    finding = only(findings_of(spec, education="大学专科", degree="无"), "seniority.education", WARNING)
    assert finding.column == "education"
    assert "破格" in finding.message


def test_bachelor_education_without_a_degree_qualifies(spec):
    assert findings_of(spec, education="大学本科", degree="无") == []


def test_seniority_is_not_checked_on_the_breakthrough_route(spec):
    row = dict(route="破格", self_score=125, education="大学专科", current_title_date="2023-06-01")
    assert findings_of(spec, **row) == []


# --- continuing education -----------------------------------------------------


def test_each_short_year_of_continuing_education_is_its_own_warning(spec):
    findings = findings_of(spec, ce_2022=60, ce_2024=89.5)
    assert [(f.column, f.level, f.message) for f in findings] == [
        ("ce_2022", WARNING, "继续教育学时2022：登记60学时，不足90学时"),
        ("ce_2024", WARNING, "继续教育学时2024：登记89.5学时，不足90学时"),
    ]


def test_continuing_education_minimum_comes_from_the_batch(spec):
    spec.ce_min_hours = 100
    assert [f.column for f in by_rule(findings_of(spec), "ce.short")] == ["ce_2022", "ce_2023"]


def test_continuing_education_years_come_from_the_batch(spec):
    spec.ce_years = [2021, 2022]
    assert [f.column for f in by_rule(findings_of(spec, ce_2022=10, ce_2023=10), "ce.short")] == ["ce_2022"]


# --- public notice --------------------------------------------------------------


def test_notice_of_four_working_days_is_short(spec):
    finding = only(findings_of(spec, notice_end="2024-08-29"), "notice.short", WARNING)
    assert finding.message == (
        "公示结束日期：公示自2024年8月26日至2024年8月29日共4个工作日，不足5个工作日，最早应到2024年8月30日结束"
    )


def test_notice_across_national_day_counts_the_working_sunday(spec):
    late_ok = dict(notice_start="2024-09-26")
    spec.upload_deadline = dt.date(2024, 10, 31)
    assert findings_of(spec, notice_end="2024-10-08", **late_ok) == []
    finding = only(findings_of(spec, notice_end="2024-10-07", **late_ok), "notice.short", WARNING)
    assert "共4个工作日" in finding.message and "最早应到2024年10月8日结束" in finding.message


def test_notice_length_settings_come_from_the_batch(spec):
    spec.notice_first_day_counts = False
    assert "（首日不计）" in only(findings_of(spec), "notice.short", WARNING).message
    spec.notice_first_day_counts, spec.notice_min_workdays = True, 3
    assert findings_of(spec, notice_end="2024-08-28") == []


def test_notice_in_a_year_without_holiday_data_says_so(spec):
    spec.upload_deadline = dt.date(2099, 12, 31)
    findings = findings_of(spec, notice_start="2099-06-01", notice_end="2099-06-02")
    finding = only(findings, "notice.short", WARNING)
    assert finding.message.endswith(CALENDAR_FALLBACK_NOTE)


def test_notice_ending_before_it_starts_is_an_error(spec):
    finding = only(findings_of(spec, notice_end="2024-08-20"), "notice.order", ERROR)
    assert finding.message == "公示结束日期：2024年8月20日早于公示开始日期2024年8月26日，请核对"


def test_notice_ending_after_the_upload_deadline_is_a_warning(spec):
    findings = findings_of(spec, notice_start="2024-09-02", notice_end="2024-09-06")
    finding = only(findings, "notice.late", WARNING)
    assert "晚于单位推荐截止日期2024年9月5日" in finding.message


def test_notice_ending_on_the_upload_deadline_is_in_time(spec):
    assert findings_of(spec, notice_start="2024-08-30", notice_end="2024-09-05") == []


# --- institutions -----------------------------------------------------------------


def test_institution_without_verified_post_is_a_warning(spec):
    finding = only(findings_of(spec, employer_type="事业单位", post_verified="否"), "post.unverified", WARNING)
    assert finding.column == "post_verified"


def test_institution_with_verified_post_is_fine(spec):
    assert findings_of(spec, employer_type="事业单位", post_verified="是") == []


# --- schemas of later years ---------------------------------------------------------


def test_columns_dropped_from_the_schema_are_not_checked(spec):
    with open(DEFINITIONS_DIR / "roster-2024.toml", "rb") as f:
        data = tomllib.load(f)
    dropped = {"ce_2023", "notice_start", "notice_end", "birth_month"}
    data["columns"] = [c for c in data["columns"] if c["key"] not in dropped]
    smaller = schema_from_dict(data)
    row = valid_row(ce_2023=0, notice_end="2024-08-20", birth_month="2000-01")
    assert check_row(row, smaller, spec) == []


# --- duplicates -------------------------------------------------------------------


def test_duplicate_identity_numbers_flag_every_row_involved():
    same, other = "11010519491231002X", "440524188001010014"
    rows = [
        (3, valid_row()),
        (4, valid_row(id_number=other)),
        (5, valid_row(id_number=same)),
        (9, valid_row()),
    ]
    found = check_duplicates(rows, SCHEMA)
    assert sorted(found) == [3, 5, 9]
    assert [f.message for f in found[3]] == ["身份证号：与第5、9行身份证号重复"]
    assert [f.message for f in found[5]] == ["身份证号：与第3、9行身份证号重复"]
    assert {f.rule for fs in found.values() for f in fs} == {"duplicate.in_file"}
    assert all(f.is_error for fs in found.values() for f in fs)


def test_distinct_or_missing_identity_numbers_are_not_duplicates():
    rows = [
        (3, valid_row()),
        (4, valid_row(id_number="440524188001010014")),
        (5, valid_row(id_number=None)),
        (6, valid_row(id_number=None)),
    ]
    assert check_duplicates(rows, SCHEMA) == {}


def test_number_submitted_by_another_body_is_a_warning_naming_it():
    finding = other_body_warning(["百官街道", "曹娥街道"])
    assert (finding.level, finding.column, finding.rule) == (WARNING, "id_number", "duplicate.other_body")
    assert "百官街道、曹娥街道" in finding.message

