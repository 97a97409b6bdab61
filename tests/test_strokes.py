from zcweb.roster.strokes import char_key, stroke_key


def by_strokes(names):
    return sorted(names, key=stroke_key)


def test_surnames_sort_by_count_then_sequence_not_pinyin_or_code_point():
    names = ["钱", "郑", "吴", "刘", "白", "叶", "王", "马", "万", "丁"]
    assert by_strokes(names) == ["丁", "万", "马", "王", "叶", "白", "刘", "吴", "郑", "钱"]


def test_fu_radical_counts_two_strokes():
    assert char_key("邓") == (4, "5452")
    assert char_key("陈") == (7, "5215234")
    assert by_strokes(["金", "陈", "邓"]) == ["邓", "陈", "金"]


def test_equal_counts_compare_stroke_by_stroke():
    assert char_key("王")[0] == char_key("方")[0] == 4
    assert by_strokes(["方", "王"]) == ["王", "方"]


def test_ties_go_to_the_next_character():
    assert by_strokes(["王五", "王一", "王"]) == ["王", "王一", "王五"]


def test_spaces_and_width_do_not_change_the_key():
    assert stroke_key(" 王 五 ") == stroke_key("王五")


def test_unknown_characters_sort_after_known_ones():
    assert by_strokes(["A", "钱"]) == ["钱", "A"]
    assert stroke_key("") == ()
