"""Meeting series (会议系列): recurrence rules, creating the next meeting, the carry-over review.

Times are wall-clock times in the site's zone (Asia/Shanghai, which has no daylight-saving time): a
series "每周一 09:30" is at 09:30 Beijing time every week, and viewers elsewhere see it converted.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Event

from meetings import calendar as ics
from meetings import history, policy
from meetings.models import AgendaItem, Attendance, Meeting, MeetingLogEntry, MeetingSeries

Recurrence = MeetingSeries.Recurrence

WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]
ORDINALS = {
    1: gettext_lazy("第一个"),
    2: gettext_lazy("第二个"),
    3: gettext_lazy("第三个"),
    4: gettext_lazy("第四个"),
    -1: gettext_lazy("最后一个"),
}
REVIEW_TITLE = gettext_lazy("上次会议行动项回顾")


def site_zone():
    return timezone.get_default_timezone()


# --- Recurrence


def validate_rule(series: MeetingSeries) -> None:
    """Raise ValidationError (with the field) when the rule cannot produce dates."""
    errors = {}
    if not series.recurrence:
        errors["recurrence"] = _("请选择重复规则:每周、每两周、每月固定日期或每月第几个星期几。")
    if series.first_date is None:
        errors["first_date"] = _("请填写首次会议日期。")
    if series.start_time is None:
        errors["start_time"] = _("请填写默认开始时间。")
    if series.recurrence in (Recurrence.WEEKLY, Recurrence.BIWEEKLY, Recurrence.MONTHLY_WEEKDAY):
        if series.weekday is None:
            errors["weekday"] = _("请选择星期几。")
    if series.recurrence == Recurrence.MONTHLY_WEEKDAY and series.week_of_month not in ORDINALS:
        errors["week_of_month"] = _("请选择每月第几个(第一个至第四个,或最后一个)。")
    if series.recurrence == Recurrence.MONTHLY_DAY:
        if series.month_day is None:
            errors["month_day"] = _("请填写每月几号。")
        elif not 1 <= series.month_day <= 28:
            errors["month_day"] = _(
                "每月%(day)s日并非每个月都有(例如二月)。请选择 1 至 28 日,或改用“每月最后一个星期几”。"
            ) % {"day": series.month_day}
    if errors:
        raise ValidationError(errors)


def describe_rule(series: MeetingSeries) -> str:
    """每周一 09:30, 每月最后一个周五 14:00, …"""
    if not series.recurrence:
        return _("未设置重复规则")
    time = series.start_time.strftime("%H:%M") if series.start_time else ""
    weekday = WEEKDAYS[series.weekday] if series.weekday is not None else ""
    if series.recurrence == Recurrence.WEEKLY:
        text = _("每%(weekday)s") % {"weekday": weekday}
    elif series.recurrence == Recurrence.BIWEEKLY:
        text = _("每两周%(weekday)s") % {"weekday": weekday}
    elif series.recurrence == Recurrence.MONTHLY_DAY:
        text = _("每月%(day)s日") % {"day": series.month_day}
    else:
        text = _("每月%(ordinal)s%(weekday)s") % {
            "ordinal": ORDINALS.get(series.week_of_month, ""),
            "weekday": weekday,
        }
    return f"{text} {time}".strip()


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime.date:
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month]
    matching = [d for d in days if d.weekday() == weekday]
    return matching[-1] if nth == -1 else matching[nth - 1]


def _months_from(day: datetime.date):
    year, month = day.year, day.month
    while True:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def dates_from(series: MeetingSeries, start: datetime.date):
    """The series' meeting dates on or after `start`, in order (an endless generator)."""
    first = series.first_date
    start = max(start, first)
    rule = series.recurrence
    if rule in (Recurrence.WEEKLY, Recurrence.BIWEEKLY):
        anchor = first + datetime.timedelta(days=(series.weekday - first.weekday()) % 7)
        step = 7 if rule == Recurrence.WEEKLY else 14
        skip = max(0, (start - anchor).days)
        day = anchor + datetime.timedelta(days=-(-skip // step) * step)
        while True:
            yield day
            day += datetime.timedelta(days=step)
    for year, month in _months_from(start):
        if rule == Recurrence.MONTHLY_DAY:
            day = datetime.date(year, month, series.month_day)
        else:
            day = _nth_weekday(year, month, series.weekday, series.week_of_month)
        if day >= start:
            yield day


def next_date(series: MeetingSeries, after: datetime.date) -> datetime.date:
    """The first meeting date strictly after `after`."""
    return next(dates_from(series, after + datetime.timedelta(days=1)))


def starts_at_on(series: MeetingSeries, day: datetime.date) -> datetime.datetime:
    """The aware start time of the meeting on `day`, in the site's zone."""
    return datetime.datetime.combine(day, series.start_time, tzinfo=site_zone())


def upcoming_date(series: MeetingSeries, *, today: datetime.date | None = None) -> datetime.date:
    """The date of the next meeting to create: after the last one held, and not in the past."""
    today = today or timezone.localdate()
    last = series.meetings.order_by("-starts_at").values_list("starts_at", flat=True).first()
    after = today - datetime.timedelta(days=1)
    if last is not None:
        after = max(after, timezone.localtime(last, site_zone()).date())
    return next_date(series, after)


# --- Writes


@transaction.atomic
def series_save(*, series: MeetingSeries, participants=None, by=None) -> MeetingSeries:
    """Create or change a series; the rule is checked first, so a bad rule changes nothing."""
    if (
        series.recurrence in (Recurrence.WEEKLY, Recurrence.BIWEEKLY)
        and series.weekday is None
        and series.first_date
    ):
        series.weekday = series.first_date.weekday()
    validate_rule(series)
    if series.recurrence != Recurrence.MONTHLY_DAY:
        series.month_day = None
    if series.recurrence != Recurrence.MONTHLY_WEEKDAY:
        series.week_of_month = None
    if series.recurrence == Recurrence.MONTHLY_DAY:
        series.weekday = None
    series.template_agenda = clean_agenda(series.template_agenda)
    series.full_clean()
    series.save()
    if participants is not None:
        series.participants.set(participants)
    return series


def clean_agenda(agenda) -> list[dict]:
    """Template agendas are lists of {"title", "planned_minutes"}; accept one title per line too."""
    if isinstance(agenda, str):
        agenda = [{"title": line.strip()} for line in agenda.splitlines() if line.strip()]
    cleaned = []
    for entry in agenda or []:
        title = str(entry.get("title", "")).strip()[:200]
        if not title:
            continue
        minutes = entry.get("planned_minutes")
        cleaned.append({"title": title, "planned_minutes": int(minutes) if minutes else None})
    return cleaned


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The meeting of the same series held just before this one."""
    if meeting.series_id is None:
        return None
    return (
        Meeting.objects.filter(series_id=meeting.series_id)
        .filter(Q(starts_at__lt=meeting.starts_at) | Q(starts_at=meeting.starts_at, pk__lt=meeting.pk))
        .order_by("-starts_at", "-pk")
        .first()
    )


def next_meeting(meeting: Meeting) -> Meeting | None:
    if meeting.series_id is None:
        return None
    return (
        Meeting.objects.filter(series_id=meeting.series_id)
        .filter(Q(starts_at__gt=meeting.starts_at) | Q(starts_at=meeting.starts_at, pk__gt=meeting.pk))
        .order_by("starts_at", "pk")
        .first()
    )


def _carry_agenda_item(item: AgendaItem, into: Meeting, order: int, by) -> AgendaItem:
    # What was said in a 机密 meeting stays confidential in a next meeting that is not 机密.
    confidential = item.is_confidential or (item.meeting.is_confidential and not into.is_confidential)
    carried = AgendaItem.objects.create(
        meeting=into,
        title=item.title,
        presenter=item.presenter,
        planned_minutes=item.planned_minutes,
        is_confidential=confidential,
        order=order,
        carried_from=item,
    )
    history.record(
        meeting=into, by=by, verb=MeetingLogEntry.Verb.POSTPONED, obj=carried, note=_("由上次会议顺延")
    )
    return carried


def _postponed_not_carried(meeting: Meeting):
    return meeting.agenda_items.filter(is_postponed=True, carried_to__isnull=True).select_related("presenter")


@transaction.atomic
def series_create_next_meeting(
    *, series: MeetingSeries, by=None, today: datetime.date | None = None, day: datetime.date | None = None
) -> tuple[Meeting, bool]:
    """Create the series' next meeting (or return it when it already exists): the template agenda,
    the default people, a first item "上次会议行动项回顾" when there was a meeting before, and the
    agenda items the last meeting postponed. Returns (meeting, created)."""
    from meetings.services import meeting_create  # services import this module's neighbours

    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)  # one creator at a time
    validate_rule(series)
    day = day or upcoming_date(series, today=today)
    starts_at = starts_at_on(series, day)
    zone = site_zone()
    day_start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    existing = series.meetings.filter(
        starts_at__gte=day_start, starts_at__lt=day_start + datetime.timedelta(days=1)
    ).first()
    if existing is not None:
        return existing, False
    previous = series.meetings.filter(starts_at__lt=starts_at).order_by("-starts_at", "-pk").first()
    meeting = meeting_create(
        by=by,
        series=series,
        kind=series.kind,
        title=_("%(title)s(%(month)s月%(day)s日)")
        % {"title": series.title, "month": day.month, "day": day.day},
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=series.duration_minutes),
        location=series.default_location,
        chair=series.chair,
        recorder=series.recorder,
        department=series.department,
        visibility=series.visibility,
    )
    taken = set(meeting.attendances.values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, user=user, role=Attendance.Role.PARTICIPANT)
            for user in series.participants.all()
            if user.pk not in taken
        ]
    )
    order = 1
    if previous is not None:
        AgendaItem.objects.create(
            meeting=meeting, title=str(REVIEW_TITLE), kind=AgendaItem.Kind.REVIEW, order=order
        )
        order += 1
    for entry in series.template_agenda:
        AgendaItem.objects.create(
            meeting=meeting, title=entry["title"], planned_minutes=entry.get("planned_minutes"), order=order
        )
        order += 1
    if previous is not None:
        for item in _postponed_not_carried(previous):
            _carry_agenda_item(item, meeting, order, by)
            order += 1
    return meeting, True


@transaction.atomic
def agenda_items_postpone(*, meeting: Meeting, by) -> tuple[Meeting, int]:
    """Move the agenda items marked 未讨论/顺延 to the next meeting of the series, creating that meeting
    when it does not exist yet. Items already carried are not carried twice."""
    if meeting.series_id is None:
        raise ValidationError(_("该会议不属于任何会议系列,无法顺延到下次会议。"), code="no_series")
    items = list(_postponed_not_carried(meeting))
    if not items:
        raise ValidationError(_("没有标记为“未讨论/顺延”的议程。"), code="nothing_postponed")
    target = next_meeting(meeting)
    if target is None:
        # Creating the next meeting carries the postponed items itself. It makes a meeting, so it asks
        # what 创建下次会议 asks.
        series = meeting.series
        if not policy.can_manage_series(by, series):
            raise ValidationError(
                _("本系列的下次会议还没有创建,只有系列的主持人、记录人或部门负责人可以创建并顺延。"),
                code="may_not_create",
            )
        after = timezone.localtime(meeting.starts_at, site_zone()).date()
        target, _created = series_create_next_meeting(series=series, by=by, day=next_date(series, after))
        return target, len(items)
    if not policy.can_edit_meeting(by, target):
        # Postponing writes into the next meeting: whoever does it must be able to edit that one.
        raise ValidationError(
            _("本系列的下次会议已提交审批或已发布,或您不能编辑它,议程无法顺延过去。"), code="target_locked"
        )
    order = (target.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    for item in items:
        _carry_agenda_item(item, target, order, by)
        order += 1
    return target, len(items)


def series_due_for_creation(*, today: datetime.date | None = None):
    """(series, date) pairs whose next meeting falls within the series' lead time."""
    today = today or timezone.localdate()
    for series in MeetingSeries.objects.filter(is_active=True).exclude(recurrence=""):
        try:
            validate_rule(series)
        except ValidationError:
            continue
        day = upcoming_date(series, today=today)
        if (day - today).days <= series.create_days_ahead:
            yield series, day


def calendar_rule(series: MeetingSeries) -> dict:
    """The series as an iCalendar RRULE (for calendar exports)."""
    codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    if series.recurrence == Recurrence.WEEKLY:
        return {"freq": "weekly", "byday": codes[series.weekday]}
    if series.recurrence == Recurrence.BIWEEKLY:
        return {"freq": "weekly", "interval": 2, "byday": codes[series.weekday]}
    if series.recurrence == Recurrence.MONTHLY_DAY:
        return {"freq": "monthly", "bymonthday": series.month_day}
    return {"freq": "monthly", "byday": f"{series.week_of_month}{codes[series.weekday]}"}


def series_ics(series: MeetingSeries) -> bytes:
    """The series as one recurring event from its first date, at its default time."""
    validate_rule(series)
    first = next(dates_from(series, series.first_date))
    starts_at = starts_at_on(series, first)
    cal = ics.new_calendar(series.title)
    event = Event()
    event.add("uid", f"series-{series.pk}@{ics.host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + datetime.timedelta(minutes=series.duration_minutes))
    event.add("summary", series.title)
    event.add("rrule", calendar_rule(series))
    if series.default_location:
        event.add("location", series.default_location)
    agenda = "\n".join(f"{n}. {entry['title']}" for n, entry in enumerate(series.template_agenda, 1))
    url = settings.SITE_URL + series.get_absolute_url()
    event.add("description", (_("默认议程") + ":\n" + agenda + "\n\n" if agenda else "") + url)
    if series.chair_id:
        event.add("organizer", ics.address(series.chair))
    for user in series.participants.all():
        event.add("attendee", ics.address(user, "REQ-PARTICIPANT"))
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
