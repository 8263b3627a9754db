"""我的行动项 and one item's page, for the people who answer for items.

Changes made from a row (complete, progress, note, deadline) answer an htmx request with the row
re-rendered in place, and a plain POST with a redirect, so the page also works without JavaScript.
Bad input answers 400 with the form bound: the row for htmx, the item page otherwise. Editors' changes
(status, owners, deadline decisions, occurrences) are in item_edit.py and reuse apply_change().
"""

import datetime
import os
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from actions import selectors, services
from actions.forms import CompleteForm, DeadlineRequestForm, NoteForm, OwnersForm, ProgressForm
from actions.models import ActionItem, DeadlineKind, ProgressEntry, local_today
from actions.policy import ActionAccess, access, set_shown_decisions
from actions.views.common import content_version, get_action_for_user
from config.errors import NotFound
from config.redirects import next_url
from meetings.models import Department
from meetings.templatetags.minutes import enumeration, long_date


def row_errors(bound: dict) -> list[str]:
    """The service's refusals show at the top of the row, where they are seen even when the form is no
    longer offered (the item was cancelled meanwhile, the request was decided by someone else). The
    owners form is rendered by crispy, which shows its own."""
    return [error for kind, form in bound.items() if kind != "owners" for error in form.non_field_errors()]


def may_not_report() -> PermissionDenied:
    return PermissionDenied(_("您不是该事项的责任人,不能更新进展。"))


def prepare_rows(items, user, today: datetime.date, item_access: ActionAccess | None = None):
    """Attach what each row's template asks: the user's access, whether a check-in is due and the
    version of what the row shows."""
    managed = Department.managed_by(user) if item_access is None else None
    set_shown_decisions(user, items)
    for item in items:
        item.needs_checkin = selectors.checkin_due(item, today)
        item.access = item_access or access(user, item, managed)
        item.row_version = row_version(item, today)
    return items


def row_version(item: ActionItem, today: datetime.date) -> str:
    """The key of the cached parts of a row of 我的行动项 (_action_row_info.html and the panel
    buttons): what content_version covers (the decisions as this viewer reads them among it), plus the
    viewer's roles (which buttons) and the day (逾期N天). The forms with a CSRF token are never
    cached."""
    return content_version(item, sorted(item.access.roles), today)


# Rows rendered per group unless the user asks for all (?show=all): a page of thousands of rows with
# their forms is slow to render and to scroll, and nobody works through it on a phone.
ROWS_PER_GROUP = 50


@login_required
@require_GET
def my_actions(request):
    today = local_today()
    groups = _my_groups(request, today)
    upcoming = groups["today"] + groups["this_week"] + groups["later"] + groups["ongoing"]
    limit = None if request.GET.get("show") == "all" else ROWS_PER_GROUP
    context = {
        "next_url": reverse("actions:my"),
        "groups": groups,
        "shown": {key: rows[:limit] for key, rows in groups.items()},
        "hidden": {key: len(rows[limit:]) if limit else 0 for key, rows in groups.items()},
        "owes_nothing": not (groups["overdue"] or upcoming or groups["on_hold"]),
        "overdue": groups["overdue"],
        "upcoming": upcoming,
        "completed": groups["done"],
        "today": today,
    }
    return render(request, "actions/my_actions.html", context)


# The forms a row opens on demand (see _item_panels.html).
PANELS = {
    "progress": "actions/_item_progress_form.html",
    "note": "actions/_item_note_form.html",
    "deadline": "actions/_item_deadline_form.html",
}


@login_required
@require_GET
def action_panel(request, action_id: int, kind: str):
    if kind not in PANELS:
        raise Http404
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_update_progress:
        raise may_not_report()
    action.access = item_access
    context = {"action": action, "open_panel": True, "bound": {}, "next_url": reverse("actions:my")}
    return render(request, PANELS[kind], context)


