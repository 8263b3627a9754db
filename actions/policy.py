"""Who may see and change an action item. Views, tasks and templates ask here, never inline.

Roles on an item:
- LEAD: a person lead owner, or the head of a department that leads it;
- SUPPORT: a person support owner, or the head of a supporting department;
- MANAGER: the source meeting's chair, the head of a department that owns the item or employs a person
  owner (or a department above it), and staff. Managers decide deadline changes;
- EDITOR: managers, plus whoever may still change the source meeting's minutes
  (meetings.policy.edits_minutes: its recorder until the minutes are submitted, the head of its
  organising department until they are published). The editor, the item page, 部门行动项, the series
  review and signed links all ask this one question.

Owners update progress and add notes; leads mark done; editors change everything. Views ask the
properties below; the two writers reached from another object than the item (the series review, the
minutes editor) ask again through `require`, with the right the change needs (`right_for_status`).
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.models import ActionItem, ActionOwner, Status
from meetings.models import Department, Meeting, User
from meetings.policy import access as meeting_access
from meetings.policy import (
    can_view_meeting,
    decision_is_confidential,
    edits_minutes,
    full_access_meeting_ids,
    managed_departments,
    visibility_q,
)

LEAD, SUPPORT, MANAGER, EDITOR = "lead", "support", "manager", "editor"

# What an owner without access to the source meeting's confidential parts reads for such a decision.
CONFIDENTIAL_DECISION = gettext_lazy("(保密决议)")


class ActionAccess:
    """The roles one user has on one item. Uses prefetched owners (with user and department)."""

    def __init__(
        self,
        user,
        action: ActionItem,
        managed_departments: set[int] | None = None,
        meeting_visible: bool | None = None,
        meeting_full: bool | None = None,
    ):
        self.user = user
        self.action = action
        self._managed = managed_departments
        # Whether the user may see the source meeting (and whole), when a list has read that for many
        # items at once.
        self._meeting_visible = meeting_visible
        self._meeting_full = meeting_full

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
        if MANAGER in roles or (
            meeting is not None and edits_minutes(user, meeting, self.managed_departments)
        ):
            roles.add(EDITOR)
        return frozenset(roles)

    @property
    def is_owner(self) -> bool:
        return bool(self.roles & {LEAD, SUPPORT})

    @property
    def can_view(self) -> bool:
        """Its owners, managers and editors; otherwise whoever may see the source meeting, except that an
        item serving a confidential decision is one of the meeting's confidential parts (meetings.policy:
        hidden from readers without full access, as on the meeting page)."""
        if self.roles:
            return True
        if self.action.meeting_id is None:
            return False
        visible = self._meeting_visible
        if visible is None:
            visible = can_view_meeting(self.user, self.action.meeting)
        if not visible:
            return False
        return not self.serves_confidential_decision or self.sees_confidential_parts

    @cached_property
    def serves_confidential_decision(self) -> bool:
        return _serves_a_secret(self.action)

    @cached_property
    def sees_confidential_parts(self) -> bool:
        if self._meeting_full is not None:
            return self._meeting_full
        meeting = self.action.meeting
        return meeting is not None and meeting_access(self.user, meeting).can_see_confidential

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


def accesses(user, actions) -> dict[int, ActionAccess]:
    """ActionAccess for each of many items (owners prefetched with user and department), with the
    source meetings' visibility read in one query instead of one per item."""
    actions = list(actions)
    managed = managed_departments(user) if user.is_authenticated else set()
    meeting_ids = {a.meeting_id for a in actions if a.meeting_id}
    visible = set()
    if meeting_ids:
        visible = set(
            Meeting.objects.filter(visibility_q(user), pk__in=meeting_ids).values_list("pk", flat=True)
        )
    secret = {a.meeting_id for a in actions if _serves_a_secret(a)}
    full = full_access_meeting_ids(user, secret) if secret else set()
    return {
        a.pk: ActionAccess(
            user, a, managed, meeting_visible=a.meeting_id in visible, meeting_full=a.meeting_id in full
        )
        for a in actions
    }


# The rights a change needs. Views show only what the user may do and check before they accept a
# change; the series review and the editor's writes to an item check again through `require`, because
# they are reached from another object (a later meeting, the minutes) than the item itself.
VIEW, UPDATE, COMPLETE, EDIT, DECIDE = "view", "update", "complete", "edit", "decide"
_RIGHTS = {
    VIEW: "can_view",
    UPDATE: "can_update_progress",
    COMPLETE: "can_complete",
    EDIT: "can_edit",
    DECIDE: "can_decide_deadline",
}


def allows(item_access: ActionAccess, right: str) -> bool:
    return getattr(item_access, _RIGHTS[right])


def right_for_status(status: str) -> str:
    """Marking done is the lead's; every other status change (hold, cancel, resume, reopen) an
    editor's."""
    return COMPLETE if status == Status.DONE else EDIT


def require(item_access: ActionAccess, right: str) -> None:
    """Raise PermissionDenied unless the user has `right` on the item (Http404 is the view's business:
    it answers 404 to whoever may not see the item at all)."""
    if not allows(item_access, right):
        raise PermissionDenied(_("您没有权限进行此项操作。"))


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


def set_shown_decisions(user, actions) -> None:
    """Set `shown_decisions` on each item: (label, text) of the decisions it serves, as this user may
    read them. An owner who may not see the source meeting's confidential parts (not invited, or the
    meeting is 机密) still sees that the item serves a decision, but reads "(保密决议)" instead of its
    text. Decisions are prefetched with their agenda item; the meetings the user sees whole are read
    (one query) only when some decision is confidential."""
    actions = list(actions)
    secret_meetings = {a.meeting_id for a in actions if _serves_a_secret(a)}
    full = full_access_meeting_ids(user, secret_meetings) if secret_meetings else set()
    hidden = str(CONFIDENTIAL_DECISION)  # plain text: rows are cached under a hash of what they show
    for action in actions:
        action.shown_decisions = [
            (
                decision.label,
                decision.text if action.meeting_id in full or not _is_secret(action, decision) else hidden,
            )
            for decision in action.decisions.all()
        ]


def _is_secret(action, decision) -> bool:
    """A decision is confidential when it (or its agenda item) is marked so, and every decision of a
    机密 meeting is."""
    return decision_is_confidential(decision) or bool(action.meeting_id and action.meeting.is_confidential)


def _serves_a_secret(action) -> bool:
    return any(_is_secret(action, d) for d in action.decisions.all())


def shown_decisions_for(user, action) -> list[tuple[str, str]]:
    set_shown_decisions(user, [action])
    return action.shown_decisions
