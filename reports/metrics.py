"""工作落实报告: every figure of the period report, defined once.

Each figure has a `Metric` entry (label + definition, shown as the tooltip on the page, as a footnote in
the PDF and on the first sheet of the .xlsx) and one function or Q builder that computes it in SQL.
到期, 按时完成, 逾期, their rates and the delays are defined once in `actions.figures`, which 部门行动项
uses too; the rules below them live in `actions.models`: overdue is `overdue_q()` (the twin of
`ActionItemQuerySet.overdue()`), "on time" is `ActionItem.completed_on_time` (judged against the
deadline in force when the item was completed), dates are Asia/Shanghai dates (`local_today()`).
docs/metrics.md explains the same rules in prose.
"""

import calendar
import datetime
import hashlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.figures import (
    Judged,
    days,
    delay_aggregates,
    judged_aggregates,
    judged_late_q,
    rate,
)
from actions.models import (
    OPEN_STATUSES,
    ActionItem,
    ActionOwner,
    DeadlineChange,
    Occurrence,
    ProgressEntry,
    Status,
    overdue_q,
)
from actions.selectors import actions_in_departments
from meetings.models import Department, Meeting, MeetingKind, User
from meetings.policy import confidential_action_q
from meetings.templatetags.minutes import enumeration

# An open item nobody has logged anything on for this many days is 停滞 (stale).
STALE_DAYS = 14
# The longest period a report may cover.
MAX_PERIOD_DAYS = 5 * 366
TREND_PERIODS = 12
# How many rows the web page and the PDF list in each long table; the .xlsx holds them all.
PAGE_ROWS = 50
PDF_ROWS = 25

WEEK, MONTH, QUARTER, YEAR, CUSTOM = "week", "month", "quarter", "year", "custom"
PERIOD_KINDS = [
    (WEEK, gettext_lazy("周")),
    (MONTH, gettext_lazy("月")),
    (QUARTER, gettext_lazy("季度")),
    (YEAR, gettext_lazy("年")),
    (CUSTOM, gettext_lazy("自定义")),
]


@dataclass
class Metric:
    key: str
    label: str
    definition: str
    params: tuple = ()
    number: int = 0  # its footnote number in the report

    @property
    def help(self) -> str:
        """The definition in the active language (formatted now, not when the module was imported)."""
        return str(self.definition) % dict(self.params) if self.params else str(self.definition)


def _m(key, label, definition, **params) -> Metric:
    return Metric(key, label, definition, tuple(params.items()))


