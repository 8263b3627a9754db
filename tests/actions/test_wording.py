"""Deadline wordings as minutes write them, read into a date counted from the meeting's date.

The wordings come from the sample minutes the product is built for (seeds 000–003); the seeds write
"X月X日" where a real date was removed, which the parser must keep as words and flag for a date.
"""

import datetime

import pytest

from actions.models import DeadlineKind, Recurrence
from actions.wording import chinese_number, parse_deadline

MEETING = datetime.date(2026, 3, 3)  # a Tuesday
D = datetime.date
RELATIVE, DATE, EVENT = DeadlineKind.RELATIVE, DeadlineKind.DATE, DeadlineKind.EVENT
ONGOING, RECURRING = DeadlineKind.ONGOING, DeadlineKind.RECURRING

# (wording, kind, date, needs confirmation, estimate)
SEED_WORDINGS = [
    ("两周内", RELATIVE, D(2026, 3, 17), False, False),
    ("一周内提交", RELATIVE, D(2026, 3, 10), False, False),
    ("X月X日前提交", DATE, None, True, False),
    ("X月X日前完成方案初稿", DATE, None, True, False),
    ("X月X日前制定活动计划", DATE, None, True, False),
    ("X月X日前完成初步设计", DATE, None, True, False),
    ("X月X日前完成调研报告与调整方案", DATE, None, True, False),
    ("即日起执行,X月X日前形成初步协调方案", DATE, None, True, False),
    ("即日起常态化执行", ONGOING, None, False, False),
    ("即日起执行", ONGOING, None, False, False),
    ("持续推进", ONGOING, None, False, False),
    ("持续优化", ONGOING, None, False, False),
    ("持续进行", ONGOING, None, False, False),
    ("下一次例会前", EVENT, None, False, False),
    ("各部门需在下一次例会前提交具体细化到季度的", EVENT, None, False, False),
    ("下次例会前", EVENT, None, False, False),
    ("每周例行会议", RECURRING, D(2026, 3, 10), False, False),
    ("每周固定时间", RECURRING, D(2026, 3, 10), False, False),
    ("每周五下午", RECURRING, D(2026, 3, 6), False, False),
    ("每双周一次", RECURRING, D(2026, 3, 10), False, False),
    ("每月至少一次用户调研", RECURRING, D(2026, 4, 3), False, False),
    ("每月至少举办一场大型活动", RECURRING, D(2026, 4, 3), False, False),
    ("每季度输出一份报告", ONGOING, None, True, False),
    ("每季度一次", ONGOING, None, True, False),
    ("预计X月X日", DATE, None, True, True),
    ("预计下周进入内测", RELATIVE, D(2026, 3, 15), False, True),
    ("在未来三个月内完成用户画像", RELATIVE, D(2026, 6, 3), False, False),
    ("预计三个月内", RELATIVE, D(2026, 6, 3), False, True),
    ("每年X月X日", DATE, None, True, False),
]


@pytest.mark.parametrize(("words", "kind", "day", "confirm", "estimate"), SEED_WORDINGS)
def test_seed_wordings(words, kind, day, confirm, estimate):
    parsed = parse_deadline(words, meeting_date=MEETING)
    assert (parsed.kind, parsed.due_date, parsed.needs_confirmation, parsed.is_estimate) == (
        kind,
        day,
        confirm,
        estimate,
    )
    assert parsed.text == words  # the words are always kept as written


def test_at_least_25_seed_wordings_are_covered():
    assert len(SEED_WORDINGS) >= 25


@pytest.mark.parametrize(
    ("words", "day"),
    [
        ("3月15日前", D(2026, 3, 15)),
        ("3月15号之前", D(2026, 3, 15)),
        ("2026年4月1日前", D(2026, 4, 1)),
        ("2026-04-01", D(2026, 4, 1)),
        ("1月10日前", D(2027, 1, 10)),  # said in March: next January
        ("十天内", D(2026, 3, 13)),
        ("三天内", D(2026, 3, 6)),
        ("半个月内", D(2026, 3, 18)),
        ("半月内", D(2026, 3, 18)),
        ("一个半月内", D(2026, 4, 18)),  # a month and a half, not half a month
        ("一年半内", D(2027, 9, 3)),
        ("一周半内", D(2026, 3, 13)),
        ("一个月内", D(2026, 4, 3)),
        ("月底前", D(2026, 3, 31)),
        ("本周五前", D(2026, 3, 6)),
        ("下周三前", D(2026, 3, 11)),
        ("周五前", D(2026, 3, 6)),
        ("明天", D(2026, 3, 4)),
        ("年底前", D(2026, 12, 31)),
    ],
)
def test_dates_counted_from_the_meeting(words, day):
    assert parse_deadline(words, meeting_date=MEETING).due_date == day


