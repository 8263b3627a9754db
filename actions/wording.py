"""Read the deadline wording said in a meeting ("两周内", "3月15日前", "下次例会前", "每周五") into a
deadline. The words are always kept as written; this only proposes a date and a kind, which the
minute-taker confirms. Wording it cannot read is kept as text with no date and flagged.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from actions.models import DeadlineKind, Recurrence

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_DIGITS |= {"八": 8, "九": 9}
_NUM_CHARS = "0-9零〇一二两俩三四五六七八九十百"
_NUM = rf"[{_NUM_CHARS}]+"
_WEEKDAYS = {"一": 0, "1": 0, "二": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4}
_WEEKDAYS |= {"六": 5, "6": 5, "日": 6, "天": 6, "7": 6}


def chinese_number(word: str) -> int | None:
    """ "两" → 2, "十五" → 15, "二十" → 20, "12" → 12; None when it is not a number."""
    if word.isdigit():
        return int(word)
    if not word or any(ch not in _DIGITS and ch not in "十百" for ch in word):
        return None
    total, current = 0, 0
    for ch in word:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[ch]
    return total + current


@dataclass(frozen=True)
class ParsedDeadline:
    text: str
    kind: str
    due_date: datetime.date | None = None
    recurrence: str = ""
    recurrence_weekday: int | None = None
    is_estimate: bool = False
    # True when the words could not be read (or only partly): the user must confirm or pick a date.
    needs_confirmation: bool = False


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_weekday(day: datetime.date, weekday: int, *, include_today: bool = False) -> datetime.date:
    ahead = (weekday - day.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return day + datetime.timedelta(days=ahead)


_ISO = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_MONTH_DAY = re.compile(rf"(?:({_NUM})年)?({_NUM})月({_NUM})[日号]")
_MONTH_END = re.compile(rf"(?:({_NUM})年)?({_NUM})月(?:底|末)")
_PLACEHOLDER_DATE = re.compile(r"[XxＸ×某]+月|月[XxＸ×某]+[日号]")
# "两周内", "三个月内", and with a half: "一个半月内", "一年半内", "半个月内".
_WITHIN = re.compile(rf"({_NUM}|半)个?(半)?(天|日|周|星期|礼拜|月|年)(半)?(?:之?内|以内|后)")
_THIS_WEEKDAY = re.compile(
    r"(本|这|下下|下)?个?(?:周|星期|礼拜)([一二三四五六日天1-7])(?:前|之前|以前|下班前|内)?"
)
_EVENT = re.compile(r"下[一1]?次(?:例会|会议|周会|月会|例行会议)|下[一1]?(?:周|月)(?:例会|周会|月会)")
_ONGOING = re.compile(r"持续|长期|即日起|常态化|立即执行|随时")
# "每周五" is a weekday, "每周一次" is not.
_RECURRING = re.compile(r"每(双周|两周|隔周|周|星期|礼拜|月|个月)([一二三四五六日天1-7](?![次个]))?")
_UNSUPPORTED_CYCLE = re.compile(r"每(日|天|季度?|半年|年)")


def _explicit_date(text: str, meeting_date: datetime.date) -> datetime.date | None:
    if m := _ISO.search(text):
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if m := _MONTH_DAY.search(text):
        year = chinese_number(m[1]) if m[1] else None
        month, day = chinese_number(m[2]), chinese_number(m[3])
        if month is None or day is None:
            return None
        if year is not None and year < 100:
            year += 2000
        try:
            candidate = datetime.date(year or meeting_date.year, month, day)
        except ValueError:
            return None
        # "1月10日前" said at a December meeting means next January.
        if year is None and candidate < meeting_date - datetime.timedelta(days=31):
            candidate = candidate.replace(year=candidate.year + 1)
        return candidate
    if m := _MONTH_END.search(text):
        year = chinese_number(m[1]) if m[1] else None
        month = chinese_number(m[2])
        if month is None or not 1 <= month <= 12:
            return None
        if year is not None and year < 100:
            year += 2000
        if year is None:
            # "11月底前" said at a December meeting means next November: this year's has passed.
            year = meeting_date.year + (month < meeting_date.month)
        return _month_end(datetime.date(year, month, 1))
    return None


def _relative(text: str, meeting_date: datetime.date) -> datetime.date | None:
    if m := _WITHIN.search(text):
        count = 0 if m[1] == "半" else chinese_number(m[1])
        if count is None or (count == 0 and m[1] != "半"):
            return None
        count += 0.5 if (m[1] == "半" or m[2] or m[4]) else 0
        unit = m[3]
        if unit in ("天", "日"):
            return meeting_date + datetime.timedelta(days=int(count))
        if unit in ("周", "星期", "礼拜"):
            return meeting_date + datetime.timedelta(days=int(7 * count))
        if unit == "月":
            # Half a month is fifteen days.
            return add_months(meeting_date, int(count)) + datetime.timedelta(days=15 * (count % 1 > 0))
        return add_months(meeting_date, int(12 * count))
    # Next month, next year and next week before this one: "下月底前" also contains "月底前".
    if m := re.search(r"(下下|下)个?月(?:底|末)", text):
        months = 2 if m[1] == "下下" else 1
        return _month_end(add_months(meeting_date.replace(day=1), months))
    # Not "12月底", which names its month (_explicit_date) or, when no such month exists, no date.
    if re.search(rf"(?<![{_NUM_CHARS}])月(?:底|末)", text):
        return _month_end(meeting_date)
    if re.search(r"明年年?(?:底|末)", text):
        return datetime.date(meeting_date.year + 1, 12, 31)
    if m := re.search(r"(\d{4})年(?:底|末)", text):
        return datetime.date(int(m[1]), 12, 31)
    if re.search(r"年(?:底|末)", text):
        return datetime.date(meeting_date.year, 12, 31)
    if m := re.search(r"(下下|下)个?(?:周|星期|礼拜)(?![一二三四五六日天1-7])", text):
        weeks = 2 if m[1] == "下下" else 1
        return _next_weekday(meeting_date, 6, include_today=True) + datetime.timedelta(weeks=weeks)
    if re.search(r"(本|这)周(内|末)|周末前", text):
        return _next_weekday(meeting_date, 6, include_today=True)
    if re.search(r"今天|今日|当天|会后即|当日", text):
        return meeting_date
    if re.search(r"明天|明日", text):
        return meeting_date + datetime.timedelta(days=1)
    if re.search(r"后天", text):
        return meeting_date + datetime.timedelta(days=2)
    if m := _THIS_WEEKDAY.search(text):
        weekday = _WEEKDAYS[m[2]]
        monday = meeting_date - datetime.timedelta(days=meeting_date.weekday())
        if m[1] == "下":
            return monday + datetime.timedelta(days=7 + weekday)
        if m[1] == "下下":
            return monday + datetime.timedelta(days=14 + weekday)
        if m[1] in ("本", "这"):
            return monday + datetime.timedelta(days=weekday)
        return _next_weekday(meeting_date, weekday)
    return None


def parse_deadline(text: str, *, meeting_date: datetime.date) -> ParsedDeadline:
    """The deadline the words give, counted from the meeting's date."""
    words = (text or "").strip()
    compact = re.sub(r"\s+", "", words)
    is_estimate = compact.startswith(("预计", "预期", "争取", "力争", "大约", "约")) or "预计" in compact

    if not compact:
        return ParsedDeadline(text=words, kind=DeadlineKind.DATE, needs_confirmation=True)

    if (day := _explicit_date(compact, meeting_date)) is not None:
        return ParsedDeadline(text=words, kind=DeadlineKind.DATE, due_date=day, is_estimate=is_estimate)
    if _PLACEHOLDER_DATE.search(compact):
        # "X月X日前": a date was meant but not given. Keep the words; the user picks the date.
        return ParsedDeadline(
            text=words, kind=DeadlineKind.DATE, is_estimate=is_estimate, needs_confirmation=True
        )
    if _EVENT.search(compact):
        return ParsedDeadline(text=words, kind=DeadlineKind.EVENT, is_estimate=is_estimate)
    if m := _RECURRING.search(compact):
        recurrence = {
            "双周": Recurrence.BIWEEKLY,
            "两周": Recurrence.BIWEEKLY,
            "隔周": Recurrence.BIWEEKLY,
            "月": Recurrence.MONTHLY,
            "个月": Recurrence.MONTHLY,
        }.get(m[1], Recurrence.WEEKLY)
        weekday = _WEEKDAYS[m[2]] if m[2] and recurrence != Recurrence.MONTHLY else None
        if recurrence == Recurrence.MONTHLY:
            first = add_months(meeting_date, 1)
        else:
            first = _next_weekday(meeting_date, meeting_date.weekday() if weekday is None else weekday)
        return ParsedDeadline(
            text=words,
            kind=DeadlineKind.RECURRING,
            due_date=first,
            recurrence=recurrence,
            recurrence_weekday=weekday,
            is_estimate=is_estimate,
        )
    if (day := _relative(compact, meeting_date)) is not None:
        return ParsedDeadline(text=words, kind=DeadlineKind.RELATIVE, due_date=day, is_estimate=is_estimate)
    if _UNSUPPORTED_CYCLE.search(compact):
        # Daily, quarterly or yearly work has no recurrence of its own here: an ongoing item, to confirm.
        return ParsedDeadline(
            text=words, kind=DeadlineKind.ONGOING, is_estimate=is_estimate, needs_confirmation=True
        )
    if _ONGOING.search(compact):
        return ParsedDeadline(text=words, kind=DeadlineKind.ONGOING, is_estimate=is_estimate)
    return ParsedDeadline(
        text=words, kind=DeadlineKind.DATE, is_estimate=is_estimate, needs_confirmation=True
    )
