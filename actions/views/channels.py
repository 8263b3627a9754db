"""群机器人设置: administrators manage every robot, department heads those of their departments.
Anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions import channel_policy, channels
from actions.channel_forms import RobotChannelForm
from config.errors import NotFound


def _require_manager(request):
    if not channel_policy.can_manage_channels(request.user):
        raise NotFound(_("页面不存在。"))


def _channel_for(request, channel_id: int):
    _require_manager(request)
    return get_object_or_404(channel_policy.channels_for_manager(request.user), pk=channel_id)


@login_required
@require_GET
def channel_list(request):
    _require_manager(request)
    robots = channel_policy.channels_for_manager(request.user).select_related("department", "series")
    return render(request, "actions/channels.html", {"nav_section": "robots", "channels": robots})


# The webhook and its secret are credentials: kept out of error reports too.
@sensitive_post_parameters("webhook_url", "secret")
@login_required
@require_http_methods(["GET", "POST"])
def channel_create(request):
    _require_manager(request)
    form = RobotChannelForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        channel = channels.robot_channel_save(channel=form.save(commit=False), by=request.user)
        messages.success(request, _("已添加群机器人“%(name)s”。") % {"name": channel.name})
        return redirect("actions:channels")
    return render(request, "actions/channel_form.html", {"nav_section": "robots", "form": form})


@sensitive_post_parameters("webhook_url", "secret")
@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request, channel_id: int):
    channel = _channel_for(request, channel_id)
    form = RobotChannelForm(request.POST or None, instance=channel, user=request.user)
    if request.method == "POST" and form.is_valid():
        channels.robot_channel_save(channel=form.save(commit=False), by=request.user)
        messages.success(request, _("已保存群机器人“%(name)s”。") % {"name": channel.name})
        return redirect("actions:channels")
    return render(
        request, "actions/channel_form.html", {"nav_section": "robots", "form": form, "channel": channel}
    )


@login_required
@require_POST
def channel_test(request, channel_id: int):
    channel = _channel_for(request, channel_id)
    result = channels.robot_channel_test(channel=channel, by=request.user)
    text = _("“%(name)s”:%(result)s") % {"name": channel.name, "result": result.message}
    (messages.success if result.ok else messages.error)(request, text)
    return redirect("actions:channels")


@login_required
@require_POST
def channel_delete(request, channel_id: int):
    channel = _channel_for(request, channel_id)
    name = channel.name
    channels.robot_channel_delete(channel=channel, by=request.user)
    messages.success(request, _("已删除群机器人“%(name)s”。") % {"name": name})
    return redirect("actions:channels")
