"""Who may see and change a meeting. Every view and selector asks here."""

from django.db.models import Q

from meetings.models import Meeting


def visibility_q(user) -> Q:
    """The meetings a user may see, as a filter. Open meetings are visible to every signed-in user;
    an internal (confidential) one only to the people involved in it."""
    if user.is_superuser or user.is_staff:
        return Q()
    involved = (
        Q(chair=user)
        | Q(recorder=user)
        | Q(created_by=user)
        | Q(attendances__user=user)
        | Q(action_items__owners__user=user)
        | Q(action_items__owners__department__head=user)
    )
    if user.department_id:
        involved |= Q(department_id=user.department_id)
    involved |= Q(department__head=user)
    return Q(is_confidential=False) | involved


def can_view_meeting(user, meeting: Meeting) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Meeting.objects.filter(visibility_q(user), pk=meeting.pk).exists()


def can_edit_meeting(user, meeting: Meeting) -> bool:
    """The chair, the recorder, whoever created it, the organising department's head, or staff may edit
    the minutes until they are published."""
    if not user.is_authenticated or not user.is_active:
        return False
    if meeting.status == Meeting.Status.PUBLISHED:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if user.pk in (meeting.chair_id, meeting.recorder_id, meeting.created_by_id):
        return True
    return meeting.department_id is not None and meeting.department.head_id == user.pk
