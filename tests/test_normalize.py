import datetime as dt

import pytest

from zcweb.roster.normalize import RowCleaner
from zcweb.roster.schema import load_schema


@pytest.fixture
def cleaner():
    return RowCleaner(load_schema("roster-2024"))


def clean_one(cleaner, key, raw):
    values, findings = cleaner.clean({key: raw})
    return values.get(key), findings


def value_of(cleaner, key, raw):
    value, findings = clean_one(cleaner, key, raw)
    assert findings == []
    return value


def only_error(cleaner, key, raw):
    value, findings = clean_one(cleaner, key, raw)
    assert value is None
    assert len(findings) == 1 and findings[0].is_error and findings[0].column == key
    return findings[0]


# --- every cell -------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "   ", "\u200b", "\u00a0\u3000", "'"])
def test_blank_cells_clean_to_none_without_error(cleaner, raw):
    keys = ("name", "id_number", "birth_month", "notice_start", "ce_2022", "sex", "post_verified", "phone")
    for key in keys:
        assert clean_one(cleaner, key, raw) == (None, [])


def test_only_the_columns_given_are_returned(cleaner):
    values, findings = cleaner.clean({"name": "张三", "sex": "女"})
    assert values == {"name": "张三", "sex": "女"}
    assert findings == []


def test_empty_and_invalid_cells_have_no_value(cleaner):
    values, findings = cleaner.clean({"name": "张三", "sex": "", "remarks": None, "ce_2022": "abc", "seq": " "})
    assert values == {"name": "张三"}
    assert [f.column for f in findings] == ["ce_2022"]


def test_errors_of_several_cells_are_all_reported(cleaner):
    values, findings = cleaner.clean({"sex": "m", "ce_2022": "abc", "name": "李四"})
    assert values == {"name": "李四"}
    assert [(f.column, f.rule) for f in findings] == [
        ("sex", "choice.invalid"),
        ("ce_2022", "number.invalid"),
    ]


def test_repeated_values_give_the_same_result(cleaner):
    first = cleaner.clean({"notice_start": "2024/8/26", "sex": "男性"})
    second = cleaner.clean({"notice_start": "2024/8/26", "sex": "男性"})
    assert first == second == ({"notice_start": "2024-08-26", "sex": "男"}, [])


def test_a_bool_cell_is_not_mistaken_for_the_number_one(cleaner):
    assert value_of(cleaner, "seq", 1) == 1
    assert only_error(cleaner, "seq", True).rule == "number.invalid"
    assert value_of(cleaner, "seq", 1.0) == 1


# (cell, as text, as a yes/no answer): True == 1.0 and False == 0.0 in Python.
BOOL_TRUE, BOOL_FALSE = (True, "TRUE", "是"), (False, "FALSE", "否")
ONE, ZERO = (1.0, "1", None), (0.0, "0", None)


@pytest.mark.parametrize(("first", "then"), [(BOOL_TRUE, ONE), (ONE, BOOL_TRUE), (BOOL_FALSE, ZERO), (ZERO, BOOL_FALSE)])
def test_bool_and_number_cells_never_answer_for_each_other(cleaner, first, then):
    for raw, as_text, as_answer in (first, then, first):
        assert clean_one(cleaner, "current_post", raw)[0] == as_text
        assert clean_one(cleaner, "post_verified", raw)[0] == as_answer


def test_values_that_never_repeat_are_still_cleaned_after_a_thousand_rows(cleaner):
    rows = [{"seq": float(i), "phone": f"138{i:08d}", "sex": "男"} for i in range(1, 1500)]
    rows[1200]["phone"] = "138abc"
    rows[1300]["phone"] = rows[1299]["phone"]
    rows[1400].update(phone=None, seq="")
    results = [cleaner.clean(row) for row in rows]
    assert results[1100] == ({"seq": 1101, "phone": "13800001101", "sex": "男"}, [])
    assert [f.rule for f in results[1200][1]] == ["phone.invalid"]
    assert results[1300][0]["phone"] == results[1299][0]["phone"] == "13800001300"
    assert results[1400] == ({"sex": "男"}, [])
    assert results[1450][0]["seq"] == 1451


# --- text -------------------------------------------------------------------


def test_text_is_width_folded_and_stripped_of_invisible_characters(cleaner):
    assert value_of(cleaner, "name", "\u200b 张\u00a0三\ufeff ") == "张 三"
    assert value_of(cleaner, "employer", "ＡＢＣ科技（上虞）有限公司") == "ABC科技(上虞)有限公司"


def test_excel_text_apostrophe_is_dropped(cleaner):
    assert value_of(cleaner, "major", "'0101") == "0101"


