"""The minutes editor's endpoints that are only about action items: an item's owners changed in place
(the owner chips of its block) and the preview of a deadline wording as it is typed. The rest of the
editor is meetings/views/editor.py; the action block itself is actions/minutes.py.

Both ask the editor's meeting check first (meetings.views.editor.editable_meeting: 404 for a meeting
the user may not edit, 401 for an expired login); changing owners then asks the item's own policy.
"""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from actions import minutes, policy, services
from actions.models import ActionItem
from meetings.editing import Payload
from meetings.views.editor import editable_meeting, json_login_required


@require_POST
@json_login_required
def set_owners(request, meeting_id: int, action_id: int):
    meeting = editable_meeting(request, meeting_id)
    action = (
        ActionItem.objects.filter(pk=action_id, meeting=meeting)
        .prefetch_related(minutes.action_owners_prefetch())
        .first()
    )
    if action is None:
        return JsonResponse({"error": _("此行动项已被删除。")}, status=410)
    action.meeting = meeting
    if not policy.access(request.user, action).can_edit:
        return JsonResponse({"error": _("您没有权限进行此项操作。")}, status=403)
    try:
        owners = minutes.owners_from_chips(Payload.of(request).get("owners"))
        services.owners_set(action=action, by=request.user, owners=owners, reason=_("会议记录中修改"))
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True})


@require_GET
@json_login_required
def deadline_preview(request, meeting_id: int):
    meeting = editable_meeting(request, meeting_id)
    return JsonResponse(minutes.deadline_info(request.GET.get("text", "")[:100], meeting))
