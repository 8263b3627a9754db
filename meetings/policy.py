"""Who may see and do what with a meeting. Views, selectors, tasks, e-mails, PDF rendering and exports
all ask here; no other module decides.

Roles on a meeting (see docs/lifecycle.md for the table):
- ADMIN: superusers and staff — everything (but nobody edits published minutes without reopening them);
- APPROVER: users given the "approve_meeting" permission (e.g. 总经办) — view and approve any meeting;
- HEAD: head of the organising department or of a department above it — view, edit and approve;
- CHAIR: edit and approve;
- RECORDER (and whoever created the meeting): edit until the minutes are submitted for approval;
- PARTICIPANT: anyone on the attendance list — view, and comment while the minutes are a draft;
- OWNER: owns one of the meeting's action items — view, except confidential parts and wholly
  confidential (机密) meetings;
- anyone else signed in: view meetings open to the organisation (公开), except confidential parts.

Everything refused answers 404, so a user cannot tell that a meeting exists.
"""

from functools import cached_property

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from meetings import hooks
from meetings.models import AgendaItem, Attendance, Decision, Department, Meeting, MeetingSeries

ADMIN, APPROVER, HEAD, CHAIR, RECORDER, PARTICIPANT, OWNER, READER = (
    "admin",
    "approver",
    "head",
    "chair",
    "recorder",
    "participant",
    "owner",
    "reader",
)
# The roles that see a meeting whole, confidential parts included.
FULL_ACCESS = frozenset({ADMIN, APPROVER, HEAD, CHAIR, RECORDER, PARTICIPANT})
APPROVERS = frozenset({ADMIN, APPROVER, HEAD, CHAIR})

APPROVE_PERMISSION = "meetings.approve_meeting"


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    return _active(user) and (user.is_superuser or user.is_staff)


def has_approval_rights(user) -> bool:
    return _active(user) and user.has_perm(APPROVE_PERMISSION)


def self_approval_allowed() -> bool:
    """Whether whoever submitted the minutes may also approve them (MEETINGS_ALLOW_SELF_APPROVAL)."""
    return getattr(settings, "MEETINGS_ALLOW_SELF_APPROVAL", False)


def managed_departments(user) -> set[int]:
    """Department.managed_by, read once per request: the user object lives as long as the request."""
    cached = getattr(user, "_managed_departments", None)
    if cached is None:
        cached = Department.managed_by(user)
        user._managed_departments = cached
    return cached


def _full_access_q(user, managed: set[int]) -> Q:
    q = Q(chair=user) | Q(recorder=user) | Q(created_by=user)
    q |= Q(Exists(Attendance.objects.filter(meeting=OuterRef("pk"), user=user)))
    if managed:
        q |= Q(department_id__in=managed)
    return q


def _viewer_q(user) -> Q:
    """Who else the apps above let see a meeting (meetings.hooks.viewers): the owners of its action
    items. Never more than the ordinary parts: the caller keeps confidential meetings out."""
    q = Q(pk__in=[])
    for viewers in hooks.viewers:
        q |= viewers(user)
    return q


