"""Shared by the reminder tests: moments in Beijing time, as the server (in UTC) sees them."""

import datetime
import zoneinfo

import time_machine

from actions.models import Reminder
from actions.reminders import planning

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = zoneinfo.ZoneInfo("UTC")
MONDAY = datetime.date(2026, 3, 16)


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def beijing(on: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A Beijing wall-clock moment expressed in UTC: time-machine then runs the process in UTC."""
    return datetime.datetime.combine(on, datetime.time(hour, minute), SHANGHAI).astimezone(UTC)


def plan_at(on: datetime.date, hour: int = 9, minute: int = 0) -> planning.PlanResult:
    with time_machine.travel(beijing(on, hour, minute), tick=False):
        return planning.plan()


def rows(**filters) -> list[tuple]:
    """(kind, recipient name, slot) of the planned rows, sorted."""
    return sorted(
        (r.kind, r.recipient.name, r.slot)
        for r in Reminder.objects.filter(**filters).select_related("recipient")
    )
