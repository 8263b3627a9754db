"""Who may see which 工作落实报告 (period report). The page, the background render and every reader of
its result (progress, web fragment, PDF and .xlsx downloads) ask here; no other module decides.

- Staff (`actions.policy.can_view_all_actions`) see the whole organisation, every department and
  every series.
- Department heads see the departments they head with everything below them (Department.managed_by,
  as in 部门行动项), and the series those departments hold or they chair.
- Anyone else has no period report (403).
- A series report counts only what its reader may see of the series' meetings, by the rule of
  meetings.policy: meetings they may not open are left out, and in meetings they see without the
  confidential parts (机密), the items serving a confidential decision are too. Such a report is
  rendered for that reader (`reader` in the job's parameters) and shown only to them, or to staff.

Everything refused inside the report (a department, series or scope out of reach) answers 404, so ids
reveal nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from actions.policy import can_view_all_actions
from config.errors import NotFound
from meetings.models import Department, Meeting, MeetingSeries, User
from meetings.policy import full_access_meeting_ids, visibility_q
from reports import metrics


class ReportAccess:
    """What one user may report on; built once per request (or once per render, in the worker)."""

    def __init__(self, user, *, everything: bool | None = None):
        self.user = user
        self.everything = can_view_all_actions(user) if everything is None else everything
        self.department_ids = (
            set(Department.objects.values_list("pk", flat=True))
            if self.everything
            else Department.managed_by(user)
        )

    @classmethod
    def unrestricted(cls) -> "ReportAccess":
        """The worker's view, with no user: the permission was checked when the job was asked for."""
        return cls(None, everything=True)

    def __bool__(self) -> bool:
        return self.everything or bool(self.department_ids)

    def series(self):
        series = MeetingSeries.objects.order_by("title")
        if self.everything:
            return series
        return series.filter(Q(department_id__in=sorted(self.department_ids)) | Q(chair=self.user))

    def departments(self) -> list[tuple[int, str]]:
        """The picker: the allowed departments as a tree, indented."""
        rows = list(
            Department.objects.filter(pk__in=self.department_ids).values_list("pk", "name", "parent_id")
        )
        known = {pk for pk, _name, _parent in rows}
        children: dict[int | None, list] = {}
        for pk, name, parent in rows:
            children.setdefault(parent if parent in known else None, []).append((pk, name))
        ordered, stack = [], [(row, 0) for row in reversed(children.get(None, []))]
        while stack:
            (pk, name), depth = stack.pop()
            ordered.append((pk, "\u3000" * depth + ("└ " if depth else "") + name))
            stack.extend((child, depth + 1) for child in reversed(children.get(pk, [])))
        return ordered

    def reader_for(self, scope_kind: str) -> int | None:
        """Whose eyes a report of this kind is rendered for: a series report for anyone but staff is
        limited to what they may see of its meetings. None: the report is the same for every reader."""
        if scope_kind == metrics.SERIES and not self.everything:
            return self.user.pk
        return None

    def readable(self, series: MeetingSeries) -> metrics.Readable | None:
        """What this reader may see of the series' meetings (meetings.policy); None: everything."""
        if self.everything:
            return None
        meetings = Meeting.objects.filter(visibility_q(self.user), series=series)
        meeting_ids = frozenset(meetings.values_list("pk", flat=True))
        whole = frozenset(full_access_meeting_ids(self.user, meeting_ids))
        return metrics.Readable(meeting_ids=meeting_ids, whole_meeting_ids=whole)


def access_for(user) -> ReportAccess:
    """The page: the user's access, or 403 for someone who may see no period report at all."""
    access = ReportAccess(user)
    if not access:
        raise PermissionDenied(_("只有部门负责人和管理员可以查看工作落实报告。"))
    return access


def scope_for(access: ReportAccess, params: dict) -> metrics.Scope:
    """The scope the parameters ask for, if this access allows it; otherwise 404, so ids reveal nothing."""
    kind, found = check_scope(access, params)
    if kind == metrics.ORGANISATION:
        return metrics.Scope(metrics.ORGANISATION, _("全公司"))
    if kind == metrics.DEPARTMENT:
        ids = Department.subtree_ids([found.pk])
        label = found.name + (_("(含下级部门)") if len(ids) > 1 else "")
        return metrics.Scope(metrics.DEPARTMENT, label, department_ids=frozenset(ids))
    return metrics.Scope(metrics.SERIES, found.title, series_id=found.pk, readable=access.readable(found))


def check_scope(access: ReportAccess, params: dict):
    """(scope kind, the department or series asked for) if this access reaches it; otherwise 404, so
    ids reveal nothing."""
    kind = params.get("scope")
    if kind == metrics.ORGANISATION:
        if not access.everything:
            raise NotFound(_("您没有查看全公司报告的权限。"))
        return kind, None
    if kind == metrics.DEPARTMENT:
        department = Department.objects.filter(pk=_int(params.get("department"))).first()
        if department is None or department.pk not in access.department_ids:
            raise NotFound(_("部门不存在,或不在您的查看范围内。"))
        return kind, department
    if kind == metrics.SERIES:
        series = access.series().filter(pk=_int(params.get("series"))).first()
        if series is None:
            raise NotFound(_("会议系列不存在,或不在您的查看范围内。"))
        return kind, series
    raise Http404


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_visible(access: ReportAccess, query) -> None:
    """A department, series or whole-organisation scope in the address (`query`, the GET parameters)
    that the user may not see answers 404, before any form message: ids reveal nothing."""
    wanted = query.get("department", "")
    if wanted and (_int(wanted) is None or _int(wanted) not in access.department_ids):
        raise NotFound(_("部门不存在,或不在您的查看范围内。"))
    wanted = query.get("series", "")
    if wanted and not access.series().filter(pk=_int(wanted) or 0).exists():
        raise NotFound(_("会议系列不存在,或不在您的查看范围内。"))
    if query.get("scope") == metrics.ORGANISATION and not access.everything:
        raise NotFound(_("您没有查看全公司报告的权限。"))


def scope_for_render(params: dict) -> metrics.Scope:
    """The scope in the worker, which has no request. A report for one reader is worked out again with
    that reader's access (and fails if they lost it meanwhile); any other with everything in reach:
    the permission was checked when the job was asked for, and `can_view_period` checks it again for
    every reader of the result."""
    reader = params.get("reader")
    if reader is None:
        return scope_for(ReportAccess.unrestricted(), params)
    user = User.objects.filter(pk=reader, is_active=True).first()
    if user is None:
        raise NotFound(_("会议系列不存在,或不在您的查看范围内。"))
    return scope_for(ReportAccess(user), params)


def can_view_period(user, params: dict) -> bool:
    """Whether `user` may see a rendered report (its progress, page and files): the scope is in their
    reach, and a report rendered for one reader is shown to that reader (or to staff, who see more)."""
    access = ReportAccess(user)
    if not access:
        return False
    try:
        check_scope(access, params)
    except Http404:
        return False
    mine = access.reader_for(params.get("scope"))
    return mine is None or mine == params.get("reader")
