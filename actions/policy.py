"""Who may see and change an action item. Views ask here, never inline."""

from actions.models import ActionItem
from meetings.policy import can_view_meeting


def answers_for(user, action: ActionItem) -> bool:
    """The user owns the item, directly or as head of an owning department."""
    return any(
        owner.user_id == user.pk or (owner.department_id and owner.department.head_id == user.pk)
        for owner in action.owners.all()
    )


def can_update_action(user, action: ActionItem) -> bool:
    """Owners (or the head of an owning department), the source meeting's chair, and staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if action.meeting_id and action.meeting.chair_id == user.pk:
        return True
    return answers_for(user, action)


def can_view_action(user, action: ActionItem) -> bool:
    if can_update_action(user, action):
        return True
    return action.meeting_id is not None and can_view_meeting(user, action.meeting)
