from django.http import Http404
from django.utils.translation import gettext as _

from actions import selectors
from actions.models import ActionItem
from actions.policy import ActionAccess, access


def get_action_for_user(request, action_id: int) -> tuple[ActionItem, ActionAccess]:
    """The item and the user's access to it. 404 both when it is missing and when the user may not
    see it, so guessing IDs reveals nothing."""
    action = selectors.action_for_detail(action_id=action_id)
    if action is None:
        raise Http404(_("行动项不存在,或您没有权限。"))
    item_access = access(request.user, action)
    if not item_access.can_view:
        raise Http404(_("行动项不存在,或您没有权限。"))
    return action, item_access
