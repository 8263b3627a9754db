from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings import selectors, services
from meetings.forms import AgendaItemForm, AttendanceForm, DecisionForm, MeetingForm, SpeakerReportForm
from meetings.views import detail

PAGE_SIZE = 20


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


@login_required
def meeting_detail(request, meeting_id: int):
    return detail.render_detail(request, detail.get_meeting_for_user(request, meeting_id))


def add_to_meeting(request, meeting_id: int, form_name: str, make_form, save, anchor: str, success: str):
    """Shared shape of the "add X to this meeting" views: check, validate, save, redirect."""
    meeting = detail.get_editable_meeting(request, meeting_id)
    form = make_form(meeting, request.POST)
    if form.is_valid():
        try:
            save(meeting, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(f"{meeting.get_absolute_url()}#{anchor}")
    return detail.render_detail(request, meeting, status=400, **{form_name: form})


@login_required
@require_POST
def attendance_add(request, meeting_id: int):
    def save(meeting, form):
        services.attendance_add(meeting=meeting, by=request.user, **form.cleaned_data)

    return add_to_meeting(
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

    return add_to_meeting(
        request, meeting_id, "agenda_form", lambda m, d: AgendaItemForm(d), save, "agenda", _("已添加议程。")
    )


@login_required
@require_POST
def speaker_report_add(request, meeting_id: int):
    def save(meeting, form):
        services.speaker_report_add(by=request.user, **form.cleaned_data)

    return add_to_meeting(
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

    return add_to_meeting(
        request,
        meeting_id,
        "decision_form",
        lambda m, d: DecisionForm(d, meeting=m),
        save,
        "decisions",
        _("已添加决议。"),
    )
