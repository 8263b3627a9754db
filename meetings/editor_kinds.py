"""The minutes editor's own kinds of block: the meeting's header, attendance, agenda items, speaker
reports and decisions (the registry and what each kind says: meetings/editor_blocks.py).

Registered from MeetingsConfig.ready(). Action items are the actions app's kind (actions/minutes.py).
"""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings import editor_blocks, services
from meetings.editing import Field, Refused, attendance_counts, form_errors, parse_id, to_client
from meetings.editor_blocks import BlockKind
from meetings.forms import AgendaItemForm, DecisionForm, SpeakerReportForm
from meetings.markdown import render_markdown
from meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingKind, SpeakerReport, User
from meetings.numerals import ordinal_for_language

# --- the meeting's header


def _load_meeting(meeting, context):
    context["kinds"] = MeetingKind.choices


MEETING = BlockKind(
    name="meeting",
    model=Meeting,
    meeting_path="pk",
    position=0,
    load=_load_meeting,
    fields=(
        Field(Meeting, "title", gettext_lazy("会议名称"), required=True, max_length=200),
        Field(
            Meeting,
            "kind",
            gettext_lazy("会议类型"),
            kind="choice",
            required=True,
            choices=tuple(MeetingKind.values),
        ),
        Field(Meeting, "location", gettext_lazy("会议地点"), max_length=200),
        Field(Meeting, "starts_at", gettext_lazy("开始时间"), kind="datetime", required=True),
        Field(Meeting, "ends_at", gettext_lazy("结束时间"), kind="datetime"),
        Field(Meeting, "chair", gettext_lazy("主持人"), kind="person"),
        Field(Meeting, "recorder", gettext_lazy("记录人"), kind="person"),
        Field(Meeting, "background", gettext_lazy("会议背景与目的"), kind="text"),
        Field(Meeting, "summary", gettext_lazy("总结与展望"), kind="text"),
    ),
)


# --- agenda items, with their reports under them


def _load_agenda(meeting, context):
    items = list(
        meeting.agenda_items.select_related("presenter").prefetch_related(
            Prefetch("reports", queryset=SpeakerReport.objects.select_related("speaker"))
        )
    )
    days = sorted({item.day for item in items})
    multi_day = len(days) > 1 or (
        meeting.ends_at is not None
        and timezone.localdate(meeting.ends_at) > timezone.localdate(meeting.starts_at)
    )
    previous_day = None
    for position, item in enumerate(items, start=1):
        item.position = position
        item.block_decisions = []
        item.day_label = _("第%(day)s天") % {"day": ordinal_for_language(item.day)}
        item.starts_day = multi_day and item.day != previous_day
        previous_day = item.day
    context.update(agenda_items=items, multi_day=multi_day, next_day=max(days) if days else 1)


def _add_agenda(meeting, by, payload):
    form = AgendaItemForm(payload.form_data())
    if not form.is_valid():
        raise Refused(form_errors(form))
    return services.agenda_item_add(meeting=meeting, by=by, **form.cleaned_data)


def _delete_agenda(meeting, pk):
    item = AgendaItem.objects.filter(pk=pk, meeting=meeting).first()
    if item is not None:
        services.agenda_item_delete(item=item)


AGENDA = BlockKind(
    name="agenda",
    model=AgendaItem,
    position=10,
    template="meetings/_editor_agenda.html",
    context_name="item",
    load=_load_agenda,
    rows=lambda context: context["agenda_items"],
    target=lambda obj: "#agenda-list",
    news=lambda meeting, after: AgendaItem.objects.filter(meeting=meeting, pk__gt=after),
    add=_add_agenda,
    delete=_delete_agenda,
    fields=(
        Field(AgendaItem, "title", gettext_lazy("议题"), required=True, max_length=200),
        Field(AgendaItem, "presenter", gettext_lazy("汇报人"), kind="person"),
        Field(
            AgendaItem, "planned_minutes", gettext_lazy("计划时长"), kind="int", minimum=1, maximum=24 * 60
        ),
        Field(AgendaItem, "day", gettext_lazy("第几天"), kind="int", required=True, minimum=1, maximum=30),
    ),
)


def _speaker_fields(raw: str) -> dict:
    raw = raw.strip()
    if raw.startswith("u:") and parse_id(raw[2:]) is not None:
        return {"speaker": raw[2:], "speaker_name": ""}
    return {"speaker": "", "speaker_name": raw[2:] if raw.startswith("t:") else raw}


def _add_report(meeting, by, payload):
    data = payload.form_data()
    form = SpeakerReportForm({**data, **_speaker_fields(data.get("speaker_any", ""))}, meeting=meeting)
    if not form.is_valid():
        errors = form_errors(form)
        if "speaker" in errors:
            errors["speaker_any"] = errors.pop("speaker")
        raise Refused(errors)
    return services.speaker_report_add(by=by, **form.cleaned_data)


def _delete_report(meeting, pk):
    report = SpeakerReport.objects.filter(pk=pk, agenda_item__meeting=meeting).first()
    if report is not None:
        services.speaker_report_delete(report=report)


