"""按时完成率, 逾期率 and the average delay: the one definition of each, for every page that shows them
(部门行动项's counters in actions.selectors, the 工作落实报告 in reports.metrics: its headline, charts,
tables and spreadsheet). docs/metrics.md says the same in prose.

What is counted, over a set of items and a period (whole Beijing days, first and last included):

- 到期 (due): items whose due date falls in the period, not cancelled, and either completed or past
  their due date. An item due today or later that is still open is not judged yet; an item without a
  due date (持续进行, event deadlines not yet dated) never is.
- 按时完成 (on time): of those, the ones completed on or before the deadline in force when they were
  completed (`ActionItem.completed_on_time`).
- 逾期 (late): of those, the ones completed after that deadline plus the ones still open and overdue
  (`overdue_q`). Items on hold count in neither, so the two rates can add up to less than 100 %.
- 按时完成率 = 按时完成 ÷ 到期, 逾期率 = 逾期 ÷ 到期, one decimal; nothing due: no rate (None).
- 平均 / 最长延误天数: over the late items, completion date (Beijing time) minus due date, or today
  minus due date while still open.

Everything is counted in the database, as aggregates: `judged_aggregates` and `delay_aggregates` give
the expressions, to put in one `aggregate()` or `annotate()` with whatever else a page counts;
`Judged.from_row` reads the result. `prefix` reaches the item through a relation ("action__"),
for tables grouped by owner.
"""

import calendar
import datetime
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Case, Count, DateField, DurationField, F, Max, Q, Value, When
from django.db.models.functions import TruncDate

from actions.models import Status, overdue_q


class Span(Protocol):
    """A period: whole days, `start` and `end` included (reports.metrics.Period is one)."""

    @property
    def start(self) -> datetime.date: ...

    @property
    def end(self) -> datetime.date: ...


@dataclass(frozen=True)
class Days:
    """A plain span of days, first and last included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def month_of(cls, day: datetime.date) -> "Days":
        """The calendar month `day` falls in: what 部门行动项 calls 本月."""
        last = calendar.monthrange(day.year, day.month)[1]
        return cls(day.replace(day=1), day.replace(day=last))


# The rules as filters -------------------------------------------------------------------------


def due_q(period: Span, today: datetime.date, prefix: str = "") -> Q:
    """到期: due within the period, not cancelled, and either completed or past its due date."""
    p = prefix
    return (
        Q(**{f"{p}due_date__gte": period.start, f"{p}due_date__lte": period.end})
        & ~Q(**{f"{p}status": Status.CANCELLED})
        & (Q(**{f"{p}status": Status.DONE}) | Q(**{f"{p}due_date__lt": today}))
    )


def on_time_q(prefix: str = "") -> Q:
    """按时完成 (to be combined with due_q): completed, on time against the deadline then in force."""
    return Q(**{f"{prefix}status": Status.DONE, f"{prefix}completed_on_time": True})


def late_q(today: datetime.date, prefix: str = "") -> Q:
    """逾期 (to be combined with due_q): completed late, or still open past the due date."""
    return Q(**{f"{prefix}status": Status.DONE, f"{prefix}completed_on_time": False}) | overdue_q(
        today, prefix
    )


def delay_expression(today: datetime.date, prefix: str = ""):
    """Days late, as a duration: completion date (Beijing time) minus due date, or today minus due date
    while still open. Only meaningful on late items."""
    completed_day = TruncDate(f"{prefix}completed_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    return Case(
        When(**{f"{prefix}status": Status.DONE}, then=completed_day - F(f"{prefix}due_date")),
        default=Value(today, output_field=DateField()) - F(f"{prefix}due_date"),
        output_field=DurationField(),
    )


def judged_late_q(period: Span, today: datetime.date, prefix: str = "") -> Q:
    """逾期 among the period's 到期 items: the items the delays are taken over."""
    return due_q(period, today, prefix) & late_q(today, prefix)


# The figures as aggregates --------------------------------------------------------------------


def judged_aggregates(
    period: Span, today: datetime.date, *, prefix: str = "", suffix: str = "", distinct: bool = False
) -> dict:
    """到期, 按时完成 and 逾期 as Count aggregates named due, on_time and late (+ `suffix`, to count
    several periods in one query). Counts add up: per-group rows may be summed. `distinct` counts each
    item once where the rows repeat it (owners grouped by department)."""
    due = due_q(period, today, prefix)
    counted = f"{prefix}pk"
    return {
        f"due{suffix}": Count(counted, filter=due, distinct=distinct),
        f"on_time{suffix}": Count(counted, filter=due & on_time_q(prefix), distinct=distinct),
        f"late{suffix}": Count(counted, filter=judged_late_q(period, today, prefix), distinct=distinct),
    }


def delay_aggregates(period: Span, today: datetime.date, *, prefix: str = "") -> dict:
    """平均 and 最长延误 over the period's late items, named avg_delay and max_delay (durations; see
    `days`). Averages do not add up: count them over the whole group, never per part; and over rows
    that hold each late item once."""
    late = judged_late_q(period, today, prefix)
    return {
        "avg_delay": Avg(delay_expression(today, prefix), filter=late),
        "max_delay": Max(delay_expression(today, prefix), filter=late),
    }


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal (19/20 → 95.0, 8/23 → 34.8); None when there is nothing to rate."""
    if not whole:
        return None
    return round(100 * part / whole + 1e-9, 1)


def days(duration: datetime.timedelta | None) -> float | None:
    """A duration in days with one decimal; None stays None."""
    if duration is None:
        return None
    return round(duration.total_seconds() / 86400, 1)


@dataclass
class Judged:
    """The judged figures of one set of items over one period."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    avg_delay: float | None = None
    max_delay: float | None = None

    @classmethod
    def from_row(cls, row: dict, suffix: str = "", **more) -> "Judged":
        """From the result of `judged_aggregates` (and `delay_aggregates`, when they were counted)."""
        return cls(
            due=row[f"due{suffix}"],
            on_time=row[f"on_time{suffix}"],
            late=row[f"late{suffix}"],
            avg_delay=days(row.get("avg_delay")),
            max_delay=days(row.get("max_delay")),
            **more,
        )

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.due)

    @property
    def late_rate(self) -> float | None:
        return rate(self.late, self.due)