def test_line_breaks_survive_only_in_text_columns(cleaner):
    assert value_of(cleaner, "remarks", "第一行\r\n第二行\t完\x00") == "第一行\n第二行 完"
    assert value_of(cleaner, "level", "高级\n工程师") == "高级工程师"


def test_numbers_in_text_columns_read_as_written(cleaner):
    assert value_of(cleaner, "current_post", 2023.0) == "2023"


def test_too_long_text_says_its_length_and_the_limit(cleaner):
    finding = only_error(cleaner, "name", "张" * 51)
    assert finding.rule == "text.too_long"
    assert finding.message == "姓名：共51个字，超过50个字的上限，请精简"


# --- identity numbers -------------------------------------------------------


@pytest.mark.parametrize("raw", [330682198001011000.0, 330682198001011000, 3.30682198001011e17])
def test_identity_number_in_a_number_cell_is_never_recovered(cleaner, raw):
    finding = only_error(cleaner, "id_number", raw)
    assert finding.rule == "idcard.numeric"
    assert "15位" in finding.message and "设置为文本格式后重新录入" in finding.message and "（文本格式）" not in finding.message
    assert finding.message.startswith("身份证号：")


@pytest.mark.parametrize("raw", ["3.30682E+17", "3.30682198001011E+17", "3.30682e+17"])
def test_identity_number_in_scientific_notation_is_rejected(cleaner, raw):
    finding = only_error(cleaner, "id_number", raw)
    assert finding.rule == "idcard.scientific"
    assert "设置为文本格式后重新录入" in finding.message and "（文本格式）" not in finding.message


def test_identity_number_noise_is_normalised_silently(cleaner):
    assert value_of(cleaner, "id_number", "'１１０１０５１９４９１２３１００２ｘ\u00a0") == "11010519491231002X"


def test_each_identity_number_problem_is_an_error_naming_the_column(cleaner):
    values, findings = cleaner.clean({"id_number": "110105194902300021"})
    assert values == {}
    assert [f.rule for f in findings] == ["idcard.birth", "idcard.check"]
    assert all(f.message.startswith("身份证号：") for f in findings)


def test_old_identity_number_is_rejected(cleaner):
    assert only_error(cleaner, "id_number", "330682800101123").rule == "idcard.old15"


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        dt.date(2024, 8, 1),
        dt.datetime(2024, 8, 1, 9, 30),
        45505,
        45505.0,
        45505.75,
        20240801.0,
        "2024-08-01",
        "2024/8/1",
        "2024.8.1",
        "2024年8月1日",
        "2024 年 8 月 1 日",
        "20240801",
        "2024-08-01 00:00:00",
        "２０２４－０８－０１",
        " '2024-08-01 ",
    ],
)
def test_dates_in_every_usual_form(cleaner, raw):
    assert value_of(cleaner, "notice_start", raw) == "2024-08-01"


def test_invalid_date_names_what_was_written_and_the_accepted_forms(cleaner):
    finding = only_error(cleaner, "notice_start", "2024-02-30")
    assert finding.rule == "date.invalid"
    assert finding.message.startswith("公示开始日期：“2024-02-30”不是有效日期")
    assert "2024年8月1日" in finding.message and "2024/8/1" in finding.message


@pytest.mark.parametrize(
    "raw",
    [10, 60, 80000.0, -3.0, "2024-13-01", "八月一日", "3000-01-01", dt.time(9, 30), True,
     dt.date(1850, 1, 1), dt.date(2101, 1, 1)],
)
def test_values_that_are_not_dates_are_rejected(cleaner, raw):
    assert only_error(cleaner, "current_title_date", raw).rule == "date.invalid"


# --- year-months ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        dt.date(1980, 1, 15),
        dt.datetime(1980, 1, 1),
        1980.01,
        1980.1,
        198001,
        198001.0,
        29221.0,
        "1980.01",
        "1980.1",
        "1980-1",
        "1980/01",
        "1980年1月",
        "198001",
        "1980-01-15",
        "19800115",
    ],
)
def test_year_month_in_every_usual_form(cleaner, raw):
    assert value_of(cleaner, "birth_month", raw) == "1980-01"


def test_october_survives_when_written_as_text(cleaner):
    assert value_of(cleaner, "birth_month", "1980.10") == "1980-10"
    assert value_of(cleaner, "birth_month", 1980.12) == "1980-12"


@pytest.mark.parametrize("raw", [1980.0, "1980", "1980.13", "1980.0", 1980.123, "一九八〇年一月", "1850-01"])
def test_values_that_are_not_year_months_are_rejected(cleaner, raw):
    finding = only_error(cleaner, "birth_month", raw)
    assert finding.rule == "month.invalid"
    assert finding.message.startswith("出生年月：“")
    assert "1985年6月" in finding.message