def _report_answer(meeting, obj, field):
    """A report's text comes back as the page shows it: Markdown, rendered and cleaned."""
    if field.name != "content":
        return {}
    return {"html": str(render_markdown(to_client(obj, field)))}


REPORT = BlockKind(
    name="report",
    model=SpeakerReport,
    meeting_path="agenda_item__meeting_id",
    position=30,
    template="meetings/_editor_report.html",
    rows=lambda context: [r for i in context["agenda_items"] for r in i.reports.all()],
    target=lambda obj: f"#reports-{obj.agenda_item_id}",
    news=lambda meeting, after: SpeakerReport.objects.filter(agenda_item__meeting=meeting, pk__gt=after),
    add=_add_report,
    delete=_delete_report,
    answer=_report_answer,
    fields=(
        Field(SpeakerReport, "speaker", gettext_lazy("发言人"), kind="speaker", required=True),
        Field(SpeakerReport, "content", gettext_lazy("汇报要点"), kind="text", required=True),
    ),
)


# --- decisions, under their agenda item or standing alone


def _load_decisions(meeting, context):
    decisions = list(meeting.decisions.all())
    items = {item.pk: item for item in context["agenda_items"]}
    free = []
    for decision in decisions:
        if decision.agenda_item_id is None:
            free.append(decision)
        elif (item := items.get(decision.agenda_item_id)) is not None:
            decision.agenda_label = f"{item.position}. {item.title[:30]}"
            item.block_decisions.append(decision)
    context.update(decisions=decisions, free_decisions=free)


def _add_decision(meeting, by, payload):
    form = DecisionForm(payload.form_data(), meeting=meeting)
    if not form.is_valid():
        raise Refused(form_errors(form))
    return services.decision_add(meeting=meeting, by=by, **form.cleaned_data)


DECISION = BlockKind(
    name="decision",
    model=Decision,
    position=20,
    template="meetings/_editor_decision.html",
    load=_load_decisions,
    rows=lambda context: context["decisions"],
    target=lambda obj: f"#item-decisions-{obj.agenda_item_id}" if obj.agenda_item_id else "#free-decisions",
    news=lambda meeting, after: Decision.objects.filter(meeting=meeting, pk__gt=after),
    add=_add_decision,
    fields=(
        Field(Decision, "problem", gettext_lazy("问题描述"), kind="text"),
        Field(Decision, "discussion", gettext_lazy("讨论"), kind="text"),
        Field(Decision, "text", gettext_lazy("决定"), kind="text", required=True),
        Field(Decision, "agenda_item", gettext_lazy("所属议程"), kind="agenda"),
    ),
)


# --- attendance: people invited and guests


def _load_attendance(meeting, context):
    attendances = list(meeting.attendances.select_related("user"))
    context.update(
        attendances=attendances,
        counts=attendance_counts(attendances),
        statuses=Attendance.Status.choices,
    )


def _add_attendance(meeting, by, payload):
    user_id = payload.text("user").strip()
    name = payload.text("guest_name").strip()
    organisation = payload.text("guest_organisation").strip()
    errors = {}
    user = None
    for key, value in (("guest_name", name), ("guest_organisation", organisation)):
        if "\x00" in value:
            errors[key] = _("内容中含有无法保存的空字符(NUL),请删除后重试。")
    if user_id:
        pk = parse_id(user_id)
        user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if user is None:
            errors["user"] = _("所选人员已被删除或停用,请重新选择。")
        elif meeting.attendances.filter(user=user).exists():
            errors["user"] = _("%(name)s 已在参会名单中。") % {"name": user.name}
    elif not name:
        errors["guest_name"] = _("请填写特邀嘉宾的姓名,或从名单中选择人员。")
    if len(name) > 64:
        errors["guest_name"] = _("姓名最多 64 字。")
    if len(organisation) > 200:
        errors["guest_organisation"] = _("单位名称最多 200 字。")
    if errors:
        raise Refused(errors)
    role = Attendance.Role.PARTICIPANT if user else Attendance.Role.GUEST
    return services.attendance_add(
        meeting=meeting,
        user=user,
        guest_name=name,
        guest_organisation=organisation,
        role=role,
        by=by,
    )


ATTENDANCE = BlockKind(
    name="attendance",
    model=Attendance,
    position=50,
    template="meetings/_editor_attendance.html",
    load=_load_attendance,
    rows=lambda context: context["attendances"],
    target=lambda obj: "#attendance-list",
    news=lambda meeting, after: Attendance.objects.filter(meeting=meeting, pk__gt=after),
    add_as="guest",
    add=_add_attendance,
    answer=lambda meeting, obj, field: {"counts": attendance_counts(meeting.attendances.all())},
    fields=(
        Field(
            Attendance,
            "status",
            gettext_lazy("出席情况"),
            kind="choice",
            required=True,
            choices=tuple(Attendance.Status.values),
        ),
        Field(Attendance, "note", gettext_lazy("备注"), max_length=200),
    ),
)


def register() -> None:
    editor_blocks.register(MEETING, AGENDA, DECISION, REPORT, ATTENDANCE)
