"""The private feed of the meetings a user attends, and the page that shows and resets its URL.

The feed shares its token with the action-item feed (actions.CalendarFeed: resetting one resets both),
so its views live here; config/urls.py mounts them under /meetings/calendar/, where calendar apps
subscribe (namespace `meetings_calendar`)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from actions.views import links
from meetings import calendar


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """The subscription URL of the meetings one attends (resetting it resets the deadlines feed too)."""
    return links.feed_settings(
        request,
        url_of=lambda feed: feed_url(feed.token),
        template="meetings/calendar.html",
        back="meetings_calendar:calendar",
    )


@require_GET
def calendar_feed(request, token: str):
    return links.feed_file(token, build=calendar.build_feed, filename="my-meetings.ics")


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("meetings_calendar:calendar_feed", args=[token])


urlpatterns = (
    [
        path("", calendar_settings, name="calendar"),
        path("<str:token>.ics", calendar_feed, name="calendar_feed"),
    ],
    "meetings_calendar",
)
