"""The 公示: its period on known calendars and the notice text."""

import datetime as dt

from zcweb.roster.batch import load_preset
from zcweb.roster.gongshi import notice_period, notice_text


def test_period_skips_national_day():
    # 9月30日 is a Monday, then the National Day holiday runs to 10月7日.
    period = notice_period(load_preset(2024), dt.date(2024, 9, 30))
    assert period.end == dt.date(2024, 10, 11)
    assert period.text == "2024年9月30日至2024年10月11日（5个工作日）"
    assert not period.approximate


def test_period_skips_qingming_and_counts_the_working_sunday():
    # 清明 4月4日–6日 off; Sunday 4月7日 is a 调休 working day.
    period = notice_period(load_preset(2024), dt.date(2024, 4, 3))
    assert period.end == dt.date(2024, 4, 10)


def test_period_follows_the_batch_settings():
    spec = load_preset(2024)
    spec.notice_min_workdays = 7
    spec.notice_first_day_counts = False
    # From Friday 9月6日, not counting it: 9–13 (5), 14 Saturday is a 调休 working day (6), 18 (7):
    # 15–17 is the Mid-Autumn holiday.
    assert notice_period(spec, dt.date(2024, 9, 6)).end == dt.date(2024, 9, 18)


def test_period_without_calendar_data_counts_weekdays_and_says_so():
    period = notice_period(load_preset(2024), dt.date(2031, 3, 7))  # a Friday
    assert period.end == dt.date(2031, 3, 13)
    assert period.approximate
    assert "按周一至周五计算" in notice_text(load_preset(2024), period, {"高级工程师": 1})


def test_notice_text_names_the_period_counts_and_contact():
    spec = load_preset(2024)
    text = notice_text(spec, notice_period(spec, dt.date(2024, 9, 6)), {"高级工程师": 12, "正高级工程师": 3})
    assert text.startswith("关于2024年度高级工程师和正高级工程师职务任职资格评审推荐人员的公示\n")
    assert "公示时间：2024年9月6日至2024年9月12日（5个工作日）。" in text
    assert "共15人：高级工程师12人、正高级工程师3人" in text
    assert "联系人：裘晶晶，电话 82212393" in text
    assert text.endswith("绍兴市上虞区经济和信息化局\n2024年9月6日")