def _day(value) -> str:
    if not value:
        return _("未定")
    try:
        return long_date(datetime.date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def change_lines(entry: ProgressEntry) -> list[tuple[str, str]]:
    """One entry's changes as (label, text) lines, for every kind of change the services write."""
    changes, lines = entry.changes or {}, []
    if labels := entry.status_labels:
        created = changes["status"][0] is None
        lines.append((_("状态"), labels[1] if created else f"{labels[0]} → {labels[1]}"))
    if progress := changes.get("progress"):
        lines.append((_("进度"), f"{progress[0]}% → {progress[1]}%"))
    if owners := changes.get("owners"):
        before, after = (enumeration(names) or "—" for names in owners)
        lines.append((_("责任人"), f"{before} → {after}"))
    if due := changes.get("due_date"):
        lines.append((_("完成时限"), f"{_day(due[0])} → {_day(due[1])}"))
    if kind := changes.get("deadline_kind"):
        lines.append((_("时限类型"), " → ".join(str(DeadlineKind(k).label) for k in kind)))
    if words := changes.get("deadline_text"):
        lines.append((_("时限原文"), f"{words[0] or '—'} → {words[1] or '—'}"))
    if asked := changes.get("deadline_request"):
        if asked[0] == "rejected":
            lines.append((_("延期申请"), _("已驳回(申请改为 %(date)s)") % {"date": _day(asked[1])}))
        else:
            lines.append((_("申请延期"), f"{_day(asked[0])} → {_day(asked[1])}"))
    if delivered := changes.get("delivered"):
        lines.append((_("已交付"), _("%(date)s 这一期") % {"date": _day(delivered)}))
    return lines


def render_detail(request, action: ActionItem, item_access: ActionAccess, *, bound=None, status=200):
    """The item page; `bound` holds a form that failed, by kind, so it shows with its errors."""
    bound = bound or {}
    prepare_rows([action], request.user, local_today(), item_access)
    entries = list(action.progress_entries.all())
    for entry in entries:
        entry.lines = change_lines(entry)
    context = {
        "action": action,
        "access": item_access,
        "on_detail": True,
        "bound": bound,
        "row_errors": row_errors(bound),
        "entries": entries,
        "summary": selectors.deadline_summary(action),
        "owners_form": (bound.get("owners") or OwnersForm(action=action)) if item_access.can_edit else None,
    }
    return render(request, "actions/action_detail.html", context, status=status)


@login_required
@require_GET
def action_detail(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    return render_detail(request, action, item_access)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_url(request, action: ActionItem) -> str:
    return next_url(request, action.get_absolute_url())


def _my_groups(request, today):
    items = prepare_rows(list(selectors.my_actions(user=request.user, today=today)), request.user, today)
    return selectors.group_my_actions(items, today)


def _on_my_actions(request) -> bool:
    """Whether an htmx request comes from 我的行动项, whose group counters a change may move."""
    current = request.headers.get("HX-Current-URL", "")
    return urlsplit(current).path == reverse("actions:my")


def render_row(request, action_id: int, *, flash="", bound=None, status=200, completed_now=False):
    today = local_today()
    row = selectors.action_rows(ActionItem.objects.filter(pk=action_id), today=today).get()
    prepare_rows([row], request.user, today)
    bound = bound or {}
    context = {
        "action": row,
        "flash": flash,
        "bound": bound,
        "row_errors": row_errors(bound),
        "completed_now": completed_now,
        # After a change on 我的行动项, its counters (已逾期 2 …) are sent along and swapped in.
        "nav_groups": _my_groups(request, today) if status == 200 and _on_my_actions(request) else None,
    }
    return render(request, "actions/_action_row.html", context, status=status)


def apply_change(request, action: ActionItem, item_access: ActionAccess, *, kind: str, form, change):
    """Validate `form`, then `change(cleaned_data)` (calls a service, returns the success message).
    A ValidationError from the service shows on the form like any other bad input."""
    if form.is_valid():
        try:
            message = change(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if is_htmx(request):
                # A completed row stays where it was, marked done, and is also listed under 最近完成.
                return render_row(request, action.pk, flash=message, completed_now=kind == "complete")
            messages.success(request, message)
            return redirect(_next_url(request, action))
    if is_htmx(request):
        return render_row(request, action.pk, bound={kind: form}, status=400)
    return render_detail(request, action, item_access, bound={kind: form}, status=400)


@login_required
@require_POST
def action_complete(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_complete:
        raise PermissionDenied(_("只有牵头人、会议主持人或部门负责人可以标记完成。"))

    def change(data):
        services.action_complete(action=action, by=request.user, note=data["note"])
        return _("“%(title)s”已标记为完成。") % {"title": action.title}

    form = CompleteForm(request.POST)
    return apply_change(request, action, item_access, kind="complete", form=form, change=change)


@login_required
@require_POST
def action_progress(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_update_progress:
        raise may_not_report()

    def change(data):
        services.action_update_progress(
            action=action, by=request.user, progress=data["progress"], note=data["note"].strip()
        )
        return _("进度已更新为 %(progress)s%%。") % {"progress": data["progress"]}

    form = ProgressForm(request.POST)
    return apply_change(request, action, item_access, kind="progress", form=form, change=change)


@login_required
@require_POST
def action_note(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_update_progress:
        raise may_not_report()

    def change(data):
        services.action_add_note(
            action=action, by=request.user, note=data["note"], attachment=data["attachment"]
        )
        return _("进展已记录。")

    form = NoteForm(request.POST, request.FILES)
    return apply_change(request, action, item_access, kind="note", form=form, change=change)


@login_required
@require_POST
def deadline_request(request, action_id: int):
    action, item_access = get_action_for_user(request, action_id)
    if not item_access.can_update_progress:
        raise may_not_report()

    def change(data):
        approved = item_access.can_decide_deadline
        services.deadline_change_request(
            action=action,
            by=request.user,
            new_due_date=data["new_due_date"],
            reason=data["reason"],
            approved=approved,
        )
        date = long_date(data["new_due_date"])
        if approved:
            return _("完成时限已改为 %(date)s。") % {"date": date}
        return _("已提交延期申请(改为 %(date)s),等待审批。") % {"date": date}

    form = DeadlineRequestForm(request.POST)
    return apply_change(request, action, item_access, kind="deadline", form=form, change=change)


@login_required
@require_GET
def attachment(request, entry_id: int):
    entry = ProgressEntry.objects.filter(pk=entry_id).exclude(attachment="").first()
    if entry is None:
        raise NotFound(_("附件不存在。"))
    get_action_for_user(request, entry.action_id)  # 404 unless the user may see the item
    storage = entry.attachment.storage
    try:
        handle = storage.open(entry.attachment.name, "rb")
    except FileNotFoundError:
        raise NotFound(_("附件文件已不存在。")) from None
    name = entry.changes.get("attachment") or os.path.basename(entry.attachment.name)
    return FileResponse(handle, as_attachment=True, filename=name)
