"""Changes made on the item page by editors and deciders: put on hold, cancel, resume, reassign,
approve or reject a new deadline; and delivering one occurrence of a recurring item (owners)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions import services
from actions.forms import DeadlineDecideForm, OwnersForm, StatusForm
from actions.models import DeadlineChange, Occurrence, Status
from actions.views.common import get_action_for_user
from actions.views.items import apply_change, may_not_report
from meetings.templatetags.minutes import long_date


def may_not_edit() -> PermissionDenied:
    return PermissionDenied(_("只有会议主持人、记录人或责任部门负责人可以修改该行动项。"))


@login_required
@require_POST
def action_status(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_edit:
        raise may_not_edit()

    def change(data):
        services.action_set_status(
            action=action, by=request.user, status=data["status"], reason=data["reason"]
        )
        return {
            Status.ON_HOLD: _("行动项已搁置。"),
            Status.CANCELLED: _("行动项已取消。"),
            Status.IN_PROGRESS: _("行动项已恢复,继续跟进。"),
        }[data["status"]]

    form = StatusForm(request.POST)
    return apply_change(request, action, item_access, kind="status", form=form, change=change)


@login_required
@require_POST
def action_owners(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_edit:
        raise may_not_edit()
    form = OwnersForm(request.POST, action=action)

    def change(data):
        services.owners_set(action=action, by=request.user, owners=form.owners(), reason=data["reason"])
        return _("责任人已更新。")

    return apply_change(request, action, item_access, kind="owners", form=form, change=change)


@login_required
@require_POST
def deadline_decide(request, change_id: int):
    deadline_change = get_object_or_404(DeadlineChange, pk=change_id)
    action, item_access = get_action_for_user(request, deadline_change.action_id)
    if not item_access.can_decide_deadline:
        raise PermissionDenied(_("只有会议主持人或责任部门负责人可以审批延期申请。"))

    def change(data):
        approve = data["decision"] == "approve"
        services.deadline_change_decide(
            change=deadline_change, by=request.user, approve=approve, note=data["note"]
        )
        date = long_date(deadline_change.new_due_date)
        if approve:
            return _("已批准延期,完成时限改为 %(date)s。") % {"date": date}
        return _("已驳回延期申请,完成时限不变。")

    form = DeadlineDecideForm(request.POST)
    return apply_change(request, action, item_access, kind="decide", form=form, change=change)


@login_required
@require_POST
def occurrence_deliver(request, occurrence_id: int):
    occurrence = get_object_or_404(Occurrence, pk=occurrence_id)
    action, item_access = get_action_for_user(request, occurrence.action_id)
    if not item_access.can_update_progress:
        raise may_not_report()

    def change(data):
        services.occurrence_deliver(occurrence=occurrence, by=request.user)
        return _("%(date)s 这一期已标记为已交付。") % {"date": long_date(occurrence.due_date)}

    form = forms.Form(request.POST)  # nothing to fill in; keeps the one answer path
    return apply_change(request, action, item_access, kind="deliver", form=form, change=change)
