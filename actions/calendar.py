"""A private, revocable .ics feed of the deadlines a user answers for.

Calendar apps (Outlook, 钉钉, 飞书, Apple) subscribe by URL and cannot log in, so the URL carries a long
random token. Resetting the token is how a user revokes a leaked link.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from actions.models import ActionItem, CalendarFeed, Occurrence, local_today, new_feed_token
from meetings.templatetags.minutes import colon, long_date

# Recurring items show their following occurrences this far ahead; the rest appear as time passes.
OCCURRENCE_HORIZON = datetime.timedelta(days=90)


def calendar_feed_for(*, user) -> CalendarFeed:
    """The user's feed, created on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """Give the feed a new token: the old URL answers 404 from now on."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": new_feed_token(), "created_at": timezone.now()}
    )
    return feed


def feed_by_token(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL + reverse("actions:calendar_feed", args=[feed.token])


def webcal_url(url: str) -> str:
    """The same URL with the webcal:// scheme, which opens the system's calendar app to subscribe."""
    return "webcal://" + url.split("://", 1)[1]


def feed_actions(*, user, today: datetime.date | None = None):
    """Open, dated items the user answers for, with the meeting and the coming undelivered occurrences
    of recurring items. Three queries whatever the number of items."""
    horizon = (today or local_today()) + OCCURRENCE_HORIZON
    upcoming = Occurrence.objects.filter(delivered_at__isnull=True, due_date__lte=horizon).order_by(
        "due_date"
    )
    ids = ActionItem.objects.owned_by(user).open().filter(due_date__isnull=False).values("pk")
    return (
        ActionItem.objects.filter(pk__in=ids)
        .select_related("meeting")
        .prefetch_related(Prefetch("occurrences", queryset=upcoming, to_attr="upcoming_occurrences"))
        .order_by("due_date", "pk")
    )


def _description(action: ActionItem, due: datetime.date, url: str) -> str:
    sep = colon()
    lines = []
    if action.meeting:
        lines.append(f"{_('来源会议')}{sep}{action.meeting.title}({long_date(action.meeting.starts_at)})")
    deadline = long_date(due)
    if action.deadline_is_estimate:
        deadline += _("(预计)")
    lines.append(f"{_('完成时限')}{sep}{deadline}")
    if action.deadline_text:
        lines.append(f"{_('时限原文')}{sep}{action.deadline_text}")
    lines.append(f"{_('当前进度')}{sep}{action.get_status_display()} {action.progress}%")
    view_label = _("查看与更新")  # outside the f-string so that makemessages finds it
    lines.append(f"{view_label}{sep}{url}")
    return "\n".join(lines)


def _event(action: ActionItem, *, uid: str, due: datetime.date, url: str, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", action.updated_at)
    # All-day: a deadline is a date in Asia/Shanghai, not a moment, so it must not shift with time zones.
    event.add("dtstart", due)
    event.add("dtend", due + datetime.timedelta(days=1))
    event.add("summary", action.title)
    event.add("description", _description(action, due, url))
    event.add("url", url)
    # A deadline does not make the owner busy that day.
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(*, user, today: datetime.date | None = None) -> bytes:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = timezone.now()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        cal = Calendar()
        cal.add("prodid", "-//minutes//actions calendar//ZH")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", _("我的行动项"))
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        # Ask subscribing apps to refresh hourly; most default to a day or more.
        cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
        for action in feed_actions(user=user, today=today):
            url = settings.SITE_URL + action.get_absolute_url()
            cal.add_component(
                _event(action, uid=f"action-{action.pk}@{host}", due=action.due_date, url=url, stamp=stamp)
            )
            for occurrence in action.upcoming_occurrences:
                if occurrence.due_date <= action.due_date:
                    continue  # the item's own event is its next occurrence
                uid = f"action-{action.pk}-{occurrence.due_date:%Y%m%d}@{host}"
                cal.add_component(_event(action, uid=uid, due=occurrence.due_date, url=url, stamp=stamp))
    return cal.to_ical()
