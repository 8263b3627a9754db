from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions.forms import ActionItemForm
from config.errors import NotFound
from meetings import selectors, services
from meetings.forms import AgendaItemForm, AttendanceForm, DecisionForm, MeetingForm, SpeakerReportForm
from meetings.models import Attendance, Meeting

PAGE_SIZE = 20

# Each form on the meeting page posts to its own view.
FORM_URLS = {
    "attendance_form": "meetings:attendance_add",
    "agenda_form": "meetings:agenda_add",
    "report_form": "meetings:report_add",
    "decision_form": "meetings:decision_add",
    "action_form": "meetings:action_add",
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


@login_required
def meeting_list(request):
    page = Paginator(selectors.meetings_for_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "meetings/meeting_list.html", {"page": page})


@login_required
def meeting_create(request):
    form = MeetingForm(request.POST or None, initial={"recorder": request.user}, user=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("会议已创建。"))
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form})


def _render_detail(
    request, meeting: Meeting, status: int = 200, lifecycle_forms: dict | None = None, **bound_forms
):
    """The meeting page. A form that failed validation is passed back bound, so nothing typed is lost:
    the content forms as `bound_forms`, the comment, return, reopen and template forms as
    `lifecycle_forms`."""
    from meetings.views.lifecycle import lifecycle_context

    editable = meeting.access.can_edit
    forms = {}
    if editable:
        forms = {
            "attendance_form": AttendanceForm(meeting=meeting),
            "agenda_form": AgendaItemForm(),
            "report_form": SpeakerReportForm(meeting=meeting),
            "decision_form": DecisionForm(meeting=meeting),
            "action_form": ActionItemForm(meeting=meeting),
        }
        forms.update(bound_forms)
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
    return render(request, "meetings/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request, meeting_id: int):
    return _render_detail(request, get_meeting_for_user(request, meeting_id))


def _add(request, meeting_id: int, form_name: str, make_form, save, anchor: str, success: str):
    """Shared shape of the "add X to this meeting" views: check, validate, save, redirect."""
    meeting = get_editable_meeting(request, meeting_id)
    form = make_form(meeting, request.POST)
    if form.is_valid():
        try:
            save(meeting, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(f"{meeting.get_absolute_url()}#{anchor}")
    return _render_detail(request, meeting, status=400, **{form_name: form})


@login_required
@require_POST
def attendance_add(request, meeting_id: int):
    def save(meeting, form):
        services.attendance_add(meeting=meeting, by=request.user, **form.cleaned_data)

    return _add(
        request,
        meeting_id,
        "attendance_form",
        lambda m, d: AttendanceForm(d, meeting=m),
        save,
        "attendance",
        _("已添加参会人员。"),
    )


@login_required
@require_POST
def agenda_item_add(request, meeting_id: int):
    def save(meeting, form):
        services.agenda_item_add(meeting=meeting, by=request.user, **form.cleaned_data)

    return _add(
        request, meeting_id, "agenda_form", lambda m, d: AgendaItemForm(d), save, "agenda", _("已添加议程。")
    )


@login_required
@require_POST
def speaker_report_add(request, meeting_id: int):
    def save(meeting, form):
        services.speaker_report_add(by=request.user, **form.cleaned_data)

    return _add(
        request,
        meeting_id,
        "report_form",
        lambda m, d: SpeakerReportForm(d, meeting=m),
        save,
        "agenda",
        _("已添加汇报。"),
    )


@login_required
@require_POST
def decision_add(request, meeting_id: int):
    def save(meeting, form):
        services.decision_add(meeting=meeting, by=request.user, **form.cleaned_data)

    return _add(
        request,
        meeting_id,
        "decision_form",
        lambda m, d: DecisionForm(d, meeting=m),
        save,
        "decisions",
        _("已添加决议。"),
    )


@login_required
@require_POST
def action_item_add(request, meeting_id: int):
    from actions import services as action_services

    def save(meeting, form):
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("lead_user", "lead_department", "support_users")
        }
        action_services.action_create(meeting=meeting, owners=form.owners(), by=request.user, **data)

    return _add(
        request,
        meeting_id,
        "action_form",
        lambda m, d: ActionItemForm(d, meeting=m),
        save,
        "actions",
        _("已添加行动项。"),
    )
