"""Who may configure group robots and see the reminder log.

Administrators (staff) manage every robot. A department head manages the robots of the departments they
head (and those below them) and of the meeting series those departments organise. Everyone else gets 404
on these pages.
"""

from django.db.models import Q

from actions.models import RobotChannel
from meetings.models import Department, MeetingSeries


def is_admin(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)


def managed_departments(user) -> set[int]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return Department.managed_by(user)


def can_manage_channels(user) -> bool:
    return is_admin(user) or bool(managed_departments(user))


def channels_for_manager(user):
    """The robots this user may see and change."""
    if is_admin(user):
        return RobotChannel.objects.all()
    departments = managed_departments(user)
    if not departments:
        return RobotChannel.objects.none()
    return RobotChannel.objects.filter(Q(department__in=departments) | Q(series__department__in=departments))


def departments_for_manager(user):
    if is_admin(user):
        return Department.objects.all()
    return Department.objects.filter(pk__in=managed_departments(user))


def series_for_manager(user):
    if is_admin(user):
        return MeetingSeries.objects.all()
    return MeetingSeries.objects.filter(department__in=managed_departments(user))


def can_view_reminder_log(user) -> bool:
    """The reminders page lists every recipient's reminders: administrators only."""
    return is_admin(user)