def test_two_weeks_at_a_meeting_on_3_march_is_17_march():
    parsed = parse_deadline("两周内", meeting_date=D(2026, 3, 3))
    assert parsed.due_date == D(2026, 3, 17) and parsed.kind == RELATIVE


def test_weekly_on_a_weekday_sets_the_recurrence():
    parsed = parse_deadline("每周五提交进展报告", meeting_date=MEETING)
    assert (parsed.recurrence, parsed.recurrence_weekday) == (Recurrence.WEEKLY, 4)
    assert parse_deadline("每周一次", meeting_date=MEETING).recurrence_weekday is None


@pytest.mark.parametrize("words", ["等领导定", "尽快", "看情况", "", "2月30日前"])
def test_unreadable_wording_is_kept_and_flagged(words):
    parsed = parse_deadline(words, meeting_date=MEETING)
    assert parsed.due_date is None and parsed.needs_confirmation and parsed.text == words


@pytest.mark.parametrize(("word", "number"), [("两", 2), ("十", 10), ("十五", 15), ("二十", 20), ("12", 12)])
def test_chinese_numbers(word, number):
    assert chinese_number(word) == number


# Meetings the month-end wordings are read at: an ordinary Tuesday, the last day of a short month's
# predecessor (31 January, in a common and a leap year), and two December meetings.
MARCH_3 = D(2026, 3, 3)
JAN_31 = D(2026, 1, 31)
JAN_31_LEAP = D(2028, 1, 31)
DEC_15 = D(2026, 12, 15)
DEC_31 = D(2026, 12, 31)

# (wording, meeting date, due date): "下月底前" contains "月底前" and was read as this month's end.
NEXT_MONTH_ENDS = [
    ("下月底前", MARCH_3, D(2026, 4, 30)),
    ("下个月底前", MARCH_3, D(2026, 4, 30)),
    ("下月末前", MARCH_3, D(2026, 4, 30)),
    ("下个月末", MARCH_3, D(2026, 4, 30)),
    ("下月底前", JAN_31, D(2026, 2, 28)),
    ("下个月底前", JAN_31, D(2026, 2, 28)),
    ("下月末前", JAN_31_LEAP, D(2028, 2, 29)),
    ("下个月底前", JAN_31_LEAP, D(2028, 2, 29)),
    ("下月底前", DEC_15, D(2027, 1, 31)),
    ("下个月末", DEC_15, D(2027, 1, 31)),
    ("下月末前", DEC_31, D(2027, 1, 31)),
    ("下下个月底", MARCH_3, D(2026, 5, 31)),
    ("下下个月底前", DEC_15, D(2027, 2, 28)),
]


@pytest.mark.parametrize(("words", "meeting_date", "day"), NEXT_MONTH_ENDS)
def test_next_month_end_is_the_end_of_the_following_month(words, meeting_date, day):
    parsed = parse_deadline(words, meeting_date=meeting_date)
    assert (parsed.kind, parsed.due_date, parsed.needs_confirmation) == (RELATIVE, day, False)


# (wording, meeting date, due date): a named month's end, this year or, once that month has passed,
# next year's. These were read as the end of the meeting's own month.
NAMED_MONTH_ENDS = [
    ("12月底前", MARCH_3, D(2026, 12, 31)),
    ("十二月底前", MARCH_3, D(2026, 12, 31)),
    ("12月末", JAN_31, D(2026, 12, 31)),
    ("4月底前", MARCH_3, D(2026, 4, 30)),
    ("2月底前", MARCH_3, D(2027, 2, 28)),  # February has passed: next year's
    ("2月底前", JAN_31_LEAP, D(2028, 2, 29)),
    ("二月末前", JAN_31, D(2026, 2, 28)),
    ("1月底前", DEC_15, D(2027, 1, 31)),
    ("11月底前", DEC_15, D(2027, 11, 30)),
    ("2028年2月底前", MARCH_3, D(2028, 2, 29)),
    ("27年6月底前", DEC_15, D(2027, 6, 30)),
]


