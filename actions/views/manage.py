"""Managers: 部门行动项 (department heads, their departments and everything below them), 全部行动项
(staff), bulk changes and exports. The list, its counters and its exports share one scope and one
FilterSet, so what a manager sees is exactly what they download."""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions import exports, selectors, services
from actions.filters import ActionItemFilter
from actions.forms import BulkForm
from actions.models import OPEN_STATUSES, ActionItem, ActionOwner, Status
from actions.policy import access, can_view_all_actions
from actions.templatetags.manage_nav import managed_departments
from actions.views.common import content_version
from config.errors import NotFound
from config.redirects import next_url as safe_next
from meetings.forms import active_people
from meetings.models import Department, Meeting

PAGE_SIZE = 50
DEPARTMENT, ALL = "department", "all"
SORTABLE = ("title", "due_date", "status", "progress", "last_update", "postponements", "reassignments")


@dataclass
class Scope:
    """Whose items a page shows: a department head's departments (or one of them, with everything
    below it), or the whole organisation."""

    kind: str
    choices: list[tuple[Department, int]]  # the department picker: (department, depth in the tree)
    department: Department | None  # picked with ?department=, or None for all of them
    department_ids: set[int] | None  # None: the whole organisation

    @property
    def label(self) -> str:
        return _("全部行动项") if self.kind == ALL else _("部门行动项")

    @property
    def options(self) -> list[tuple[int, str]]:
        """The picker's options, indented to show the tree."""
        return [(d.pk, "\u3000" * depth + ("└ " if depth else "") + d.name) for d, depth in self.choices]

    def items(self):
        return self._items.all()

    @cached_property
    def _items(self):
        # Built once per request: actions_in_departments reads the departments' members first.
        return selectors.actions_in_departments(self.department_ids)

    def people(self):
        if self.department_ids is None:
            return active_people()
        return active_people().filter(department_id__in=self.department_ids)


def _tree(departments: list[Department]) -> list[tuple[Department, int]]:
    known = {d.pk for d in departments}
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id if d.parent_id in known else None, []).append(d)
    ordered, stack = [], [(d, 0) for d in reversed(children.get(None, []))]
    while stack:
        department, depth = stack.pop()
        ordered.append((department, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(department.pk, [])))
    return ordered


def _scope(request, kind: str) -> Scope:
    if kind == ALL:
        if not can_view_all_actions(request.user):
            raise PermissionDenied(_("只有管理员可以查看全部行动项。"))
        departments, allowed = list(Department.objects.all()), None
    else:
        managed = managed_departments(request)
        if not managed:
            raise PermissionDenied(_("只有部门负责人可以查看部门行动项。"))
        departments, allowed = list(Department.objects.filter(pk__in=managed)), managed
    choices = _tree(departments)
    picked, ids = None, allowed
    wanted = request.GET.get("department", "")
    if wanted:
        picked = next((d for d, _depth in choices if str(d.pk) == wanted), None)
        if picked is None:
            raise NotFound(_("部门不存在,或不在您的管理范围内。"))
        # The picked department and the ones listed after it that sit deeper: its subtree.
        start = [d for d, _depth in choices].index(picked)
        depth = choices[start][1]
        ids = {picked.pk}
        for department, level in choices[start + 1 :]:
            if level <= depth:
                break
            ids.add(department.pk)
    return Scope(kind=kind, choices=choices, department=picked, department_ids=ids)


def _filterset(request, scope: Scope, today, meeting_ids: set[int] | None = None):
    items = scope.items()
    if meeting_ids is None:
        meeting_ids = set(items.order_by().values_list("meeting", flat=True).distinct())
    return ActionItemFilter(
        request.GET,
        queryset=selectors.actions_for_manage(items),
        people=scope.people(),
        meetings=Meeting.objects.filter(pk__in=meeting_ids),
        today=today,
    )


