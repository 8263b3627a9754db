"""Status and approval, comments, history, published versions, the carry-over review, postponing and
templates: everything on the meeting page that is about the minutes' life rather than their content."""

import datetime
import difflib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from actions import policy as action_policy
from actions.minutes import action_owners_prefetch
from config.errors import NotFound
from meetings import history, lifecycle, notifications, selectors
from meetings import series as series_rules
from meetings.calendar import meeting_ics
from meetings.forms_lifecycle import CommentForm, ReopenForm, ReturnForm, ReviewUpdateForm, TemplateNameForm
from meetings.models import AgendaItem, Decision, Meeting
from meetings.templatetags.minutes import colon, enumeration, long_datetime
from meetings.views.pages import get_meeting_for_user


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _meeting_for(request, meeting_id: int, allowed) -> Meeting:
    """The meeting when `allowed(access)` holds; 404 otherwise, so refusals reveal nothing."""
    meeting = get_meeting_for_user(request, meeting_id)
    if not allowed(meeting.access):
        raise NotFound(_("会议不存在,或您没有此项权限。"))
    return meeting


def _back(meeting: Meeting, anchor: str = "lifecycle"):
    return redirect(f"{meeting.get_absolute_url()}#{anchor}")


def lifecycle_context(request, meeting: Meeting, bound: dict | None = None) -> dict:
    """What the meeting page needs for the status bar, comments, review and postponing. `bound`
    holds forms that failed validation, shown again with what the user typed and why."""
    access = meeting.access
    context = {
        "access": access,
        "status_choices": Meeting.Status.choices,
        "comment_form": CommentForm() if access.can_comment else None,
        "comments": list(meeting.comments.select_related("author")) if access.can_see_confidential else [],
        "return_form": ReturnForm() if access.can_return else None,
        "reopen_form": ReopenForm() if access.can_reopen else None,
        "template_form": TemplateNameForm(initial={"name": meeting.title})
        if access.can_manage_templates
        else None,
        "latest_version": meeting.versions.order_by("-number").first(),
        "revision_reason": selectors.revision_reason(meeting),
        # Only approvers act on this, and they see every decision, so the prefetched rows suffice.
        "is_empty": not meeting.decisions.all() and not meeting.action_items.all(),
        "has_postponed": any(item.is_postponed for item in meeting.agenda_items.all()),
    }
    # A refused form replaces the empty one, where the user still may use it.
    context.update({name: form for name, form in (bound or {}).items() if context.get(name) is not None})
    if meeting.series_id and any(item.kind == AgendaItem.Kind.REVIEW for item in meeting.agenda_items.all()):
        context["review"] = review_context(meeting)
    return context


def _refused(request, meeting: Meeting, name: str, form):
    """The meeting page again with the refused form bound: the text stays, the reason beside it."""
    from meetings.views.pages import _render_detail

    return _render_detail(request, meeting, status=400, lifecycle_forms={name: form})


def review_context(meeting: Meeting) -> dict:
    access = meeting.access
    rows = series_rules.review_rows(meeting, full=access.can_see_confidential, user=meeting.access.user)
    return {
        "review_rows": rows,
        "review_previous": series_rules.previous_meeting(meeting),
        "review_editable": access.can_edit,
        "review_form": ReviewUpdateForm(),
    }


@login_required
@require_POST
def meeting_start(request, meeting_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.is_editor)
    try:
        lifecycle.meeting_start(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("会议已开始,记录人可以开始记录。"))
    return _back(meeting)


@login_required
@require_POST
def meeting_submit(request, meeting_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.is_editor)
    try:
        lifecycle.meeting_submit(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("纪要已提交审批。提交后记录人不能再修改,审批人可以签发或退回修改。"))
    return _back(meeting)


@login_required
@require_POST
def meeting_approve(request, meeting_id: int):
    """批准并签发. A stale click (someone else published meanwhile) and a forbidden self-approval get a
    message; minutes with neither decisions nor actions ask for confirmation first."""
    meeting = _meeting_for(request, meeting_id, lambda a: a.is_approver)
    try:
        version = lifecycle.meeting_publish(
            meeting=meeting,
            by=request.user,
            confirm_empty=request.POST.get("confirm_empty") == "1",
            self_approval=not meeting.access.blocked_as_submitter,
        )
    except ValidationError as exc:
        if exc.code == "empty":
            return render(request, "meetings/publish_confirm.html", {"meeting": meeting}, status=400)
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("纪要已签发发布(版本 %(version)s),参会人员将收到邮件通知。") % {"version": version.label},
        )
    return _back(meeting)


