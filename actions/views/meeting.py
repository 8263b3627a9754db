"""What a meeting's page and its minutes editor show of action items, registered as sections in
meetings.hooks: the 添加行动项 form under the minutes, and 上次会议行动项回顾 (the carry-over review)
under its agenda item, with the views they post to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions import policy, review, services
from actions.forms import ActionItemForm, ReviewUpdateForm
from actions.models import ActionOwner
from config.errors import NotFound
from meetings import policy as meetings_policy
from meetings import series
from meetings.models import AgendaItem, Decision, Meeting
from meetings.views import detail, pages

ACTION_FORM = "action_form"


def _action_form(meeting: Meeting, data=None) -> ActionItemForm:
    form = ActionItemForm(data, meeting=meeting)
    form.helper.form_action = reverse("meeting_actions:add", args=[meeting.pk])
    return form


def review_context(meeting: Meeting) -> dict:
    """上次会议行动项回顾 as the reader of `meeting` (meeting.access) may see and change it."""
    access = meeting.access
    return {
        "review_rows": review.review_rows(meeting, full=access.can_see_confidential, user=access.user),
        "review_previous": series.previous_meeting(meeting),
        "review_editable": access.can_edit,
        "review_form": ReviewUpdateForm(),
        "template": "actions/_review.html",
    }


def _has_review(meeting: Meeting, agenda_items) -> bool:
    return meeting.series_id is not None and any(item.kind == AgendaItem.Kind.REVIEW for item in agenda_items)


def page_section(request, meeting: Meeting, bound: dict) -> dict:
    """The meeting page's part: the action form for whoever may edit (bound again after a refusal, so
    nothing typed is lost) and the review under its agenda item."""
    context = {"templates": ["actions/_meeting_actions.html"]}
    if meeting.access.can_edit:
        context[ACTION_FORM] = bound.get(ACTION_FORM) or _action_form(meeting)
    if _has_review(meeting, meeting.agenda_items.all()):
        context["review"] = review_context(meeting)
    return context


def editor_section(request, meeting: Meeting, context: dict) -> dict:
    """The editor's part: the review sits under its own agenda item, as on the meeting page."""
    if not _has_review(meeting, context["agenda_items"]):
        return {}
    meeting.access = meetings_policy.access(request.user, meeting)
    return {"review": review_context(meeting)}


@login_required
@require_POST
def action_item_add(request, meeting_id: int):
    """添加行动项 on the meeting page."""

    def save(meeting, form):
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("lead_user", "lead_department", "support_users")
        }
        services.action_create(meeting=meeting, owners=form.owners(), by=request.user, **data)

    return pages.add_to_meeting(
        request, meeting_id, ACTION_FORM, _action_form, save, "actions", _("已添加行动项。")
    )


@login_required
@require_POST
def review_update(request, meeting_id: int, action_id: int):
    """One row of "上次会议行动项回顾", updated in place (htmx) by whoever edits the meeting."""
    meeting = detail.meeting_for(request, meeting_id, lambda a: a.can_edit)
    action = get_object_or_404(
        review.review_actions(meeting)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department")),
            Prefetch("decisions", Decision.objects.select_related("agenda_item")),
        ),
        pk=action_id,
    )
    item_access = policy.access(request.user, action)
    if not item_access.can_view:
        raise NotFound(_("行动项不存在,或您没有权限。"))
    if not item_access.can_update_progress:
        raise PermissionDenied(_("您没有权限更新此行动项。"))
    form = ReviewUpdateForm(request.POST)
    error = None
    if form.is_valid():
        try:
            review.review_item_update(meeting=meeting, action=action, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
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
        return redirect(f"{meeting.get_absolute_url()}#review")
    row = review.review_rows(meeting, full=True, user=request.user, only=action.pk)[0]
    context = {
        "meeting": meeting,
        "row": row,
        "review_editable": True,
        "review_form": form if error else ReviewUpdateForm(),
        "error": error,
        "saved": error is None,
    }
    return render(request, "actions/_review_row.html", context)
