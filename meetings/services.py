"""Writes to meetings. Views and tasks call these; they never save models themselves."""

from django.db import transaction
from django.db.models import Max

from meetings.models import AgendaItem, Attendance, Decision, Meeting, SpeakerReport


def _next(queryset, field: str) -> int:
    return (queryset.aggregate(m=Max(field))["m"] or 0) + 1


@transaction.atomic
def meeting_create(*, by, **fields) -> Meeting:
    """Create a meeting; its chair and recorder are entered in the attendance list."""
    meeting = Meeting(created_by=by, **fields)
    meeting.full_clean()
    meeting.save()
    for user, role in ((meeting.chair, Attendance.Role.CHAIR), (meeting.recorder, Attendance.Role.RECORDER)):
        if user is not None and not meeting.attendances.filter(user=user).exists():
            Attendance.objects.create(meeting=meeting, user=user, role=role)
    from actions.services import event_deadlines_resolve  # actions builds on meetings, not the reverse

    event_deadlines_resolve(meeting=meeting)
    return meeting


@transaction.atomic
def attendance_add(
    *,
    meeting: Meeting,
    user=None,
    guest_name: str = "",
    guest_organisation: str = "",
    role: str = Attendance.Role.PARTICIPANT,
    status: str = Attendance.Status.PRESENT,
    note: str = "",
) -> Attendance:
    attendance = Attendance(
        meeting=meeting,
        user=user,
        guest_name="" if user else guest_name,
        guest_organisation="" if user else guest_organisation,
        role=role,
        status=status,
        note=note,
    )
    attendance.full_clean()
    attendance.save()
    return attendance


@transaction.atomic
def agenda_item_add(
    *, meeting: Meeting, title: str, presenter=None, planned_minutes=None, day: int = 1
) -> AgendaItem:
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # serialise numbering per meeting
    item = AgendaItem(
        meeting=meeting,
        title=title,
        presenter=presenter,
        planned_minutes=planned_minutes,
        day=day,
        order=_next(meeting.agenda_items, "order"),
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def speaker_report_add(
    *, agenda_item: AgendaItem, content: str, speaker=None, speaker_name: str = ""
) -> SpeakerReport:
    report = SpeakerReport(
        agenda_item=agenda_item,
        speaker=speaker,
        speaker_name="" if speaker else speaker_name,
        content=content,
        order=_next(agenda_item.reports, "order"),
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    text: str,
    problem: str = "",
    discussion: str = "",
    agenda_item: AgendaItem | None = None,
) -> Decision:
    """Number the decision after the meeting's last one (决议一, 决议二, …)."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # serialise numbering per meeting
    decision = Decision(
        meeting=meeting,
        agenda_item=agenda_item,
        problem=problem,
        discussion=discussion,
        text=text,
        number=_next(meeting.decisions, "number"),
    )
    decision.full_clean()
    decision.save()
    return decision
