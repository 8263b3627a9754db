"""提醒设置: how the signed-in user wants to be reminded (individual reminders or the weekly digest
only, e-mail and group robots on or off, time zone). The in-app bell is always on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from actions.forms import ReminderPreferenceForm
from actions.reminders import preferences, rules


@login_required
@require_http_methods(["GET", "POST"])
def reminder_preferences(request):
    preference = preferences.preference_for(request.user)
    form = ReminderPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preferences.reminder_preference_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("提醒设置已保存。"))
        return redirect("actions:reminder_preferences")
    return render(
        request,
        "actions/reminder_preferences.html",
        {"form": form, "has_email": bool(request.user.email), "send_hour": rules.conf("SEND_HOUR")},
    )
