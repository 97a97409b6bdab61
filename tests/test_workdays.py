import datetime as dt

from zcweb.roster.workdays import count_workdays, earliest_end

D = dt.date


def test_a_monday_to_friday_notice_lasts_five_working_days():
    assert count_workdays(D(2024, 8, 26), D(2024, 8, 30)) == (5, False)


def test_notice_starting_on_a_monday_may_end_on_friday():
    assert earliest_end(D(2024, 8, 26), 5) == (D(2024, 8, 30), False)


def test_national_day_holiday_and_working_sunday_shift_the_end():
    # 09-29 (Sunday) is a working day; 10-01 to 10-07 are holidays.
    assert earliest_end(D(2024, 9, 26), 5) == (D(2024, 10, 8), False)
    assert count_workdays(D(2024, 9, 26), D(2024, 10, 7)) == (4, False)
    assert count_workdays(D(2024, 9, 26), D(2024, 10, 8)) == (5, False)


def test_without_the_first_day_the_notice_needs_one_more_day():
    assert count_workdays(D(2024, 8, 26), D(2024, 8, 30), first_day_counts=False) == (4, False)
    assert earliest_end(D(2024, 8, 26), 5, first_day_counts=False) == (D(2024, 9, 2), False)


def test_a_weekend_start_counts_nothing_for_the_weekend():
    assert earliest_end(D(2024, 8, 24), 5) == (D(2024, 8, 30), False)


def test_end_before_start_counts_no_days():
    assert count_workdays(D(2024, 8, 30), D(2024, 8, 26)) == (0, False)


def test_year_without_holiday_data_falls_back_to_monday_to_friday():
    # 2099-06-01 is a Monday; the package has no holiday data for 2099.
    assert count_workdays(D(2099, 6, 1), D(2099, 6, 7)) == (5, True)
    assert earliest_end(D(2099, 6, 1), 5) == (D(2099, 6, 5), True)
