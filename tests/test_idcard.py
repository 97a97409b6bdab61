import datetime as dt
import random

import pytest

from zcweb.roster.idcard import birth_date, check_character, check_idcard, mask, normalize_idcard, sex

TODAY = dt.date(2024, 8, 1)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999


def number_with_check(first17: str) -> str:
    return first17 + check_character(first17)


def rules_of(number: str) -> list[str]:
    return [rule for rule, _ in check_idcard(number, TODAY)]


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_standard_examples_are_valid(number):
    assert check_idcard(number, TODAY) == []


@pytest.mark.parametrize("first6", ["330604", "330682", "110105", "653125"])
def test_any_area_code_is_accepted(first6):
    assert check_idcard(number_with_check(first6 + "19800101123"), TODAY) == []


@pytest.mark.parametrize(
    "written",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        " 110105 19491231 002X ",
        "110105\u00a019491231002X",
        "\u200b11010519491231002X\ufeff",
        "110105\u200c1949\u200d1231\u2060002X",
        "'11010519491231002X",
        "\u201c11010519491231002X",
        "\t11010519491231002x\n",
    ],
)
def test_noise_from_excel_and_wps_is_removed(written):
    assert normalize_idcard(written) == "11010519491231002X"


def test_check_character_is_the_standards_weighted_sum():
    rng = random.Random(11643)
    numbers = ["0" * 17, "9" * 17] + ["".join(rng.choices("0123456789", k=17)) for _ in range(2000)]
    for first17 in numbers:
        total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS))
        assert check_character(first17) == "10X98765432"[total % 11], first17


def test_old_fifteen_digit_number_asks_for_the_eighteen_digit_one():
    problems = check_idcard("330682800101123", TODAY)
    assert [rule for rule, _ in problems] == ["idcard.old15"]
    assert "18位" in problems[0][1]


def test_wrong_length_says_how_many_characters_were_written():
    problems = check_idcard("1101051949123100", TODAY)
    assert problems == [("idcard.length", "应为18位，填写的是16位，请核对")]


def test_letters_inside_the_number_are_wrong_characters():
    assert rules_of("1101051949A231002X") == ["idcard.chars"]


def test_x_is_only_allowed_as_the_check_character():
    assert rules_of("X10105194912310020") == ["idcard.chars"]


def test_digits_of_other_scripts_are_wrong_characters():
    assert rules_of("11010519491231002\u0663") == ["idcard.chars"]


def test_impossible_birth_date_is_reported_alone_when_check_character_fits():
    problems = check_idcard(number_with_check("11010519490230002"), TODAY)
    assert problems == [("idcard.birth", "第7至14位是出生日期，“19490230”不是有效日期，请核对")]


def test_birth_date_after_today_is_rejected():
    problems = check_idcard(number_with_check("11010520250101002"), TODAY)
    assert problems == [("idcard.birth", "第7至14位的出生日期2025年1月1日晚于今天，请核对")]


def test_birth_year_before_1800_is_rejected():
    assert rules_of(number_with_check("11010517991231002")) == ["idcard.birth"]


def test_wrong_check_character_asks_to_compare_with_the_card():
    problems = check_idcard("110105194912310021", TODAY)
    assert [rule for rule, _ in problems] == ["idcard.check"]
    assert "校验位" in problems[0][1] and "核对" in problems[0][1]


def test_messages_never_repeat_the_number():
    for number in ("110105194912310021", "1101051949A231002X", "330682800101123", "3306821980"):
        for _, message in check_idcard(number, TODAY):
            assert number not in message


def test_birth_date_and_sex_come_from_the_number():
    assert birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert sex("11010519491231002X") == "女"
    assert birth_date("440524188001010014") == dt.date(1880, 1, 1)
    assert sex("440524188001010014") == "男"


def test_mask_keeps_area_code_and_last_four():
    assert mask("33060419800101123X") == "330604********123X"


def test_mask_of_other_lengths_hides_the_middle():
    assert mask("330682800101123") == "330682*****1123"
    assert mask("12345678") == "12****78"
    assert mask("") == ""