@login_required
@require_POST
def meeting_return(request, meeting_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.is_approver)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.meeting_return(meeting=meeting, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已退回修改,记录人会在会议页面看到您的意见。"))
            return _back(meeting)
        return _back(meeting)
    return _refused(request, meeting, "return_form", form)


@login_required
@require_POST
def meeting_reopen(request, meeting_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.is_approver)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, "reopen_form", form)
    try:
        lifecycle.meeting_reopen(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("纪要已重新打开。修改后再次签发将生成新的版本,原版本保持不变。"))
    return _back(meeting)


@login_required
@require_POST
def comment_add(request, meeting_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.can_see_confidential)
    if not meeting.access.can_comment:
        messages.error(request, _("纪要已发布,不能再评论。"))
        return _back(meeting, "comments")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.comment_add(meeting=meeting, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("评论已发表。"))
        return _back(meeting, "comments")
    return _refused(request, meeting, "comment_form", form)


@login_required
@require_GET
def meeting_history(request, meeting_id: int):
    meeting = get_meeting_for_user(request, meeting_id)
    lines = history.meeting_history(meeting=meeting, full=meeting.access.can_see_confidential, limit=500)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    return render(request, "meetings/history.html", {"meeting": meeting, "page": page})


def _document_lines(content: dict) -> list[str]:
    """The snapshot as readable lines, for comparing two versions: the same labels as the minutes
    (会议地点, 决议二, 问题描述), never the snapshot's keys."""
    from reports.templatetags.minutes_document import decision_label

    sep = colon()
    labels = {
        "title": _("会议名称"),
        "starts_at": _("开始时间"),
        "ends_at": _("结束时间"),
        "location": _("会议地点"),
        "background": _("会议背景与目的"),
        "summary": _("总结与展望"),
    }
    lines = []
    meeting = content.get("meeting", {})
    for key, label in labels.items():
        value = meeting.get(key)
        if value and key in ("starts_at", "ends_at"):
            value = long_datetime(datetime.datetime.fromisoformat(value))
        if value:
            lines.append(f"{label}{sep}{value}")
    for item in content.get("agenda", []):
        lines.append(f"{_('议程')} {item.get('number')}{sep}{item.get('title')}")
        for report in item.get("reports", []):
            lines.append(f"  {report.get('speaker')}{sep}{report.get('content')}")
    for decision in content.get("decisions", []):
        lines.append(f"{decision_label(decision.get('number'))}{sep}{decision.get('text')}")
        for key, label in (("problem", _("问题描述")), ("discussion", _("讨论"))):
            if decision.get(key):
                lines.append(f"  {label}{sep}{decision[key]}")
    for action in content.get("actions", []):
        owners = enumeration(action.get("leads", []))
        due = action.get("due_date") or ""
        lines.append(f"{_('行动项')} {action.get('number')}{sep}{action.get('title')} [{owners}] {due}")
    return lines


def _reader_content(meeting: Meeting, version) -> dict:
    from reports.document import document_for_reader

    return document_for_reader(version.content, can_see_confidential=meeting.access.can_see_confidential)


@login_required
@require_GET
def meeting_versions(request, meeting_id: int):
    """Published versions, and what changed between two of them (?a=1&b=2)."""
    meeting = get_meeting_for_user(request, meeting_id)
    versions = list(meeting.versions.select_related("published_by", "reopened_by").order_by("number"))
    diff = None
    numbers = [v.number for v in versions]
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        a = b = 0
    if len(versions) >= 2 and not (a in numbers and b in numbers):
        a, b = numbers[-2], numbers[-1]
    if a in numbers and b in numbers and a != b:
        old, new = (next(v for v in versions if v.number == n) for n in (a, b))
        rows = difflib.unified_diff(
            _document_lines(_reader_content(meeting, old)),
            _document_lines(_reader_content(meeting, new)),
            fromfile=old.label,
            tofile=new.label,
            lineterm="",
            n=1,
        )
        diff = [(line[:1], line) for line in rows if not line.startswith(("---", "+++"))]
    context = {"meeting": meeting, "versions": versions, "diff": diff, "a": a, "b": b}
    return render(request, "meetings/versions.html", context)


