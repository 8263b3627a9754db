"""Writes to meetings. Views and tasks call these; they never save models themselves."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from meetings import editing, editor_blocks, history, hooks, policy
from meetings.lifecycle import ensure_editable
from meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingLogEntry,
    MeetingTemplate,
    SpeakerReport,
)


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
    # The apps above answer in the same transaction: actions dates the deadlines that waited for it.
    hooks.meeting_created.send(sender=Meeting, meeting=meeting)
    history.record(meeting=meeting, by=by, verb=MeetingLogEntry.Verb.CREATED)
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
    by=None,
) -> Attendance:
    ensure_editable(meeting)
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
    history.record(meeting=meeting, by=by, verb=MeetingLogEntry.Verb.CREATED, obj=attendance)
    return attendance


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    presenter=None,
    planned_minutes=None,
    day: int = 1,
    is_confidential: bool = False,
    by=None,
) -> AgendaItem:
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # serialise numbering per meeting
    ensure_editable(meeting)
    item = AgendaItem(
        meeting=meeting,
        title=title,
        presenter=presenter,
        planned_minutes=planned_minutes,
        day=day,
        is_confidential=is_confidential,
        order=_next(meeting.agenda_items, "order"),
    )
    item.full_clean()
    item.save()
    history.record(meeting=meeting, by=by, verb=MeetingLogEntry.Verb.CREATED, obj=item)
    return item


@transaction.atomic
def speaker_report_add(
    *, agenda_item: AgendaItem, content: str, speaker=None, speaker_name: str = "", by=None
) -> SpeakerReport:
    ensure_editable(agenda_item.meeting)
    report = SpeakerReport(
        agenda_item=agenda_item,
        speaker=speaker,
        speaker_name="" if speaker else speaker_name,
        content=content,
        order=_next(agenda_item.reports, "order"),
    )
    report.full_clean()
    report.save()
    history.record(meeting=agenda_item.meeting, by=by, verb=MeetingLogEntry.Verb.CREATED, obj=report)
    return report


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    text: str,
    problem: str = "",
    discussion: str = "",
    agenda_item: AgendaItem | None = None,
    is_confidential: bool = False,
    by=None,
) -> Decision:
    """Number the decision after the meeting's last one (决议一, 决议二, …)."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # serialise numbering per meeting
    ensure_editable(meeting)
    decision = Decision(
        meeting=meeting,
        agenda_item=agenda_item,
        problem=problem,
        discussion=discussion,
        text=text,
        is_confidential=is_confidential,
        number=_next(meeting.decisions, "number"),
    )
    decision.full_clean()
    decision.save()
    history.record(meeting=meeting, by=by, verb=MeetingLogEntry.Verb.CREATED, obj=decision)
    return decision


# The live minutes editor (meetings/views/editor.py): one field at a time, with a per-field check.


class FieldConflict(Exception):
    """Someone else changed the field since the editor read it; `current` is what the server holds."""

    def __init__(self, current: str):
        super().__init__(current)
        self.current = current


class RowMissing(Exception):
    """The row was deleted (or never belonged to this meeting)."""


@transaction.atomic
def minutes_field_save(
    *, meeting: Meeting, entity: str, pk: int, name: str, base: str, value: str, by, force: bool = False
) -> tuple[str, object]:
    """Save one field of the minutes if it still holds `base` (or already holds `value`).

    Returns the field's new text and the row. Raises ValidationError for bad input, FieldConflict when
    the field changed meanwhile (unless `force`: the user chose their version over the one shown), and
    RowMissing when the row is gone. One locked read and one UPDATE of only the changed columns, with a
    line in the meeting's history; a kind of block that writes its rows its own way says so
    (editor_blocks.BlockKind.write: action items go through actions.services).
    """
    kind = editor_blocks.kind(entity)
    field = kind.field(name) if kind is not None else None
    if field is None:
        raise ValidationError(_("该字段不能在此编辑。"), code="unknown")
    path = kind.meeting_path
    filters = {"pk": pk} if path == "pk" else {"pk": pk, path: meeting.pk}
    obj = kind.model.objects.select_for_update(of=("self",)).filter(**filters).first()
    if obj is None:
        raise RowMissing()
    ensure_editable(meeting)  # published minutes change only by reopening (meetings.lifecycle)
    if (
        entity == "meeting"
        and name in ("chair", "recorder")
        and not policy.assigns_minutes_roles(by, meeting)
    ):
        raise PermissionDenied(_("只有会议主持人、组织部门负责人或管理员可以更改主持人和记录人。"))
    changes = editing.parse(field, value, obj=obj)
    current = editing.to_client(obj, field)
    if not force and not editing.may_apply(current=current, base=base, new=value):
        raise FieldConflict(current)
    if kind.write is not None:
        kind.write(meeting=meeting, obj=obj, changes=changes, by=by)
    elif changed := {k: v for k, v in changes.items() if getattr(obj, k) != v}:
        before = {attr: getattr(obj, attr) for attr in changed}
        for attr, new in changed.items():
            setattr(obj, attr, new)
        history.record(
            meeting=meeting,
            by=by,
            verb=MeetingLogEntry.Verb.UPDATED,
            obj=obj,
            changes=history.changes_between(before, {k: getattr(obj, k) for k in before}),
        )
        kind.model.objects.filter(pk=obj.pk).update(**changed)
    return editing.to_client(obj, field), obj


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, order: list[tuple[int, int]]) -> None:
    """Put the agenda in the given order of (item id, day). Items not named keep their place after."""
    items = {i.pk: i for i in meeting.agenda_items.select_for_update()}
    seen = []
    for position, (pk, day) in enumerate(order, start=1):
        item = items.get(pk)
        if item is None or pk in seen:
            continue
        seen.append(pk)
        item.order, item.day = position, max(1, min(30, day))
    rest = [i for pk, i in sorted(items.items(), key=lambda kv: (kv[1].order, kv[0])) if pk not in seen]
    for position, item in enumerate(rest, start=len(seen) + 1):
        item.order = position
    AgendaItem.objects.bulk_update(items.values(), ["order", "day"])


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem) -> None:
    """Its reports go with it; its decisions stay, standing alone."""
    item.delete()


@transaction.atomic
def speaker_report_delete(*, report: SpeakerReport) -> None:
    report.delete()


@transaction.atomic
def meeting_create_from_template(*, template: MeetingTemplate, by, starts_at, title: str = "") -> Meeting:
    meeting = meeting_create(
        by=by,
        kind=template.kind,
        title=title.strip() or template.title,
        background=template.background,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=template.duration_minutes),
        location=template.location,
        department=template.department,
        chair=template.chair,
        recorder=template.recorder,
        visibility=template.visibility,
        is_confidential=template.is_confidential,
    )
    taken = set(meeting.attendances.values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, user=user, role=Attendance.Role.PARTICIPANT)
            for user in template.participants.all()
            if user.pk not in taken
        ]
    )
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting, title=entry["title"], planned_minutes=entry.get("planned_minutes"), order=n
            )
            for n, entry in enumerate(template.agenda, 1)
        ]
    )
    return meeting
