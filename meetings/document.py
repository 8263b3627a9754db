"""The minutes as plain data: one dict that the PDF, the print view and the Word export all render, and
that publication stores as a version.

The dict holds facts, not wording: names, texts, ISO dates and status codes. Labels such as 已完成 or
"Done" are looked up when rendering, so a snapshot stored at publication reads correctly in Chinese and in
English, and the same snapshot always yields the same document.

`minutes_document(meeting)` builds the full content: the meeting's own parts here (header, attendance,
agenda, decisions), then each registered part (`hooks.snapshot_parts`: actions adds its action items
and the previous meeting's). `document_for_reader(document, ...)` removes what a reader may not see
(confidential agenda items, decisions and the parts that serve them).
"""

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from meetings import hooks
from meetings.models import AgendaItem, Attendance, Decision, Meeting, SpeakerReport

# Bump when the shape changes, so that renderers can tell old snapshots from new ones.
SCHEMA_VERSION = 1

PRESENT_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.LATE)
GUEST_ROLES = (Attendance.Role.OBSERVER, Attendance.Role.GUEST)


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.name, "job_title": user.job_title, "display": user.display_name}


def _confidential(obj) -> bool:
    # Agenda items and decisions gain an `is_confidential` flag with the meeting lifecycle; until a model
    # has it, nothing in it is confidential.
    return bool(getattr(obj, "is_confidential", False))


def document_number(meeting: Meeting) -> str:
    """〔2026〕第12号: the series' pattern filled with the year and this meeting's place in that year."""
    series = meeting.series
    pattern = getattr(series, "document_number_pattern", "") if series else ""
    if not pattern:
        return ""
    start = timezone.localtime(meeting.starts_at)
    year_start = start.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    number = (
        Meeting.objects.filter(
            series=series, starts_at__gte=year_start, starts_at__lt=meeting.starts_at
        ).count()
        + Meeting.objects.filter(series=series, starts_at=meeting.starts_at, pk__lte=meeting.pk).count()
    )
    return pattern.replace("{year}", str(start.year)).replace("{number}", str(number))


def _attendance(meeting: Meeting) -> dict:
    """Who came, grouped by department in the organisation's order; who did not, and why; guests."""
    groups: dict[object, dict] = {}
    absent, guests = [], []
    for a in meeting.attendances.all():
        entry = {
            "name": a.attendee_name,
            "role": a.role,
            "status": a.status,
            "note": a.note,
        }
        if a.status not in PRESENT_STATUSES:
            absent.append(entry)
        elif a.user_id is None or a.role in GUEST_ROLES:
            guests.append(entry)
        else:
            department = a.user.department
            key = (department.order, department.name, department.pk) if department else (1 << 30, "", 0)
            group = groups.setdefault(
                key, {"department": department.name if department else "", "people": []}
            )
            group["people"].append(entry)
    return {"present": [groups[key] for key in sorted(groups)], "absent": absent, "guests": guests}


def decision_is_confidential(decision: Decision) -> bool:
    return _confidential(decision) or (
        decision.agenda_item is not None and _confidential(decision.agenda_item)
    )


def _load(meeting_id: int) -> Meeting:
    return (
        Meeting.objects.with_people()
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("user__department")),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("presenter").prefetch_related(
                    Prefetch("reports", queryset=SpeakerReport.objects.select_related("speaker"))
                ),
            ),
            Prefetch("decisions", queryset=Decision.objects.select_related("agenda_item")),
        )
        .get(pk=meeting_id)
    )


def minutes_document(meeting: Meeting, *, today: datetime.date | None = None) -> dict:
    """The full content of the minutes, JSON-serialisable, in the order the document reads.

    `today` fixes what "overdue" means (the day of publication for a snapshot)."""
    today = today or timezone.localdate()
    meeting = _load(meeting.pk)
    agenda = []
    for number, item in enumerate(meeting.agenda_items.all(), 1):
        agenda.append(
            {
                "id": item.pk,
                "number": number,
                "day": item.day,
                "title": item.title,
                "presenter": _person(item.presenter),
                "planned_minutes": item.planned_minutes,
                "kind": getattr(item, "kind", "topic"),
                "postponed": bool(getattr(item, "is_postponed", False)),
                "confidential": _confidential(item),
                "reports": [
                    {"speaker": report.speaker_display, "content": report.content}
                    for report in item.reports.all()
                ],
            }
        )
    decisions = [
        {
            "id": d.pk,
            "number": d.number,
            "agenda_item_id": d.agenda_item_id,
            "problem": d.problem,
            "discussion": d.discussion,
            "text": d.text,
            "confidential": decision_is_confidential(d),
        }
        for d in meeting.decisions.all()
    ]
    document = {
        "schema": SCHEMA_VERSION,
        "as_of": today.isoformat(),
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "kind": meeting.kind,
            "status": meeting.status,
            "is_confidential": meeting.is_confidential,
            "starts_at": iso(meeting.starts_at),
            "ends_at": iso(meeting.ends_at),
            "location": meeting.location,
            "department": meeting.department.name if meeting.department_id else "",
            "series": {"id": meeting.series.pk, "title": meeting.series.title} if meeting.series_id else None,
            "document_number": document_number(meeting),
            "background": meeting.background,
            "summary": meeting.summary,
        },
        "chair": _person(meeting.chair),
        "recorder": _person(meeting.recorder),
        "attendance": _attendance(meeting),
        "agenda": agenda,
        "decisions": decisions,
    }
    for build in hooks.snapshot_parts:
        document |= build(meeting, today, document)
    return document


def _confidential_entries(value) -> bool:
    if isinstance(value, dict):
        return any(_confidential_entries(v) for v in value.values())
    if isinstance(value, list):
        return any(
            (isinstance(entry, dict) and entry.get("confidential")) or _confidential_entries(entry)
            for entry in value
        )
    return False


def _without_confidential(value):
    """Every entry of every list that is marked confidential, dropped, however deep: the meeting's own
    parts and whatever the registered parts added, so a part cannot forget to hide its own."""
    if isinstance(value, dict):
        return {key: _without_confidential(v) for key, v in value.items()}
    if isinstance(value, list):
        return [
            _without_confidential(entry)
            for entry in value
            if not (isinstance(entry, dict) and entry.get("confidential"))
        ]
    return value


def has_confidential_parts(document: dict) -> bool:
    return _confidential_entries(document)


def document_for_reader(document: dict, *, can_see_confidential: bool) -> dict:
    """The document as one reader may see it: without confidential parts (agenda items, decisions, the
    action items serving them) unless they have full access.

    Numbers (议程 1, 决议三, 行动项 5) stay as published, so the copy matches the full minutes when people
    refer to an item by its number."""
    if can_see_confidential or not has_confidential_parts(document):
        return document
    filtered = _without_confidential(document)
    filtered["filtered"] = True
    return filtered
