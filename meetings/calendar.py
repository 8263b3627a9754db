""".ics for meetings: one meeting (download and invitation attachment), a series as a recurring
event, and each user's private feed of the meetings they attend.

Times carry TZID=Asia/Shanghai with its VTIMEZONE, so Outlook, Foxmail and DingTalk show the meeting
at the right hour wherever the reader is. The feed uses the same private, revocable token as the
action-item feed (actions.calendar): one credential per user, reset in one place.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from meetings import policy
from meetings.models import Attendance, Meeting

# The feed shows meetings from this long ago onwards; older ones stay in calendars that already have them.
FEED_PAST = datetime.timedelta(days=60)


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def new_calendar(name: str, *, method: str = "PUBLISH") -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//minutes//meetings//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _local(value: datetime.datetime) -> datetime.datetime:
    """In the site's zone, so the file says TZID=Asia/Shanghai rather than UTC."""
    return timezone.localtime(value, timezone.get_default_timezone())


def address(user, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}" if user.email else f"urn:uuid:user-{user.pk}@{host()}")
    address.params["cn"] = vText(user.name)
    if role:
        address.params["role"] = vText(role)
    return address


def agenda_summary(meeting: Meeting, *, full: bool) -> str:
    """Numbered agenda titles, without confidential items unless `full`. Uses prefetched items."""
    items = sorted(meeting.agenda_items.all(), key=lambda item: (item.day, item.order, item.pk))
    if not full:
        items = [item for item in items if not policy.agenda_item_is_confidential(item)]
    return "\n".join(f"{n}. {item.title}" for n, item in enumerate(items, 1))


def meeting_event(meeting: Meeting, *, full: bool, stamp: datetime.datetime | None = None) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{host()}")
    event.add("dtstamp", stamp or timezone.now())
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", _local(meeting.starts_at))
    event.add("dtend", _local(meeting.ends_at or meeting.starts_at + datetime.timedelta(hours=1)))
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    url = settings.SITE_URL + meeting.get_absolute_url()
    lines = []
    agenda = agenda_summary(meeting, full=full)
    if agenda:
        lines += [_("会议议程") + ":", agenda, ""]
    lines.append(_("会议页面") + ":" + url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    if meeting.is_confidential:
        event.add("class", "CONFIDENTIAL")
    if meeting.chair_id:
        event.add("organizer", address(meeting.chair))
    for attendance in meeting.attendances.all():
        if attendance.user_id is None:
            continue
        role = "CHAIR" if attendance.role == Attendance.Role.CHAIR else "REQ-PARTICIPANT"
        if attendance.role in (Attendance.Role.OBSERVER, Attendance.Role.GUEST):
            role = "OPT-PARTICIPANT"
        event.add("attendee", address(attendance.user, role))
    return event


def _meetings_for_ics():
    return Meeting.objects.with_people().prefetch_related("attendances__user", "agenda_items")


def meeting_ics(
    meeting: Meeting, *, full: bool, method: str = "PUBLISH", language: str | None = None
) -> bytes:
    """The .ics of one meeting. `full` is policy.can_see_confidential for whoever receives it."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        cal = new_calendar(meeting.title, method=method)
        cal.add_component(meeting_event(meeting, full=full))
        cal.add_missing_timezones()
        return cal.to_ical()


def attended_meetings(*, user, now: datetime.datetime | None = None):
    """The meetings in a user's feed: those they chair, record or are invited to, from two months ago."""
    since = (now or timezone.now()) - FEED_PAST
    attends = Attendance.objects.filter(meeting=OuterRef("pk"), user=user)
    return (
        _meetings_for_ics()
        .filter(Q(chair=user) | Q(recorder=user) | Q(Exists(attends)), starts_at__gte=since)
        .order_by("starts_at", "pk")
    )


def build_feed(*, user) -> bytes:
    stamp = timezone.now()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        cal = new_calendar(_("我的会议"))
        cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
        meetings = list(attended_meetings(user=user))
        for meeting in meetings:
            # Chairs, recorders and attendees all have full access (policy.FULL_ACCESS).
            cal.add_component(meeting_event(meeting, full=True, stamp=stamp))
        cal.add_missing_timezones()
        return cal.to_ical()