# --- numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("96", 96), ("96.5", 96.5), ("96学时", 96), ("９６", 96), ("96 学时", 96), ("96分", 96),
        (96.0, 96), (96.5, 96.5), (96, 96),
    ],
)
def test_numbers_with_units_and_full_width_digits(cleaner, raw, expected):
    value = value_of(cleaner, "ce_2023", raw)
    assert value == expected and type(value) is type(expected)


def test_negative_number_is_rejected(cleaner):
    finding = only_error(cleaner, "ce_2023", "-5")
    assert (finding.rule, finding.message) == ("number.range", "继续教育学时2023：填写的是-5，不能小于0")


def test_number_above_the_column_maximum_is_rejected(cleaner):
    finding = only_error(cleaner, "self_score", 1200.0)
    assert (finding.rule, finding.message) == ("number.range", "量化自评分：填写的是1200，不能大于1000")


@pytest.mark.parametrize("raw", ["abc", "约96", "96万", "1e3", dt.date(2024, 1, 1)])
def test_non_numbers_are_rejected(cleaner, raw):
    assert only_error(cleaner, "ce_2024", raw).rule == "number.invalid"


# --- choices ----------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("男", "男"), (" 女性 ", "女"), ("男 性", "男")])
def test_choices_and_their_aliases(cleaner, raw, expected):
    assert value_of(cleaner, "sex", raw) == expected


def test_aliases_map_to_the_canonical_choice(cleaner):
    assert value_of(cleaner, "education", "本科") == "大学本科"
    assert value_of(cleaner, "employer_type", "参照公务员法管理的事业单位") == "参公事业单位"
    assert value_of(cleaner, "degree", "/") == "无"


def test_unknown_choice_lists_the_allowed_values(cleaner):
    finding = only_error(cleaner, "route", "特殊")
    assert finding.rule == "choice.invalid"
    assert finding.message == "申报途径：“特殊”不是可选项，请从下拉列表中选择：正常、破格、高技能人才"


def test_batch_driven_choices_are_only_normalised(cleaner):
    assert value_of(cleaner, "level", "高级 工程师") == "高级工程师"
    assert value_of(cleaner, "specialty", "信息技术") == "信息技术"
    assert value_of(cleaner, "specialty", "天文") == "天文"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, "是"), (False, "否"), ("是", "是"), ("否", "否"), ("√", "是"), ("×", "否"), ("✓", "是"),
        ("✗", "否"), ("Y", "是"), ("n", "否"), ("Yes", "是"), ("NO", "否"), ("TRUE", "是"), ("false", "否"),
        ("有", "是"), ("无", "否"), ("已核定", "是"), ("未核定", "否"),
    ],
)
def test_yes_no_answers(cleaner, raw, expected):
    assert value_of(cleaner, "post_verified", raw) == expected


def test_unclear_yes_no_answer_asks_for_yes_or_no(cleaner):
    finding = only_error(cleaner, "post_verified", "待定")
    assert (finding.rule, finding.message) == ("yesno.invalid", "岗位核定：“待定”无法识别，请填“是”或“否”")


# --- phone numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800000000", "13800000000"),
        (13800000000.0, "13800000000"),
        ("138 0000 0000", "13800000000"),
        ("+86 138-0000-0000", "13800000000"),
        ("0575-82212393", "0575-82212393"),
        ("(0575)82212393", "0575-82212393"),
        ("０５７５－８２２１２３９３", "0575-82212393"),
        ("057582212393", "0575-82212393"),
        ("010-12345678", "010-12345678"),
        ("82212393", "82212393"),
        ("8221239", "8221239"),
        ("138000000001", "138000000001"),
        ("0575822123", "0575-822123"),
        ("0575-82212393转123", "0575-82212393转123"),
        ("13800000000/82212393", "13800000000/82212393"),
        ("13800000000、0575-82212393", "13800000000/0575-82212393"),
    ],
)
def test_phone_numbers_are_normalised(cleaner, raw, expected):
    assert value_of(cleaner, "phone", raw) == expected


@pytest.mark.parametrize("raw", ["12345", "822123", "abc", "138abc00000", "1380000000000", "1380000000000000", "无"])
def test_values_that_are_not_phone_numbers_are_rejected(cleaner, raw):
    finding = only_error(cleaner, "phone", raw)
    assert finding.rule == "phone.invalid"
    assert finding.message.startswith(f"联系电话：“{raw}”")
