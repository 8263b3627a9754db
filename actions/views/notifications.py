"""站内通知: the user's own notifications; someone else's answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from actions import notifications
from actions.models import Notification

PAGE_SIZE = 20


@login_required
@require_GET
def notification_list(request):
    page = Paginator(notifications.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "actions/notifications.html", {"nav_section": "notifications", "page": page})


@login_required
@require_GET
def notification_open(request, notification_id: int):
    """Opening a notification marks it read and goes to its item."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications.notification_mark_read(notification=notification)
    if notification.action_id:
        return redirect("actions:detail", notification.action_id)
    return redirect("actions:notifications")


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications.notification_mark_read(notification=notification)
    return redirect("actions:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext("已将 %(count)d 条通知标记为已读。", "已将 %(count)d 条通知标记为已读。", count)
            % {"count": count},
        )
    return redirect("actions:notifications")
