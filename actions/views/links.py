"""Signed one-click links from reminder e-mails, and the private calendar feed.

A link never acts on GET: mail scanners and link previews open every link in an e-mail. GET shows what
the link will do and a confirm button; the POST re-checks everything and then acts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from actions import calendar, links, selectors
from actions.forms import CompleteForm, ProgressForm
from actions.models import ActionItem, Status
from actions.policy import access
from config.errors import NotFound

# The link's page asks in its own words; the form and its checks are the item page's (ProgressForm).
PROGRESS_LABELS = {
    "progress_label": gettext_lazy("当前进度(%)"),
    "note_label": gettext_lazy("进展说明(可选)"),
}


def _error_page(request, kind: str, *, status: int, action_id: int | None = None, message: str = ""):
    context = {
        "kind": kind,
        "message": message,
        "item_url": reverse("actions:detail", args=[action_id]) if action_id else None,
    }
    return render(request, "actions/link_error.html", context, status=status)


_LINK_ERRORS = {
    links.LinkInvalid: ("invalid", 400),
    links.LinkExpired: ("expired", 410),
    links.LinkUsed: ("used", 410),
}


def _closed_message(action: ActionItem, purpose: str) -> str:
    """Why the link has nothing left to do, or "" when it still applies."""
    if purpose == links.COMPLETE and action.status == Status.DONE:
        return _("该事项已经标记为完成,无需再次操作。")
    if purpose == links.COMPLETE and action.status == Status.CANCELLED:
        return _("该事项已取消,不能再标记为完成。")
    if purpose == links.PROGRESS and not action.is_open and action.status != Status.ON_HOLD:
        return _("该事项%(status)s,不能再更新进度。") % {"status": action.get_status_display()}
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def signed_link(request, token: str):
    try:
        intent = links.read_link(token)
    except links.LinkError as error:
        kind, status = _LINK_ERRORS[type(error)]
        return _error_page(request, kind, status=status, action_id=error.action_id)
    if intent.user_id != request.user.pk:
        return _error_page(request, "other_user", status=403)

    action = selectors.action_for_detail(action_id=intent.action_id)
    item_access = access(request.user, action) if action else None
    if item_access is None or not item_access.can_view:
        return _error_page(request, "gone", status=404)
    if intent.purpose == links.COMPLETE and not item_access.can_complete:
        raise PermissionDenied(_("只有牵头人、会议主持人或部门负责人可以标记完成。"))
    if intent.purpose == links.PROGRESS and not item_access.can_update_progress:
        raise PermissionDenied(_("您不是该事项的责任人,不能更新进度。"))
    closed = _closed_message(action, intent.purpose)
    if closed:
        status = 409 if request.method == "POST" else 200
        return _error_page(request, "closed", status=status, action_id=action.pk, message=closed)

    form_class = CompleteForm if intent.purpose == links.COMPLETE else ProgressForm
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                action = links.link_use(
                    intent=intent,
                    action=action,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    progress=form.cleaned_data.get("progress"),
                )
            except links.LinkUsed:
                return _error_page(request, "used", status=410, action_id=action.pk)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(
                    request, "actions/link_done.html", {"action": action, "purpose": intent.purpose}
                )
        status = 400
    else:
        form = form_class(initial={"progress": action.progress})
    context = {"action": action, "form": form, "purpose": intent.purpose, **PROGRESS_LABELS}
    return render(request, "actions/link_confirm.html", context, status=status)


def feed_settings(request, *, url_of, template: str, back: str):
    """A private feed's subscription page. POST replaces the user's token, which every feed of theirs
    shares (this one and the meetings feed), so the old URLs stop working."""
    if request.method == "POST":
        calendar.calendar_feed_reset(user=request.user)
        messages.success(request, _("订阅链接已重置,旧链接已失效。请在日历中用新链接重新订阅。"))
        return redirect(back)
    feed = calendar.calendar_feed_for(user=request.user)
    feed_url = url_of(feed)
    context = {"feed": feed, "feed_url": feed_url, "webcal_url": calendar.webcal_url(feed_url)}
    return render(request, template, context)


def feed_file(token: str, *, build, filename: str) -> HttpResponse:
    """No login: calendar apps cannot log in. The unguessable token is the credential."""
    feed = calendar.feed_by_token(token)
    if feed is None:
        raise NotFound(_("日历订阅链接无效或已被重置。"))
    response = HttpResponse(build(user=feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The feed names the user's work: keep it out of shared caches.
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """The user's private subscription URL for their deadlines."""
    return feed_settings(
        request, url_of=calendar.feed_url, template="actions/calendar.html", back="actions:calendar"
    )


@require_GET
def calendar_feed(request, token: str):
    return feed_file(token, build=calendar.build_feed, filename="my-actions.ics")
