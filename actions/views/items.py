from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions import selectors, services
from actions.forms import CompleteForm
from actions.models import ActionItem
from actions.policy import access
from actions.views.common import get_action_for_user


@login_required
def my_actions(request):
    open_items = list(selectors.my_open_actions(user=request.user))
    context = {
        "overdue": [a for a in open_items if a.is_overdue],
        "upcoming": [a for a in open_items if not a.is_overdue],
        "completed": selectors.my_recently_completed(user=request.user),
        "complete_form": CompleteForm(),
    }
    return render(request, "actions/my_actions.html", context)


def _render_detail(request, action: ActionItem, complete_form: CompleteForm | None = None, status: int = 200):
    context = {
        "action": action,
        "access": access(request.user, action),
        "can_update": access(request.user, action).can_complete,
        "complete_form": complete_form or CompleteForm(),
    }
    return render(request, "actions/action_detail.html", context, status=status)


@login_required
def action_detail(request, action_id: int):
    action, _access = get_action_for_user(request, action_id)
    return _render_detail(request, action)


@login_required
@require_POST
def action_complete(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_complete:
        raise PermissionDenied(_("只有牵头人、会议主持人或部门负责人可以标记完成。"))
    form = CompleteForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = action.get_absolute_url()
    if not form.is_valid():
        # Show the item with the note still in the box and the reason next to it.
        return _render_detail(request, action, complete_form=form, status=400)
    try:
        services.action_complete(action=action, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(title)s”已标记为完成。") % {"title": action.title})
    return redirect(next_url)


# Being written: inline updates from 我的行动项 and the item page.
def _todo(request, **kwargs):
    raise Http404


action_progress = action_note = deadline_request = action_status = action_owners = _todo
deadline_decide = occurrence_deliver = attachment = _todo