@login_required
@require_GET
def meeting_version_snapshot(request, meeting_id: int, number: int):
    """The snapshot of one version as JSON, exactly as published (what its hash covers), minus the
    parts this reader may not see."""
    meeting = get_meeting_for_user(request, meeting_id)
    version = get_object_or_404(meeting.versions, number=number)
    content = _reader_content(meeting, version)
    body = (
        lifecycle.canonical_json(content)
        if content is version.content
        else json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-v{number}.json"'
    response["X-Content-SHA256"] = version.sha256
    return response


@login_required
@require_POST
def review_update(request, meeting_id: int, action_id: int):
    """One row of "上次会议行动项回顾", updated in place (htmx) by whoever edits the meeting."""
    meeting = _meeting_for(request, meeting_id, lambda a: a.can_edit)
    rows = series_rules.review_actions(meeting)
    action = get_object_or_404(
        rows.select_related("meeting").prefetch_related(
            action_owners_prefetch(),
            Prefetch("decisions", Decision.objects.select_related("agenda_item")),
        ),
        pk=action_id,
    )
    item_access = action_policy.access(request.user, action)
    if not item_access.can_view:
        raise NotFound(_("行动项不存在,或您没有权限。"))
    if not item_access.can_update_progress:
        raise PermissionDenied(_("您没有权限更新此行动项。"))
    form = ReviewUpdateForm(request.POST)
    error = None
    if form.is_valid():
        try:
            lifecycle.review_item_update(meeting=meeting, action=action, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = _error_text(exc)
        except PermissionDenied:
            error = _(
                "您没有权限做这项修改:标记完成需由牵头责任人,取消、搁置需由会议主持人或部门负责人操作。"
            )
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("已更新行动项进展。"))
        return _back(meeting, "review")
    row = series_rules.review_rows(meeting, full=True, user=request.user, only=action.pk)[0]
    context = {
        "meeting": meeting,
        "row": row,
        "review_editable": True,
        "review_form": form if error else ReviewUpdateForm(),
        "error": error,
        "saved": error is None,
    }
    return render(request, "meetings/_review_row.html", context)


@login_required
@require_POST
def agenda_item_postponed(request, meeting_id: int, item_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.can_edit)
    item = get_object_or_404(meeting.agenda_items.all(), pk=item_id)
    try:
        lifecycle.agenda_item_set_postponed(
            item=item, by=request.user, postponed=request.POST.get("postponed") == "1"
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _back(meeting, "agenda")


@login_required
@require_POST
def agenda_postpone(request, meeting_id: int):
    """顺延: move every item marked 未讨论/顺延 to the series' next meeting in one action."""
    meeting = _meeting_for(request, meeting_id, lambda a: a.can_edit or a.is_approver)
    try:
        target, count = series_rules.agenda_items_postpone(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back(meeting, "agenda")
    messages.success(
        request,
        ngettext(
            "已将 %(count)s 项议程顺延到《%(title)s》。", "已将 %(count)s 项议程顺延到《%(title)s》。", count
        )
        % {"count": count, "title": target.title},
    )
    return _back(meeting, "agenda")


@login_required
@require_POST
def save_as_template(request, meeting_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.can_manage_templates)
    form = TemplateNameForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, "template_form", form)
    template = lifecycle.meeting_save_as_template(
        meeting=meeting, by=request.user, name=form.cleaned_data["name"]
    )
    messages.success(
        request, _("已保存为模板“%(name)s”。新建会议时可以从模板开始。") % {"name": template.name}
    )
    return _back(meeting)


@login_required
@require_POST
def send_invitation(request, meeting_id: int):
    meeting = _meeting_for(request, meeting_id, lambda a: a.can_edit)
    count = len(notifications.enqueue_invitation(meeting))
    if count:
        messages.success(
            request,
            ngettext(
                "会议通知(附日历邀请)正在发送给 %(count)s 人。",
                "会议通知(附日历邀请)正在发送给 %(count)s 人。",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("会议通知已经发送过,或参会人员都没有登记电子邮箱。"))
    return _back(meeting)


@login_required
@require_GET
def meeting_ics_download(request, meeting_id: int):
    meeting = get_meeting_for_user(request, meeting_id)
    data = meeting_ics(meeting, full=meeting.access.can_see_confidential)
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