class KnownCountPaginator(Paginator):
    """A paginator told its count: an unfiltered list counts its scope with the counters already."""

    def __init__(self, object_list, per_page, *, count: int | None = None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.count = count  # Paginator.count is a cached_property; this skips its COUNT query.


def _sort_links(current: str) -> dict[str, dict]:
    """Each column header links to its sort, or to the reverse when it is the current one."""
    current = current or "due_date"
    links = {}
    for key in SORTABLE:
        if current == key:
            links[key] = {"next": f"-{key}", "arrow": "▲"}
        elif current == f"-{key}":
            links[key] = {"next": key, "arrow": "▼"}
        else:
            links[key] = {"next": key, "arrow": ""}
    return links


def _list(request, kind: str):
    scope = _scope(request, kind)
    today = timezone.localdate()
    summary = selectors.scope_summary(scope.items(), today)
    filterset = _filterset(request, scope, today, summary.meeting_ids)
    # Unfiltered, the list is the whole scope, which the summary has counted (a sort is not a filter).
    count = None if filterset.active else summary.total
    page = KnownCountPaginator(filterset.qs, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.row_version = content_version(item, today)
    context = {
        "scope": scope,
        "filter": filterset,
        "page": page,
        "today": today,
        "counters": summary.counters,
        "postponers": selectors.top_postponers(scope.items()),
        "sorts": _sort_links(request.GET.get("sort", "")),
        # The scope has loaded the departments already (its picker): no second query for them.
        "bulk_form": BulkForm(
            candidates=_lead_candidates(request, scope.kind, [d for d, _depth in scope.choices])
        ),
        "open_statuses": list(OPEN_STATUSES),
    }
    return render(request, "actions/department.html", context)


@login_required
def department_actions(request):
    return _list(request, DEPARTMENT)


@login_required
def all_actions(request):
    return _list(request, ALL)


@login_required
def export(request, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    scope = _scope(request, ALL if request.GET.get("scope") == ALL else DEPARTMENT)
    today = timezone.localdate()
    rows = _filterset(request, scope, today).qs.iterator(chunk_size=2000)
    filename = f"{scope.label}-{today.isoformat()}.{fmt}"
    write = exports.xlsx_response if fmt == "xlsx" else exports.csv_response
    return write(rows, filename=filename, today=today)


def _lead_candidates(request, kind: str, departments: list[Department] | None = None):
    """Who may become the lead in a bulk reassignment: the active members of the manager's departments
    and those departments (everyone, on 全部行动项), so that the item stays on the list it came from and
    in its exports. The list page and the confirmation step offer the same, in the same order.
    `departments`: the scope's picker, when the caller has them loaded already."""
    if kind == ALL and can_view_all_actions(request.user):
        people, wanted = active_people(), Department.objects.all()
    else:
        managed = managed_departments(request)
        people = active_people().filter(department_id__in=managed)
        wanted = Department.objects.filter(pk__in=managed)
    if departments is None:
        departments = [d for d, _depth in _tree(list(wanted))]
    return people, departments


def _next_url(request) -> str:
    return safe_next(request, reverse("actions:department"))


def _apply(form: BulkForm, item: ActionItem, item_access, user) -> None:
    data = form.cleaned_data
    operation, reason = data["operation"], data["reason"]
    if operation == BulkForm.REASSIGN:
        lead = data["lead"]  # a User or a Department
        supports = [
            (owner.user or owner.department, owner.role)
            for owner in item.owners.all()
            if owner.role == ActionOwner.Role.SUPPORT and (owner.user or owner.department) != lead
        ]
        services.owners_set(
            action=item, by=user, owners=[(lead, ActionOwner.Role.LEAD), *supports], reason=reason
        )
    elif operation == BulkForm.DEADLINE:
        services.bulk_deadline_set(
            action=item,
            by=user,
            new_due_date=data["new_due_date"],
            reason=reason,
            approved=item_access.can_decide_deadline,
        )
    elif item.status in (Status.DONE, Status.CANCELLED):
        raise ValidationError(_("事项状态为“%(status)s”,无需取消。") % {"status": item.get_status_display()})
    else:
        services.action_set_status(action=item, by=user, status=Status.CANCELLED, reason=reason)


@login_required
@require_POST
def bulk(request):
    """Two steps: the first POST shows what will happen (and what will be skipped); the second, with
    `confirm`, applies it and goes back to the same filtered list."""
    next_url = _next_url(request)
    kind = ALL if request.POST.get("scope") == ALL and can_view_all_actions(request.user) else DEPARTMENT
    form = BulkForm(request.POST, candidates=_lead_candidates(request, kind))
    valid = form.is_valid()
    # Done and cancelled items are finished: giving them a new lead or date would reopen nothing.
    skip_closed = form.cleaned_data.get("operation") in (BulkForm.REASSIGN, BulkForm.DEADLINE)
    allowed, denied, skipped, chosen_ids = [], 0, 0, []
    if "items" in form.cleaned_data:
        chosen_ids = sorted(item.pk for item in form.cleaned_data["items"])
        chosen = ActionItem.objects.filter(pk__in=chosen_ids)
        managed = managed_departments(request)
        for item in selectors.actions_for_manage(chosen):
            item_access = access(request.user, item, managed_departments=managed)
            if not item_access.can_edit:
                denied += 1
            elif skip_closed and item.status in (Status.DONE, Status.CANCELLED):
                skipped += 1
            else:
                allowed.append((item, item_access))
    if not valid or not request.POST.get("confirm"):
        context = {
            "form": form,
            "allowed": [item for item, _a in allowed],
            "denied": denied,
            "skipped": skipped,
            "chosen_ids": chosen_ids,
            "next_url": next_url,
            "scope_kind": kind,
            "nav_section": kind,  # base.html: the list the items came from stays highlighted
        }
        return render(request, "actions/bulk_confirm.html", context, status=200 if valid else 400)

    done, failed = 0, []
    for item, item_access in allowed:
        try:
            _apply(form, item, item_access, request.user)
        except ValidationError as error:
            failed.append(
                _("“%(title)s”:%(reason)s") % {"title": item.title, "reason": " ".join(error.messages)}
            )
        else:
            done += 1
    summary = _("%(done)s 项已处理") % {"done": done}
    if denied:
        summary += _(",%(denied)s 项无权限未处理") % {"denied": denied}
    if skipped:
        summary += _(",%(skipped)s 项已完成或已取消,已跳过") % {"skipped": skipped}
    if failed:
        summary += _(",%(failed)s 项未能处理") % {"failed": len(failed)}
    (messages.success if not (denied or skipped or failed) else messages.warning)(request, summary + _("。"))
    for line in failed[:10]:
        messages.error(request, line)
    return redirect(next_url)
