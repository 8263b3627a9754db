import hashlib

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actions import selectors
from actions.models import ActionItem
from actions.policy import ActionAccess, access
from config.errors import NotFound


def get_action_for_user(request, action_id: int) -> tuple[ActionItem, ActionAccess]:
    """The item and the user's access to it. 404 both when it is missing and when the user may not
    see it, so guessing IDs reveals nothing."""
    action = selectors.action_for_detail(action_id=action_id)
    if action is None:
        raise NotFound(_("行动项不存在,或您没有权限。"))
    item_access = access(request.user, action)
    if not item_access.can_view:
        raise NotFound(_("行动项不存在,或您没有权限。"))
    return action, item_access


def content_version(item: ActionItem, *extra) -> str:
    """A hash of what a list row shows of an item: its own values (fields and annotations), its
    meeting and owners, the language and the time zone, plus `extra` (the day, the viewer's roles…).

    Rows are cached under it ({% cache %} in the list templates, the in-process `template_fragments`
    cache): rendering them is most of a list page's cost. Whenever anything shown changes, so does the
    key, so nothing ever has to be invalidated; old entries simply expire. Owners must be prefetched."""
    meeting = item.meeting
    own = [(name, value) for name, value in vars(item).items() if not name.startswith("_")]
    shown = (
        sorted((name, value) for name, value in own if name not in ("access", "row_version")),
        (meeting.pk, meeting.title, meeting.starts_at) if meeting else None,
        [(owner.role, owner.owner_name) for owner in item.owners.all()],
        get_language(),
        timezone.get_current_timezone_name(),
        extra,
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()