def visibility_q(user) -> Q:
    """The meetings a user may see, as one filter: the single queryset rule every list uses."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser or user.is_staff or has_approval_rights(user):
        return Q()
    full = _full_access_q(user, managed_departments(user))
    partial = _viewer_q(user) | Q(visibility=Meeting.Visibility.ORGANISATION)
    return full | (Q(is_confidential=False) & partial)


class MeetingAccess:
    """The roles one user has on one meeting; computed once per request."""

    def __init__(self, user, meeting: Meeting):
        self.user = user
        self.meeting = meeting

    @cached_property
    def managed_departments(self) -> set[int]:
        return managed_departments(self.user)

    @cached_property
    def roles(self) -> frozenset[str]:
        user, meeting = self.user, self.meeting
        if not _active(user):
            return frozenset()
        roles = set()
        if user.is_superuser or user.is_staff:
            roles.add(ADMIN)
        if has_approval_rights(user):
            roles.add(APPROVER)
        if meeting.department_id and meeting.department_id in self.managed_departments:
            roles.add(HEAD)
        if meeting.chair_id == user.pk:
            roles.add(CHAIR)
        if user.pk in (meeting.recorder_id, meeting.created_by_id):
            roles.add(RECORDER)
        if self._attends():
            roles.add(PARTICIPANT)
        if not roles & FULL_ACCESS and not meeting.is_confidential:
            if meeting.pk and Meeting.objects.filter(_viewer_q(user), pk=meeting.pk).exists():
                roles.add(OWNER)
            elif meeting.visibility == Meeting.Visibility.ORGANISATION:
                roles.add(READER)
        return frozenset(roles)

    def _attends(self) -> bool:
        prefetched = getattr(self.meeting, "_prefetched_objects_cache", {}).get("attendances")
        if prefetched is not None:
            return any(a.user_id == self.user.pk for a in prefetched)
        return self.meeting.attendances.filter(user=self.user).exists()

    @property
    def can_view(self) -> bool:
        return bool(self.roles)

    @property
    def can_see_confidential(self) -> bool:
        return bool(self.roles & FULL_ACCESS)

    @property
    def is_published(self) -> bool:
        return self.meeting.status == Meeting.Status.PUBLISHED

    @property
    def can_edit(self) -> bool:
        """Change the minutes. Nobody may once they are published; the recorder only until submitted."""
        return edits_minutes(self.user, self.meeting, self.managed_departments)

    @property
    def is_editor(self) -> bool:
        """Takes part in writing the minutes (whatever the status): may try start and submit, and gets a
        clear message rather than a 404 when the status has moved on."""
        return bool(self.roles & {ADMIN, HEAD, CHAIR, RECORDER})

    @property
    def can_start(self) -> bool:
        return self.can_edit and self.meeting.status == Meeting.Status.DRAFT

    @property
    def can_submit(self) -> bool:
        return self.can_edit and self.meeting.status in (Meeting.Status.DRAFT, Meeting.Status.IN_PROGRESS)

    @property
    def is_approver(self) -> bool:
        """May approve this meeting's minutes in principle (whatever the status)."""
        return bool(self.roles & APPROVERS)

    @property
    def blocked_as_submitter(self) -> bool:
        """The policy forbids approving one's own submission, and this user submitted."""
        return (
            not self_approval_allowed()
            and self.meeting.submitted_by_id is not None
            and self.meeting.submitted_by_id == self.user.pk
            and ADMIN not in self.roles
        )

    @property
    def can_approve(self) -> bool:
        return (
            self.is_approver
            and self.meeting.status == Meeting.Status.SUBMITTED
            and not self.blocked_as_submitter
        )

    @property
    def can_return(self) -> bool:
        """退回修改: any approver, including the submitter's own chair."""
        return self.is_approver and self.meeting.status == Meeting.Status.SUBMITTED

    @property
    def can_reopen(self) -> bool:
        return self.is_approver and self.is_published

    @property
    def can_comment(self) -> bool:
        """Participants (and everyone with full access) comment on minutes that are not yet published."""
        return self.can_see_confidential and not self.is_published

    @property
    def can_manage_templates(self) -> bool:
        return self.can_see_confidential


def recorder_may_change(meeting: Meeting) -> bool:
    """The recorder (and whoever created the meeting) changes the minutes, and the action items in
    them, only until the minutes are submitted for approval: from then on the approvers decide."""
    return meeting.status in (Meeting.Status.DRAFT, Meeting.Status.IN_PROGRESS)


def edits_minutes(user, meeting: Meeting, managed: set[int] | None = None) -> bool:
    """May change the minutes' content: the editor, and the action items written in them
    (actions.policy.ActionAccess asks here too). Admins, the chair and the head of the organising
    department (or of a department above it) until publication; the recorder until submission.
    Needs no query beyond the user's headed departments (read once per request)."""
    if not _active(user) or meeting.status == Meeting.Status.PUBLISHED:
        return False
    if user.is_superuser or user.is_staff or meeting.chair_id == user.pk:
        return True
    managed = managed_departments(user) if managed is None else managed
    if meeting.department_id and meeting.department_id in managed:
        return True
    return user.pk in (meeting.recorder_id, meeting.created_by_id) and recorder_may_change(meeting)


def assigns_minutes_roles(user, meeting: Meeting, managed: set[int] | None = None) -> bool:
    """Who chairs and who records is changed by the chair, the organising department's head or an
    administrator, until publication: a recorder who could name themselves chair would keep the chair's
    rights (editing after submission, deciding deadlines) past the moment theirs end."""
    if not edits_minutes(user, meeting, managed):
        return False
    if user.is_superuser or user.is_staff or meeting.chair_id == user.pk:
        return True
    managed = managed_departments(user) if managed is None else managed
    return bool(meeting.department_id and meeting.department_id in managed)