# The definitions users read. Keep them in step with the code below and with docs/metrics.md.
METRICS = {
    m.key: m
    for m in [
        _m("meetings", gettext_lazy("召开会议"), gettext_lazy("开始时间在统计期间内、且已开始的会议数。")),
        _m("decisions", gettext_lazy("形成决议"), gettext_lazy("上述会议形成的决议条数。")),
        _m("created", gettext_lazy("新增行动项"), gettext_lazy("创建时间在统计期间内的行动项数。")),
        _m(
            "completed",
            gettext_lazy("完成行动项"),
            gettext_lazy("完成时间在统计期间内、当前状态为“已完成”的行动项数。"),
        ),
        _m(
            "due",
            gettext_lazy("到期行动项"),
            gettext_lazy(
                "完成时限在统计期间内(含首尾两天)、且已完成或时限已过的行动项数;已取消的不计。"
                "今天及以后到期而尚未完成的不计入,因为还不能判断是否按时。"
            ),
        ),
        _m(
            "on_time",
            gettext_lazy("按时完成"),
            gettext_lazy("到期行动项中,在当时有效的完成时限当天或之前完成的项数(按北京时间日期判断)。"),
        ),
        _m(
            "on_time_rate",
            gettext_lazy("按时完成率"),
            gettext_lazy("按时完成 ÷ 到期行动项,保留一位小数;没有到期行动项时不计算。"),
        ),
        _m(
            "late",
            gettext_lazy("逾期"),
            gettext_lazy("到期行动项中,超过完成时限才完成的,加上至今仍未完成而已逾期的项数。"),
        ),
        _m("late_rate", gettext_lazy("逾期率"), gettext_lazy("逾期 ÷ 到期行动项,保留一位小数。")),
        _m(
            "overdue_now",
            gettext_lazy("当前逾期"),
            gettext_lazy("截至今天,状态为未开始或进行中、且完成时限早于今天的行动项数(不限统计期间)。"),
        ),
        _m(
            "avg_delay",
            gettext_lazy("平均延误天数"),
            gettext_lazy(
                "逾期行动项的延误天数平均值:已完成的按完成日期减完成时限,未完成的按今天减完成时限。"
            ),
        ),
        _m("max_delay", gettext_lazy("最长延误天数"), gettext_lazy("逾期行动项中延误天数的最大值。")),
        _m(
            "median_days_to_complete",
            gettext_lazy("完成用时中位数"),
            gettext_lazy("统计期间内完成的行动项,从创建到完成所用天数的中位数。"),
        ),
        _m(
            "postponements",
            gettext_lazy("延期次数"),
            gettext_lazy("审批时间在统计期间内、已批准的延期申请数。"),
        ),
        _m(
            "stale",
            gettext_lazy("停滞事项"),
            gettext_lazy("截至今天,未完成且 %(days)s 天以上没有任何进展记录的行动项数(不限统计期间)。"),
            days=STALE_DAYS,
        ),
        _m(
            "recurring",
            gettext_lazy("周期事项交付"),
            gettext_lazy("周期性事项在统计期间内应交付的次数中已交付的次数,例如“周报 24/26”。"),
        ),
        _m(
            "change_pp",
            gettext_lazy("较上期"),
            gettext_lazy("本期比率减上期比率,单位为百分点。"),
        ),
        _m(
            "target",
            gettext_lazy("目标"),
            gettext_lazy("按时完成率不低于目标即为“达成”,否则为“未达成”。"),
        ),
    ]
}


for _number, _metric in enumerate(METRICS.values(), start=1):
    _metric.number = _number


# Periods ---------------------------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    """A run of whole days, start and end included, in the site's time zone."""

    kind: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> "Period":
        if kind == WEEK:
            start = day - datetime.timedelta(days=day.weekday())
            return cls(kind, start, start + datetime.timedelta(days=6))
        if kind == MONTH:
            start = day.replace(day=1)
        elif kind == QUARTER:
            start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        elif kind == YEAR:
            start = day.replace(month=1, day=1)
        else:
            raise ValueError(kind)
        return cls(kind, start, _add_months(start, cls._months(kind)) - datetime.timedelta(days=1))

    @staticmethod
    def _months(kind: str) -> int:
        return {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, steps: int) -> "Period":
        """The period `steps` periods later (negative: earlier). A custom period moves by its length."""
        if self.kind == WEEK:
            delta = datetime.timedelta(weeks=steps)
            return Period(self.kind, self.start + delta, self.end + delta)
        if self.kind == CUSTOM:
            delta = datetime.timedelta(days=self.days * steps)
            return Period(self.kind, self.start + delta, self.end + delta)
        start = _add_months(self.start, self._months(self.kind) * steps)
        return Period.containing(self.kind, start)

    def previous(self) -> "Period":
        return self.shifted(-1)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[local midnight of the first day, local midnight after the last day): for datetimes."""
        tz = ZoneInfo(settings.TIME_ZONE)
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
        )

    @property
    def label(self) -> str:
        start, end = self.start, self.end
        if self.kind == WEEK:
            week = start.isocalendar()
            return _("%(year)s年第%(week)s周(%(start)s–%(end)s)") % {
                "year": week.year,
                "week": week.week,
                "start": _("%(m)s月%(d)s日") % {"m": start.month, "d": start.day},
                "end": _("%(m)s月%(d)s日") % {"m": end.month, "d": end.day},
            }
        if self.kind == MONTH:
            return _("%(year)s年%(month)s月") % {"year": start.year, "month": start.month}
        if self.kind == QUARTER:
            return _("%(year)s年第%(quarter)s季度") % {"year": start.year, "quarter": (start.month + 2) // 3}
        if self.kind == YEAR:
            return _("%(year)s年") % {"year": start.year}
        return _("%(start)s 至 %(end)s") % {"start": _long_date(start), "end": _long_date(end)}

    @property
    def short_label(self) -> str:
        """For a chart's axis."""
        start = self.start
        if self.kind == WEEK:
            return _("第%(week)s周") % {"week": start.isocalendar().week}
        if self.kind == MONTH:
            return f"{start.year}-{start.month:02d}"
        if self.kind == QUARTER:
            return f"{start.year % 100}Q{(start.month + 2) // 3}"
        if self.kind == YEAR:
            return str(start.year)
        return f"{start:%m-%d}"


