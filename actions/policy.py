"""Who may see and change an action item. Views, tasks and templates ask here, never inline.

Roles on an item:
- LEAD: a person lead owner, or the head of a department that leads it;
- SUPPORT: a person support owner, or the head of a supporting department;
- MANAGER: the source meeting's chair, the head of a department that owns the item or employs a person
  owner (or a department above it), and staff. Managers decide deadline changes;
- EDITOR: managers, plus the meeting's recorder until the minutes are published.

Owners update progress and add notes; leads mark done; editors change everything.
"""

from functools import cached_property

from actions.models import ActionItem, ActionOwner
from meetings.models import Department, Meeting, User
from meetings.policy import can_view_meeting

LEAD, SUPPORT, MANAGER, EDITOR = "lead", "support", "manager", "editor"


class ActionAccess:
    """The roles one user has on one item. Uses prefetched owners (with user and department)."""

    def __init__(self, user, action: ActionItem, managed_departments: set[int] | None = None):
        self.user = user
        self.action = action
        self._managed = managed_departments

    @cached_property
    def managed_departments(self) -> set[int]:
        return self._managed if self._managed is not None else Department.managed_by(self.user)

    @cached_property
    def roles(self) -> frozenset[str]:
        user, action = self.user, self.action
        if not user.is_authenticated or not user.is_active:
            return frozenset()
        roles = set()
        for owner in action.owners.all():
            answers = owner.user_id == user.pk or (
                owner.department_id and owner.department.head_id == user.pk
            )
            if answers:
                roles.add(LEAD if owner.role == ActionOwner.Role.LEAD else SUPPORT)
            owner_department = owner.department_id or (owner.user.department_id if owner.user_id else None)
            if owner_department and owner_department in self.managed_departments:
                roles.add(MANAGER)
        meeting = action.meeting
        if user.is_staff or user.is_superuser or (meeting is not None and meeting.chair_id == user.pk):
            roles.add(MANAGER)
        if MANAGER in roles:
            roles.add(EDITOR)
        elif (
            meeting is not None
            and meeting.recorder_id == user.pk
            and meeting.status != Meeting.Status.PUBLISHED
        ):
            roles.add(EDITOR)
        return frozenset(roles)

    @property
    def is_owner(self) -> bool:
        return bool(self.roles & {LEAD, SUPPORT})

    @property
    def can_view(self) -> bool:
        if self.roles:
            return True
        return self.action.meeting_id is not None and can_view_meeting(self.user, self.action.meeting)

    @property
    def can_update_progress(self) -> bool:
        """Set progress, add a note, deliver an occurrence, ask for a new deadline."""
        return bool(self.roles & {LEAD, SUPPORT, EDITOR})

    @property
    def can_complete(self) -> bool:
        return bool(self.roles & {LEAD, EDITOR})

    @property
    def can_edit(self) -> bool:
        """Reassign, change the deadline directly, put on hold, cancel."""
        return EDITOR in self.roles

    @property
    def can_decide_deadline(self) -> bool:
        """Deadline changes by these users apply at once; they also approve others' requests."""
        return MANAGER in self.roles


def access(user, action: ActionItem, managed_departments: set[int] | None = None) -> ActionAccess:
    return ActionAccess(user, action, managed_departments)


def can_view_all_actions(user) -> bool:
    """全部行动项 and its exports: the whole organisation's items, for staff only. (部门行动项 is for
    department heads: its scope is Department.managed_by(user).)"""
    return user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)


def deadline_deciders(action: ActionItem, *, requester=None) -> list:
    """Who is asked to decide a deadline change request (and told of it in the bell): the source
    meeting's chair and the head of each lead owner's department (the nearest head above when that
    department has none), the way overdue items escalate. Each is checked against
    can_decide_deadline, so nobody is asked who could not decide; the requester is never asked.
    Staff may decide every request too, but are not asked about each one."""
    candidates = []
    meeting = action.meeting
    if meeting is not None and meeting.chair_id:
        candidates.append(meeting.chair_id)
    leads = action.owners.filter(role=ActionOwner.Role.LEAD).select_related("user__department", "department")
    for owner in leads:
        department = owner.department or (owner.user.department if owner.user_id else None)
        if department is None:
            continue
        head = next((d.head_id for d in [department, *department.ancestors()] if d.head_id), None)
        if head is not None:
            candidates.append(head)
    requester_id = getattr(requester, "pk", None)
    wanted = [pk for pk in dict.fromkeys(candidates) if pk != requester_id]
    people = User.objects.filter(pk__in=wanted, is_active=True).in_bulk()
    return [people[pk] for pk in wanted if pk in people and access(people[pk], action).can_decide_deadline]
