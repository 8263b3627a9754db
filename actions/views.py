from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions import selectors, services
from actions.forms import CompleteForm
from actions.models import ActionItem
from actions.policy import can_update_action, can_view_action


def get_action_for_user(request, action_id: int, *, for_update: bool = False) -> ActionItem:
    """404 both when the item is missing and when the user may not see or change it: no hint either way."""
    action = selectors.action_for_detail(action_id=action_id)
    allowed = action is not None and (
        can_update_action(request.user, action) if for_update else can_view_action(request.user, action)
    )
    if not allowed:
        raise Http404(_("行动项不存在,或您没有权限。"))
    return action


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
        "can_update": can_update_action(request.user, action),
        "complete_form": complete_form or CompleteForm(),
    }
    return render(request, "actions/action_detail.html", context, status=status)


@login_required
def action_detail(request, action_id: int):
    return _render_detail(request, get_action_for_user(request, action_id))


@login_required
@require_POST
def action_complete(request, action_id: int):
    action = get_action_for_user(request, action_id, for_update=True)
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