def access(user, meeting: Meeting) -> MeetingAccess:
    return MeetingAccess(user, meeting)


def can_view_meeting(user, meeting: Meeting) -> bool:
    return access(user, meeting).can_view


def can_edit_meeting(user, meeting: Meeting) -> bool:
    return access(user, meeting).can_edit


def can_approve_meeting(user, meeting: Meeting) -> bool:
    return access(user, meeting).can_approve


def can_see_confidential(user, meeting: Meeting) -> bool:
    return access(user, meeting).can_see_confidential


# --- Confidential parts, as filters. A decision under a confidential agenda item is confidential too,
# and an action item that serves a confidential decision would give it away, so it is hidden with it.

CONFIDENTIAL_AGENDA_Q = Q(is_confidential=True)
CONFIDENTIAL_DECISION_Q = Q(is_confidential=True) | Q(agenda_item__is_confidential=True)


def confidential_action_q() -> Q:
    confidential = Decision.objects.filter(CONFIDENTIAL_DECISION_Q, action_items=OuterRef("pk"))
    return Q(Exists(confidential))


def visible_agenda_items(queryset, *, full: bool):
    return queryset if full else queryset.exclude(CONFIDENTIAL_AGENDA_Q)


def visible_decisions(queryset, *, full: bool):
    return queryset if full else queryset.exclude(CONFIDENTIAL_DECISION_Q)


def visible_action_items(queryset, *, full: bool):
    return queryset if full else queryset.exclude(confidential_action_q())


def full_access_meeting_ids(user, meeting_ids) -> set[int]:
    """Of these meetings, those the user sees whole, confidential parts included (can_see_confidential),
    in one query: for lists of items from many meetings."""
    meeting_ids = set(meeting_ids)
    if not meeting_ids or not _active(user):
        return set()
    if user.is_superuser or user.is_staff or has_approval_rights(user):
        return meeting_ids
    full = _full_access_q(user, managed_departments(user))
    return set(Meeting.objects.filter(full, pk__in=meeting_ids).values_list("pk", flat=True))


def agenda_item_is_confidential(item: AgendaItem) -> bool:
    return item.is_confidential


def decision_is_confidential(decision: Decision) -> bool:
    return decision.is_confidential or bool(decision.agenda_item_id and decision.agenda_item.is_confidential)


# --- Series


def can_manage_series(user, series: MeetingSeries) -> bool:
    """Change a series, create its next meeting: admins, its default chair and recorder, and the
    organising department's head."""
    if not _active(user):
        return False
    if user.is_superuser or user.is_staff:
        return True
    if user.pk in (series.chair_id, series.recorder_id):
        return True
    return series.department_id is not None and series.department_id in managed_departments(user)


def series_visibility_q(user) -> Q:
    """The series a user may see: those they manage or attend by default, and open ones."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser or user.is_staff or has_approval_rights(user):
        return Q()
    q = (
        Q(chair=user)
        | Q(recorder=user)
        | Q(participants=user)
        | Q(visibility=Meeting.Visibility.ORGANISATION)
    )
    managed = managed_departments(user)
    if managed:
        q |= Q(department_id__in=managed)
    return q


def manageable_series_q(user) -> Q:
    """The series a user may manage (can_manage_series), as a filter: the series a new meeting may
    join, in the new-meeting form."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser or user.is_staff:
        return Q()
    q = Q(chair=user) | Q(recorder=user)
    managed = managed_departments(user)
    if managed:
        q |= Q(department_id__in=managed)
    return q


# --- Templates


def template_visibility_q(user) -> Q:
    """The meeting templates a user may see and use: like the meetings they come from, a template is
    the organisation's when its meeting was open to the organisation and not 机密; otherwise it is its
    people's (whoever saved it, its chair, recorder and participants, the heads of its department)."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser or user.is_staff or has_approval_rights(user):
        return Q()
    q = Q(created_by=user) | Q(chair=user) | Q(recorder=user) | Q(participants=user)
    managed = managed_departments(user)
    if managed:
        q |= Q(department_id__in=managed)
    return q | Q(visibility=Meeting.Visibility.ORGANISATION, is_confidential=False)


def can_create_series(user) -> bool:
    return _active(user)