@pytest.mark.parametrize(("words", "meeting_date", "day"), NAMED_MONTH_ENDS)
def test_a_named_month_end_is_that_month_this_year_or_next(words, meeting_date, day):
    parsed = parse_deadline(words, meeting_date=meeting_date)
    assert (parsed.kind, parsed.due_date, parsed.needs_confirmation) == (DATE, day, False)


def test_a_month_that_does_not_exist_is_kept_and_flagged():
    parsed = parse_deadline("13月底前", meeting_date=MARCH_3)
    assert parsed.due_date is None and parsed.needs_confirmation


# (wording, meeting date, due date): the same mix-up for next year and next week, and plain "月底" /
# "年底", which were not read at all.
OTHER_PERIOD_ENDS = [
    ("明年底前", MARCH_3, D(2027, 12, 31)),
    ("明年年底", DEC_15, D(2027, 12, 31)),
    ("2027年底前", DEC_15, D(2027, 12, 31)),
    ("下周末前", MARCH_3, D(2026, 3, 15)),
    ("下周末前", DEC_31, D(2027, 1, 10)),
    ("下下周", MARCH_3, D(2026, 3, 22)),
    ("下个星期五前", MARCH_3, D(2026, 3, 13)),
    ("下个星期五前", DEC_15, D(2026, 12, 25)),
    ("月底完成", JAN_31_LEAP, D(2028, 1, 31)),
    ("月底", DEC_15, D(2026, 12, 31)),
    ("年底", MARCH_3, D(2026, 12, 31)),
]


@pytest.mark.parametrize(("words", "meeting_date", "day"), OTHER_PERIOD_ENDS)
def test_next_year_and_next_week_are_not_read_as_this_one(words, meeting_date, day):
    parsed = parse_deadline(words, meeting_date=meeting_date)
    assert (parsed.kind, parsed.due_date, parsed.needs_confirmation) == (RELATIVE, day, False)


# (wording, meeting date, due date): phrasings that were already read right, kept so at month ends,
# in December and in a leap year.
ALREADY_RIGHT = [
    ("本月底", MARCH_3, D(2026, 3, 31)),
    ("月底前", JAN_31, D(2026, 1, 31)),
    ("这个月末", DEC_15, D(2026, 12, 31)),
    ("月末", JAN_31_LEAP, D(2028, 1, 31)),
    ("下月底", JAN_31, D(2026, 2, 28)),
    ("下个月底", JAN_31_LEAP, D(2028, 2, 29)),
    ("下月底", DEC_31, D(2027, 1, 31)),
    ("12月底前", DEC_15, D(2026, 12, 31)),
    ("年底前", MARCH_3, D(2026, 12, 31)),
    ("年末", DEC_31, D(2026, 12, 31)),
    ("本周五", MARCH_3, D(2026, 3, 6)),
    ("本周五", DEC_31, D(2027, 1, 1)),
    ("周五前", MARCH_3, D(2026, 3, 6)),
    ("周五前", JAN_31, D(2026, 2, 6)),
    ("下周五前", MARCH_3, D(2026, 3, 13)),
    ("下周五前", DEC_31, D(2027, 1, 8)),
    ("本周末", DEC_31, D(2027, 1, 3)),
    ("两周内", DEC_15, D(2026, 12, 29)),
    ("三天内", DEC_31, D(2027, 1, 3)),
    ("三天内", D(2028, 2, 27), D(2028, 3, 1)),
    ("一个月内", JAN_31, D(2026, 2, 28)),
    ("一个月内", JAN_31_LEAP, D(2028, 2, 29)),
]


@pytest.mark.parametrize(("words", "meeting_date", "day"), ALREADY_RIGHT)
def test_this_month_this_week_and_counted_periods_are_unchanged(words, meeting_date, day):
    assert parse_deadline(words, meeting_date=meeting_date).due_date == day
