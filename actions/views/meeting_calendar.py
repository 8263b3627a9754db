"""The private feed of the meetings a user attends, and the page that shows and resets its URL.

The feed shares its token with the action-item feed (actions.CalendarFeed: resetting one resets both),
so its views live here; config/urls.py mounts them under /meetings/calendar/, where calendar apps
subscribe (namespace `meetings_calendar`)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from actions import calendar as action_calendar
from config.errors import NotFound
from meetings import calendar


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """POST replaces the token: the old URL (this feed and the action-item feed) stops working."""
    if request.method == "POST":
        action_calendar.calendar_feed_reset(user=request.user)
        messages.success(request, _("订阅链接已重置,旧链接已失效。请在日历中用新链接重新订阅。"))
        return redirect("meetings_calendar:calendar")
    feed = action_calendar.calendar_feed_for(user=request.user)
    url = feed_url(feed.token)
    context = {"feed": feed, "feed_url": url, "webcal_url": action_calendar.webcal_url(url)}
    return render(request, "meetings/calendar.html", context)


@require_GET
def calendar_feed(request, token: str):
    """No login: calendar apps cannot log in. The unguessable token is the credential."""
    feed = action_calendar.feed_by_token(token)
    if feed is None:
        raise NotFound(_("日历订阅链接无效或已被重置。"))
    response = HttpResponse(calendar.build_feed(user=feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="my-meetings.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("meetings_calendar:calendar_feed", args=[token])


urlpatterns = (
    [
        path("", calendar_settings, name="calendar"),
        path("<str:token>.ics", calendar_feed, name="calendar_feed"),
    ],
    "meetings_calendar",
)
