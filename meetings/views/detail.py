"""The meeting page: fetching a meeting with the reader's rights, and composing its page from this
app's parts and the sections other apps register (meetings.hooks.page_sections)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.errors import NotFound
from meetings import hooks, selectors
from meetings.forms import AgendaItemForm, AttendanceForm, DecisionForm, SpeakerReportForm
from meetings.forms_lifecycle import CommentForm, ReopenForm, ReturnForm, TemplateNameForm
from meetings.models import Attendance, Meeting

# Each form on the meeting page posts to its own view.
FORM_URLS = {
    "attendance_form": "meetings:attendance_add",
    "agenda_form": "meetings:agenda_add",
    "report_form": "meetings:report_add",
    "decision_form": "meetings:decision_add",
}


def get_meeting_for_user(request, meeting_id: int) -> Meeting:
    """The meeting with everything its page shows; 404 when it is missing or hidden from this user."""
    meeting = selectors.meeting_for_detail(meeting_id=meeting_id, user=request.user)
    if meeting is None:
        raise NotFound(_("会议不存在,或您没有查看权限。"))
    return meeting


def get_editable_meeting(request, meeting_id: int) -> Meeting:
    meeting = get_meeting_for_user(request, meeting_id)
    if not meeting.access.can_edit:
        raise NotFound(_("会议不存在,或您没有编辑权限。"))
    return meeting


def meeting_for(request, meeting_id: int, allowed) -> Meeting:
    """The meeting when `allowed(access)` holds; 404 otherwise, so refusals reveal nothing."""
    meeting = get_meeting_for_user(request, meeting_id)
    if not allowed(meeting.access):
        raise NotFound(_("会议不存在,或您没有此项权限。"))
    return meeting


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
    return context


def render_detail(
    request, meeting: Meeting, status: int = 200, lifecycle_forms: dict | None = None, **bound_forms
):
    """The meeting page. A form that failed validation is passed back bound, so nothing typed is lost:
    the content forms as `bound_forms`, the comment, return, reopen and template forms as
    `lifecycle_forms`. The sections other apps register (meetings.hooks.page_sections: the action
    items' form, the carry-over review) add their part and see the bound forms too."""
    editable = meeting.access.can_edit
    forms = {}
    if editable:
        forms = {
            "attendance_form": AttendanceForm(meeting=meeting),
            "agenda_form": AgendaItemForm(),
            "report_form": SpeakerReportForm(meeting=meeting),
            "decision_form": DecisionForm(meeting=meeting),
        }
        forms.update({name: form for name, form in bound_forms.items() if name in FORM_URLS})
        for name, url_name in FORM_URLS.items():
            forms[name].helper.form_action = reverse(url_name, args=[meeting.pk])
    attendances = list(meeting.attendances.all())
    expected = [a for a in attendances if a.user_id and a.role != Attendance.Role.GUEST]
    context = {
        "meeting": meeting,
        "editable": editable,
        "open_form": next(iter(bound_forms), None),
        "attendances": attendances,
        "expected_count": len(expected),
        "present_count": sum(
            a.status in (Attendance.Status.PRESENT, Attendance.Status.LATE) for a in expected
        ),
        **forms,
        **lifecycle_context(request, meeting, lifecycle_forms),
    }
    context["section_templates"] = []
    for section in hooks.page_sections:
        part = dict(section(request, meeting, bound_forms))
        context["section_templates"] += part.pop("templates", [])
        context.update(part)
    return render(request, "meetings/meeting_detail.html", context, status=status)
