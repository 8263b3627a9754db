"""Template helpers for how dates and deadlines read: 2026年11月22日 (周日), 还有3天, 逾期5天."""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_noop, ngettext, pgettext
from django.utils.translation import gettext as _

register = template.Library()

# Literal calls so that makemessages finds them.
WEEKDAYS = (
    gettext_noop("周一"),
    gettext_noop("周二"),
    gettext_noop("周三"),
    gettext_noop("周四"),
    gettext_noop("周五"),
    gettext_noop("周六"),
    gettext_noop("周日"),
)


def _weekday(day: datetime.date) -> str:
    return _(WEEKDAYS[day.weekday()])


@register.simple_tag
def colon() -> str:
    """The label colon: full-width in Chinese (责任人:王芳), ": " in English (Owner: 王芳)."""
    return ":" if (get_language() or "zh-hans").startswith("zh") else ": "


@register.filter
def enumeration(values) -> str:
    """王芳、张伟 in Chinese, "王芳, 张伟" in English."""
    return pgettext("list separator", "、").join(str(value) for value in values)


@register.filter
def long_date(value) -> str:
    """A date (or datetime, in local time) with its weekday: 2026年11月22日 (周日)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return f"{formats.date_format(value, 'DATE_FORMAT')} ({_weekday(value)})"


@register.filter
def long_datetime(value) -> str:
    """2026年3月10日 (周二) 14:00"""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{long_date(local)} {local:%H:%M}"


@register.simple_tag
def time_range(starts_at, ends_at) -> str:
    """2026年3月10日 (周二) 14:00–18:00, or both full dates when the meeting runs over several days."""
    if not ends_at:
        return long_datetime(starts_at)
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        return f"{long_datetime(start)}–{end:%H:%M}"
    return f"{long_datetime(start)} – {long_datetime(end)}"


@register.filter
def due_phrase(action) -> str:
    """还有3天 / 今天到期 / 明天到期 / 逾期5天, for open items with a date."""
    days = action.days_left
    if days is None:
        return ""
    if days < 0:
        return ngettext("逾期%(days)s天", "逾期%(days)s天", -days) % {"days": -days}
    if days == 0:
        return _("今天到期")
    if days == 1:
        return _("明天到期")
    return ngettext("还有%(days)s天", "还有%(days)s天", days) % {"days": days}


@register.filter
def owner_names(owners) -> str:
    """The names of ActionOwner rows as a list: 王芳、市场部."""
    return enumeration(owner.owner_name for owner in owners)


@register.filter
def owners_by_role(action, role: str) -> str:
    """Owner names for one role, from prefetched owners."""
    return owner_names(owner for owner in action.owners.all() if owner.role == role)