def _long_date(day: datetime.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


# Scopes ----------------------------------------------------------------------------------------

ORGANISATION, DEPARTMENT, SERIES = "organisation", "department", "series"


@dataclass(frozen=True)
class Scope:
    """Whose work a report covers: the whole organisation, a department with everything below it, or
    one meeting series. Who may see which is decided before one is built (reports.policy), which also
    fills in `readable` for a reader who may not see every meeting of a series."""

    kind: str
    label: str
    department_ids: frozenset[int] | None = None
    series_id: int | None = None
    # A series report for a reader who may not see every meeting of it (meetings.policy): the meetings
    # they may see, and of those the ones they see whole, confidential parts included. None: all.
    readable: "Readable | None" = None

    def actions(self):
        """Action items in scope. A department's items are those `actions_in_departments` gives the
        department heads' own list: a department owner is in it or a person owner works in it."""
        if self.kind == DEPARTMENT:
            return actions_in_departments(set(self.department_ids))
        if self.kind == SERIES:
            items = ActionItem.objects.filter(meeting__series_id=self.series_id)
            return items if self.readable is None else items.filter(self.readable.actions_q())
        return ActionItem.objects.all()

    def meetings(self):
        if self.kind == DEPARTMENT:
            return Meeting.objects.filter(department_id__in=sorted(self.department_ids))
        if self.kind == SERIES:
            meetings = Meeting.objects.filter(series_id=self.series_id)
            if self.readable is not None:
                meetings = meetings.filter(pk__in=sorted(self.readable.meeting_ids))
            return meetings
        return Meeting.objects.all()

    def includes_owner_department(self, department_id: int | None) -> bool:
        """Whether a department (of an owner, or an owner's own) belongs to the scope's people: in a
        department report only the departments of its subtree do."""
        return self.kind != DEPARTMENT or department_id in self.department_ids


@dataclass(frozen=True)
class Readable:
    """What one reader may see of a series' meetings (worked out by reports.policy from meetings.policy):
    the meetings they may see, and those they see whole. In the others, items serving a confidential
    decision are left out, as on the meeting's own page."""

    meeting_ids: frozenset[int]
    whole_meeting_ids: frozenset[int]

    def actions_q(self) -> Q:
        partly = sorted(self.meeting_ids - self.whole_meeting_ids)
        return Q(meeting_id__in=sorted(self.whole_meeting_ids)) | (
            Q(meeting_id__in=partly) & ~confidential_action_q()
        )


def change_pp(current: float | None, previous: float | None) -> float | None:
    """The change between two rates in 百分点 (15 % → 5 % is −10.0)."""
    if current is None or previous is None:
        return None
    return round(current - previous, 1)


# The figures ----------------------------------------------------------------------------------


@dataclass
class ActionFigures(Judged):
    """到期, 按时完成, 逾期, their rates and the delays (actions.figures), with the period's other
    action-item figures."""

    created: int = 0
    completed: int = 0
    median_days_to_complete: float | None = None
    postponements: int = 0


def action_figures(items, period: Period, today: datetime.date) -> ActionFigures:
    """The period's action-item figures for the items in `items`: three queries."""
    start, end = period.bounds()
    counts = items.order_by().aggregate(
        created=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        completed=Count("pk", filter=Q(status=Status.DONE, completed_at__gte=start, completed_at__lt=end)),
        **judged_aggregates(period, today),
        **delay_aggregates(period, today),
    )
    figures = ActionFigures.from_row(counts, created=counts["created"], completed=counts["completed"])
    figures.median_days_to_complete = _median_days_to_complete(items, start, end, figures.completed)
    figures.postponements = DeadlineChange.objects.filter(
        action__in=items.values("pk"),
        state=DeadlineChange.State.APPROVED,
        decided_at__gte=start,
        decided_at__lt=end,
    ).count()
    return figures


def _median_days_to_complete(items, start, end, completed: int) -> float | None:
    """The median of (completed_at − created_at) over the items completed in the period: the middle one
    or two rows of the sorted durations, fetched by offset (portable; no percentile function needed)."""
    if not completed:
        return None
    durations = (
        items.filter(status=Status.DONE, completed_at__gte=start, completed_at__lt=end)
        .annotate(took=F("completed_at") - F("created_at"))
        .order_by("took")
        .values_list("took", flat=True)
    )
    middle = list(durations[(completed - 1) // 2 : completed // 2 + 1])
    return days(sum(middle, datetime.timedelta()) / len(middle))


def snapshot_figures(items, today: datetime.date) -> dict:
    """当前逾期 and 停滞事项: the state today, whatever the period (one query)."""
    stale_before = datetime.datetime.combine(
        today - datetime.timedelta(days=STALE_DAYS), datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    return (
        items.order_by()
        .with_last_update()
        .aggregate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue_now=Count("pk", filter=overdue_q(today)),
            stale=Count(
                "pk",
                filter=Q(status__in=OPEN_STATUSES)
                & (
                    Q(last_update_at__lt=stale_before)
                    | Q(last_update_at__isnull=True, created_at__lt=stale_before)
                ),
            ),
        )
    )


def meeting_figures(scope: Scope, period: Period, now: datetime.datetime) -> dict:
    """Meetings held in the period by kind, and the decisions they made (one query)."""
    start, end = period.bounds()
    rows = (
        scope.meetings()
        .filter(starts_at__gte=start, starts_at__lt=min(end, now))
        .order_by()
        .values("kind")
        .annotate(meetings=Count("pk", distinct=True), decisions=Count("decisions", distinct=True))
    )
    labels = dict(MeetingKind.choices)
    by_kind = sorted(
        ({**r, "label": labels.get(r["kind"], r["kind"])} for r in rows), key=lambda r: -r["meetings"]
    )
    return {
        "by_kind": by_kind,
        "meetings": sum(r["meetings"] for r in by_kind),
        "decisions": sum(r["decisions"] for r in by_kind),
    }


def recurring_figures(items, period: Period, today: datetime.date) -> dict:
    """周期事项交付: occurrences owed in the period (due by today, or already delivered) and how many were
    delivered, per item and in total (one query)."""
    owed = Q(due_date__lte=today) | Q(delivered_at__isnull=False)
    rows = list(
        Occurrence.objects.filter(
            owed, action__in=items.values("pk"), due_date__gte=period.start, due_date__lte=period.end
        )
        .order_by()
        .values("action_id", "action__title")
        .annotate(owed=Count("pk"), delivered=Count("pk", filter=Q(delivered_at__isnull=False)))
        .order_by("action__title", "action_id")
    )
    return {
        "rows": [
            {
                "title": r["action__title"],
                "owed": r["owed"],
                "delivered": r["delivered"],
                "rate": rate(r["delivered"], r["owed"]),
            }
            for r in rows
        ],
        "owed": sum(r["owed"] for r in rows),
        "delivered": sum(r["delivered"] for r in rows),
    }


def _owner_aggregates(period: Period, today: datetime.date) -> dict:
    """Per group of ownerships: open, overdue today, and the period's 到期, 按时完成, 逾期 and average
    delay (actions.figures), each item counted once however many of its owners the group holds (the
    average needs rows that hold each late item once)."""
    a = "action__"
    return {
        "open": Count("action", distinct=True, filter=Q(action__status__in=OPEN_STATUSES)),
        "overdue": Count("action", distinct=True, filter=overdue_q(today, a)),
        **judged_aggregates(period, today, prefix=a, distinct=True),
        "avg_delay": delay_aggregates(period, today, prefix=a)["avg_delay"],
    }


def _ownerships(items, scope: Scope):
    owners = ActionOwner.objects.all()
    if scope.kind != ORGANISATION:
        owners = owners.filter(action__in=items.values("pk"))
    return owners


def _table_row(name: str, row: dict) -> dict:
    judged = Judged.from_row(row)
    return {
        "name": name,
        "open": row["open"],
        "overdue": row["overdue"],
        "due": judged.due,
        "on_time": judged.on_time,
        "on_time_rate": judged.on_time_rate,
        "avg_delay": judged.avg_delay,
    }


# The department an ownership counts for: a department owner's, or the one a person owner works in
# (0: nobody's, for people without a department).
OWNER_DEPARTMENT = Coalesce("department_id", "user__department_id", Value(0), output_field=IntegerField())


def by_department(items, scope: Scope, period: Period, today: datetime.date) -> list[dict]:
    """One row per department: its items by the rule of the scope itself (`actions_in_departments`):
    a department owner is the department or a person owner works in it, lead or support. An item of
    two departments counts in both; in a department report, only the departments of its subtree have
    a row. Two queries."""
    # Two owners of one item can be in the same department. The counts are distinct; for the average,
    # a late item's later owners in the same department are left out (looked up for the late items
    # only, which are few).
    earlier_same_department = (
        ActionOwner.objects.filter(action_id=OuterRef("action_id"), pk__lt=OuterRef("pk"))
        .annotate(dept=OWNER_DEPARTMENT)
        .filter(dept=OuterRef("dept"))
    )
    rows = (
        _ownerships(items, scope)
        .annotate(dept=OWNER_DEPARTMENT)
        .exclude(judged_late_q(period, today, "action__") & Exists(earlier_same_department))
        .order_by()
        .values("dept")
        .annotate(**_owner_aggregates(period, today))
    )
    names = dict(Department.objects.values_list("pk", "name"))
    table = [
        _table_row(names.get(row["dept"]) or _("未分配部门"), row)
        for row in rows
        # A department outside the subtree: that department's own report counts it.
        if scope.includes_owner_department(row["dept"])
    ]
    table.sort(key=lambda r: (-r["overdue"], -r["open"], r["name"]))
    return table


def by_owner(items, scope: Scope, period: Period, today: datetime.date) -> list[dict]:
    """One row per lead owner (a person, or a department given as the owner) and the items they lead.
    In a department report, only the leads of its subtree: its people, and its departments as
    owners. One query."""
    leads = _ownerships(items, scope).filter(role=ActionOwner.Role.LEAD)
    if scope.kind == DEPARTMENT:
        ids = sorted(scope.department_ids)
        leads = leads.filter(Q(department_id__in=ids) | Q(user__department_id__in=ids))
    rows = (
        leads.order_by()
        .values("user_id", "user__name", "department_id", "department__name")
        .annotate(**_owner_aggregates(period, today))
    )
    table = [_table_row(r["user__name"] or r["department__name"], r) for r in rows]
    table.sort(key=lambda r: (-r["overdue"], -r["open"], r["name"]))
    return table


def overdue_items(items, today: datetime.date):
    """当前逾期 items, longest overdue first, with their lead owners and source meeting."""
    return (
        items.overdue(today)
        .select_related("meeting")
        .prefetch_related(
            Prefetch(
                "owners",
                queryset=ActionOwner.objects.filter(role=ActionOwner.Role.LEAD).select_related(
                    "user", "department"
                ),
                to_attr="leads",
            )
        )
        .order_by("due_date", "pk")
    )


def overdue_rows(items, today: datetime.date, limit: int):
    """The `limit` longest-overdue 当前逾期 items for the spreadsheet, as plain rows (two queries, no
    model instances: an organisation can have tens of thousands)."""
    rows = list(
        items.overdue(today)
        .order_by("due_date", "pk")
        .values_list("pk", "title", "due_date", "status", "progress", "meeting__title")[:limit]
    )
    leads: dict[int, list[str]] = {}
    for action_id, person, department in (
        ActionOwner.objects.filter(role=ActionOwner.Role.LEAD, action_id__in=[row[0] for row in rows])
        .order_by("action_id", "pk")
        .values_list("action_id", "user__name", "department__name")
    ):
        leads.setdefault(action_id, []).append(person or department)
    labels = dict(Status.choices)
    return [
        {
            "title": title,
            "leads": enumeration(leads.get(pk, [])),
            "meeting": meeting or "",
            "due_date": due,
            "days": (today - due).days,
            "status": str(labels.get(status, status)),
            "progress": progress,
        }
        for pk, title, due, status, progress, meeting in rows
    ]


def trend(items, period: Period, today: datetime.date, count: int = TREND_PERIODS) -> list[dict]:
    """按时完成率 over the last `count` periods, oldest first, in one query."""
    periods = [period.shifted(-k) for k in range(count - 1, -1, -1)]
    aggregates = {}
    for n, p in enumerate(periods):
        aggregates.update(judged_aggregates(p, today, suffix=f"_{n}"))
    counts = items.order_by().aggregate(**aggregates)
    points = []
    for n, p in enumerate(periods):
        judged = Judged.from_row(counts, suffix=f"_{n}")
        points.append(
            {
                "label": p.short_label,
                "due": judged.due,
                "on_time": judged.on_time,
                "rate": judged.on_time_rate,
            }
        )
    return points


# The whole report ------------------------------------------------------------------------------


@dataclass
class PeriodReport:
    scope: Scope
    period: Period
    today: datetime.date
    target: float | None
    meetings: dict = field(default_factory=dict)
    current: ActionFigures = field(default_factory=ActionFigures)
    previous: ActionFigures = field(default_factory=ActionFigures)
    snapshot: dict = field(default_factory=dict)
    recurring: dict = field(default_factory=dict)
    departments: list = field(default_factory=list)
    owners: list = field(default_factory=list)
    trend: list = field(default_factory=list)

    @property
    def on_time_change_pp(self) -> float | None:
        return change_pp(self.current.on_time_rate, self.previous.on_time_rate)

    @property
    def late_change_pp(self) -> float | None:
        return change_pp(self.current.late_rate, self.previous.late_rate)

    @property
    def target_met(self) -> bool | None:
        """达成 (True) / 未达成 (False); None without a target or without items due."""
        if self.target is None or self.current.on_time_rate is None:
            return None
        return self.current.on_time_rate >= self.target


def build_report(
    *, scope: Scope, period: Period, today: datetime.date, target: float | None = None, progress=None
) -> PeriodReport:
    """Compute every figure: a fixed number of queries whatever the amount of data. `progress(percent,
    step)` is told how far it got, for the progress bar."""
    step = progress or (lambda percent, text: None)
    items = scope.actions()
    report = PeriodReport(scope=scope, period=period, today=today, target=target)
    step(5, _("统计会议"))
    report.meetings = meeting_figures(scope, period, timezone.now())
    step(15, _("统计行动项"))
    report.current = action_figures(items, period, today)
    report.previous = action_figures(items, period.previous(), today)
    report.snapshot = snapshot_figures(items, today)
    report.recurring = recurring_figures(items, period, today)
    step(35, _("按部门和责任人汇总"))
    report.departments = by_department(items, scope, period, today)
    report.owners = by_owner(items, scope, period, today)
    step(50, _("计算近期趋势"))
    report.trend = trend(items, period, today)
    return report


def data_version() -> str:
    """A fingerprint of everything a report reads: it changes whenever an item, its log, its deadline
    changes or occurrences, a meeting, a decision, the department tree or anyone's department changes
    (eight small queries)."""
    parts = [
        ActionItem.objects.aggregate(n=Count("pk"), t=Max("updated_at")),
        ActionOwner.objects.aggregate(n=Count("pk"), m=Max("pk")),
        ProgressEntry.objects.aggregate(n=Count("pk"), m=Max("pk")),
        DeadlineChange.objects.aggregate(n=Count("pk"), t=Max(Coalesce("decided_at", "requested_at"))),
        Occurrence.objects.aggregate(n=Count("pk"), t=Max("delivered_at")),
        Meeting.objects.aggregate(n=Count("pk", distinct=True), t=Max("updated_at"), d=Count("decisions")),
        # The tree is small: its whole shape, so moving a department changes the version.
        list(Department.objects.order_by("pk").values_list("pk", "parent_id", "head_id")),
        # Who works where decides whose items a department report counts.
        list(User.objects.order_by("pk").values_list("pk", "department_id")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
