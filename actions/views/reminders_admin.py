"""提醒记录: every reminder and its robot deliveries, for administrators; resend the failed ones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from actions import channel_policy, channels
from actions.models import Reminder
from actions.reminders.log import ReminderLogFilter, reminders_for_log
from config.errors import NotFound
from config.redirects import next_url

PAGE_SIZE = 50


def _require_admin(request):
    if not channel_policy.can_view_reminder_log(request.user):
        raise NotFound(_("页面不存在。"))


@login_required
@require_GET
def reminder_log(request):
    _require_admin(request)
    filterset = ReminderLogFilter(request.GET or None, queryset=reminders_for_log())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "actions/reminders_admin.html", {"nav_section": "robots", "filter": filterset, "page": page}
    )


@login_required
@require_POST
def reminder_resend(request, reminder_id: int):
    _require_admin(request)
    reminder = get_object_or_404(Reminder, pk=reminder_id)
    if channels.reminder_resend(reminder=reminder, by=request.user):
        messages.success(
            request,
            _("已重新安排发送:%(title)s → %(name)s。")
            % {"title": reminder.action.title, "name": reminder.recipient.name},
        )
    else:
        messages.info(request, _("这条提醒没有发送失败的记录,无需重新发送。"))
    return redirect(next_url(request, reverse("actions:reminders")))
