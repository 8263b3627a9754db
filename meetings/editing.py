"""The fields the minutes editor saves one at a time, how each is read from and written to the page,
and the per-field conflict rule.

Every field travels as a string: the page shows it, the browser sends back the string it started
from (the base) with the new one, and the server compares strings. That keeps the optimistic check
free of any version column: a field is only overwritten when nobody changed it since the editor
loaded it.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.forms import MAX_TEXT
from meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingKind, SpeakerReport, User


def parse_id(value) -> int | None:
    """A row id as the page sends it (a JSON integer or a string of ASCII digits), or None when it
    cannot name a row: not a number, a bool, a fraction, zero or negative, or beyond the database's
    integer range (which would overflow the query rather than match nothing)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (0 < len(value) <= 19 and value.isascii() and value.isdigit()):
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 0 < value <= connection.ops.integer_field_range("BigAutoField")[1] else None


def normalise(value: str) -> str:
    """Browsers send textarea text with \\n; text pasted in from elsewhere may carry \\r\\n."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def may_apply(*, current: str, base: str, new: str) -> bool:
    """The optimistic lock of one field: apply when nobody changed it since the editor read it, or when
    they already wrote exactly the same text. Anything else is a conflict the user resolves."""
    current, base, new = normalise(current), normalise(base), normalise(new)
    return current == base or current == new


@dataclass(frozen=True)
class Field:
    model: type
    name: str
    label: str
    kind: str = "line"  # line, text, int, person, datetime, choice, agenda, speaker, deadline, date
    required: bool = False
    max_length: int = 0
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple = ()


def _fields() -> dict[tuple[str, str], Field]:
    fields = [
        Field(Meeting, "title", _("会议名称"), required=True, max_length=200),
        Field(
            Meeting, "kind", _("会议类型"), kind="choice", required=True, choices=tuple(MeetingKind.values)
        ),
        Field(Meeting, "location", _("会议地点"), max_length=200),
        Field(Meeting, "starts_at", _("开始时间"), kind="datetime", required=True),
        Field(Meeting, "ends_at", _("结束时间"), kind="datetime"),
        Field(Meeting, "chair", _("主持人"), kind="person"),
        Field(Meeting, "recorder", _("记录人"), kind="person"),
        Field(Meeting, "background", _("会议背景与目的"), kind="text"),
        Field(Meeting, "summary", _("总结与展望"), kind="text"),
        Field(AgendaItem, "title", _("议题"), required=True, max_length=200),
        Field(AgendaItem, "presenter", _("汇报人"), kind="person"),
        Field(AgendaItem, "planned_minutes", _("计划时长"), kind="int", minimum=1, maximum=24 * 60),
        Field(AgendaItem, "day", _("第几天"), kind="int", required=True, minimum=1, maximum=30),
        Field(SpeakerReport, "speaker", _("发言人"), kind="speaker", required=True),
        Field(SpeakerReport, "content", _("汇报要点"), kind="text", required=True),
        Field(Decision, "problem", _("问题描述"), kind="text"),
        Field(Decision, "discussion", _("讨论"), kind="text"),
        Field(Decision, "text", _("决定"), kind="text", required=True),
        Field(Decision, "agenda_item", _("所属议程"), kind="agenda"),
        Field(
            Attendance,
            "status",
            _("出席情况"),
            kind="choice",
            required=True,
            choices=tuple(Attendance.Status.values),
        ),
        Field(Attendance, "note", _("备注"), max_length=200),
    ]
    from actions.models import ActionItem, Priority

    fields += [
        Field(ActionItem, "title", _("事项"), required=True, max_length=300),
        Field(
            ActionItem, "priority", _("优先级"), kind="choice", required=True, choices=tuple(Priority.values)
        ),
        Field(ActionItem, "deadline_text", _("完成时限"), kind="deadline", max_length=100),
        Field(ActionItem, "due_date", _("完成日期"), kind="date"),
    ]
    entity = {
        Meeting: "meeting",
        AgendaItem: "agenda",
        SpeakerReport: "report",
        Decision: "decision",
        Attendance: "attendance",
        ActionItem: "action",
    }
    return {(entity[f.model], f.name): f for f in fields}


_FIELDS: dict | None = None


def field_for(entity: str, name: str) -> Field | None:
    global _FIELDS
    if _FIELDS is None:
        _FIELDS = _fields()
    return _FIELDS.get((entity, name))


# Which row of a meeting an entity's pk may name: a save can never reach another meeting's rows.
MEETING_PATH = {
    "meeting": "pk",
    "agenda": "meeting_id",
    "report": "agenda_item__meeting_id",
    "decision": "meeting_id",
    "attendance": "meeting_id",
    "action": "meeting_id",
}


def to_client(obj, field: Field) -> str:
    """The string the page shows for a field (and sends back as the base)."""
    if field.kind == "speaker":
        return f"u:{obj.speaker_id}" if obj.speaker_id else f"t:{obj.speaker_name}"
    if field.kind in ("person", "agenda"):
        value = getattr(obj, f"{field.name}_id")
        return "" if value is None else str(value)
    value = getattr(obj, field.name)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return normalise(str(value))


def parse(field: Field, raw: str, *, obj) -> dict:
    """The model attributes a string sets, or ValidationError with a message for the user."""
    raw = normalise(raw)
    if "\x00" in raw:
        # PostgreSQL cannot store it; Django's forms refuse it the same way.
        raise ValidationError(_("内容中含有无法保存的空字符(NUL),请删除后重试。"), code="null_characters")
    value = raw.strip()
    if field.required and not value:
        raise ValidationError(_("%(label)s不能为空。") % {"label": field.label}, code="required")
    limit = field.max_length or (MAX_TEXT if field.kind in ("text",) else 0)
    if limit and len(raw) > limit:
        raise ValidationError(
            _("内容过长:%(label)s最多 %(limit)s 字,当前 %(count)s 字。请删减或分成几段。")
            % {"label": field.label, "limit": limit, "count": len(raw)},
            code="too_long",
        )
    kind = field.kind
    if kind in ("line", "deadline"):
        return {field.name: value}
    if kind == "text":
        return {field.name: raw.strip("\n")}
    if kind == "choice":
        if value not in field.choices:
            raise ValidationError(_("请选择一个有效的选项。"), code="invalid_choice")
        return {field.name: value}
    if kind == "int":
        if not value:
            return {field.name: None}
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(
                _("%(label)s请填写整数。") % {"label": field.label}, code="invalid"
            ) from None
        if not (field.minimum <= number <= field.maximum):
            raise ValidationError(
                _("%(label)s应在 %(min)s 到 %(max)s 之间。")
                % {"label": field.label, "min": field.minimum, "max": field.maximum},
                code="range",
            )
        return {field.name: number}
    if kind == "person":
        return {f"{field.name}_id": _person_id(value)}
    if kind == "speaker":
        if value.startswith("u:"):
            return {"speaker_id": _person_id(value[2:]), "speaker_name": ""}
        name = value[2:].strip() if value.startswith("t:") else value
        if not name:
            raise ValidationError(_("请填写发言人。"), code="required")
        if len(name) > 64:
            raise ValidationError(_("发言人姓名最多 64 字。"), code="too_long")
        return {"speaker_id": None, "speaker_name": name}
    if kind == "agenda":
        if not value:
            return {"agenda_item_id": None}
        pk = parse_id(value)
        if pk is None or not AgendaItem.objects.filter(pk=pk, meeting_id=obj.meeting_id).exists():
            raise ValidationError(_("所选议程已不存在,请重新选择。"), code="missing")
        return {"agenda_item_id": pk}
    if kind == "date":
        if not value:
            return {field.name: None}
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("请输入有效的日期。"), code="invalid") from None
        if not (2000 <= day.year <= 2100):
            raise ValidationError(_("日期的年份应在 2000 到 2100 之间。"), code="range")
        return {field.name: day}
    if kind == "datetime":
        if not value:
            return {field.name: None}
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("请输入有效的日期和时间。"), code="invalid") from None
        if not (2000 <= moment.year <= 2100):
            raise ValidationError(_("日期的年份应在 2000 到 2100 之间。"), code="range")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        starts_at = moment if field.name == "starts_at" else obj.starts_at
        ends_at = moment if field.name == "ends_at" else obj.ends_at
        if starts_at and ends_at and ends_at < starts_at:
            raise ValidationError(_("结束时间不能早于开始时间。"), code="ends_before_start")
        if starts_at and ends_at and ends_at - starts_at > datetime.timedelta(days=14):
            raise ValidationError(_("会议时长不能超过 14 天,请检查结束时间。"), code="too_long")
        return {field.name: moment}
    raise ValidationError(_("该字段不能在此编辑。"), code="unknown")


def _person_id(value: str) -> int | None:
    if not value:
        return None
    pk = parse_id(value)
    if pk is None or not User.objects.filter(pk=pk, is_active=True).exists():
        raise ValidationError(_("所选人员已被删除或停用,请重新选择。"), code="missing_person")
    return pk


# What the editor page shows: one query per kind of row, whatever the meeting's size.


def attendance_counts(attendances) -> dict:
    """应到 / 实到: invited people (not guests); present counts those who came late too."""
    expected = [a for a in attendances if a.user_id and a.role != Attendance.Role.GUEST]
    present = sum(a.status in (Attendance.Status.PRESENT, Attendance.Status.LATE) for a in expected)
    guests = sum(1 for a in attendances if not a.user_id or a.role == Attendance.Role.GUEST)
    return {"expected": len(expected), "present": present, "guests": guests}


def labels() -> dict:
    """Words repeated in every action item's block, translated once per page rather than per block."""
    return {
        "action": _("行动项"),
        "owners": _("责任人"),
        "owner_placeholder": _("输入姓名或部门,回车添加"),
        "deadline": _("完成时限"),
        "deadline_placeholder": _("如:两周内、3月15日前"),
        "date": _("日期"),
        "estimate": _("(预计)"),
        "event": _("下次会议排期后自动得出日期"),
        "ongoing": _("持续进行,无固定日期"),
        "unreadable": _("无法识别这个时限,已按原文保留,请选择具体日期。"),
        "no_deadline": _("尚未填写完成时限"),
        "priority": _("优先级"),
        "high": _("高"),
        "normal": _("中"),
        "low": _("低"),
    }


def editor_context(meeting: Meeting, only: tuple[str, int] | None = None) -> dict:
    """Everything the editor renders, grouped the way the page reads: agenda items with their reports
    and decisions, decisions with the action items made under them. `only` picks one block of it."""
    from django.db.models import OuterRef, Prefetch, Subquery

    from actions.models import ActionItem, ActionOwner
    from meetings.numerals import ordinal_for_language

    items = list(
        meeting.agenda_items.select_related("presenter").prefetch_related(
            Prefetch("reports", queryset=SpeakerReport.objects.select_related("speaker"))
        )
    )
    decisions = list(meeting.decisions.all())
    # An action item shows under the first decision it serves (its lowest number); one subquery
    # rather than loading every link.
    first_decision = Decision.objects.filter(action_items=OuterRef("pk")).order_by("number").values("pk")[:1]
    actions = list(
        ActionItem.objects.filter(meeting=meeting)
        .annotate(first_decision_id=Subquery(first_decision))
        .order_by("pk")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department"))
        )
    )
    attendances = list(meeting.attendances.select_related("user"))
    by_decision: dict[int | None, list] = {}
    for action in actions:
        by_decision.setdefault(action.first_decision_id, []).append(action)
    by_item: dict[int | None, list] = {}
    for decision in decisions:
        decision.block_actions = by_decision.get(decision.pk, [])
        by_item.setdefault(decision.agenda_item_id, []).append(decision)
    days = sorted({item.day for item in items})
    multi_day = len(days) > 1 or (
        meeting.ends_at is not None
        and timezone.localdate(meeting.ends_at) > timezone.localdate(meeting.starts_at)
    )
    previous_day = None
    for position, item in enumerate(items, start=1):
        item.position = position
        for decision in by_item.get(item.pk, []):
            decision.agenda_label = f"{position}. {item.title[:30]}"
        item.block_decisions = by_item.get(item.pk, [])
        item.day_label = _("第%(day)s天") % {"day": ordinal_for_language(item.day)}
        item.starts_day = multi_day and item.day != previous_day
        previous_day = item.day
    context = {
        "t": labels(),
        "meeting": meeting,
        "agenda_items": items,
        "free_decisions": by_item.get(None, []),
        "free_actions": by_decision.get(None, []),
        "attendances": attendances,
        "counts": attendance_counts(attendances),
        "multi_day": multi_day,
        "next_day": (max(days) if days else 1),
        "statuses": Attendance.Status.choices,
        "kinds": MeetingKind.choices,
    }
    if only is not None:
        kind, pk = only
        pool = {
            "agenda": items,
            "report": [r for i in items for r in i.reports.all()],
            "decision": decisions,
            "action": actions,
            "attendance": attendances,
        }[kind]
        context["block"] = next((obj for obj in pool if obj.pk == pk), None)  # None: deleted since
        return context
    return context


def directory() -> dict:
    """Everyone an owner, presenter or speaker can be: active people and all departments."""
    from meetings.models import Department

    return {
        "people": list(
            User.objects.filter(is_active=True).order_by("name").values("pk", "name", "job_title")
        ),
        "departments": list(Department.objects.order_by("order", "name").values("pk", "name")),
    }


def block_target(kind: str, obj) -> str:
    """Where the page inserts a new block: the list it belongs to."""
    if kind == "agenda":
        return "#agenda-list"
    if kind == "report":
        return f"#reports-{obj.agenda_item_id}"
    if kind == "decision":
        return f"#item-decisions-{obj.agenda_item_id}" if obj.agenda_item_id else "#free-decisions"
    if kind == "action":
        return f"#decision-actions-{obj.first_decision_id}" if obj.first_decision_id else "#free-actions"
    return "#attendance-list"


def editor_news(meeting: Meeting, after: dict[str, int]) -> dict:
    """Blocks someone else added after the ids the page already has, with where each goes."""
    from django.db.models import Exists

    from actions.models import ActionItem

    attendances = list(meeting.attendances.all())
    counts = attendance_counts(attendances)
    probes = {
        "agenda": AgendaItem.objects.filter(meeting=meeting, pk__gt=after["agenda"]),
        "report": SpeakerReport.objects.filter(agenda_item__meeting=meeting, pk__gt=after["report"]),
        "decision": Decision.objects.filter(meeting=meeting, pk__gt=after["decision"]),
        "action": ActionItem.objects.filter(meeting=meeting, pk__gt=after["action"]),
    }
    fresh = Meeting.objects.filter(pk=meeting.pk).values(**{k: Exists(q) for k, q in probes.items()}).first()
    fresh["attendance"] = any(a.pk > after["attendance"] for a in attendances)
    if not any(fresh.values()):
        return {"blocks": [], "counts": counts}
    context = editor_context(meeting)
    pools = {
        "agenda": context["agenda_items"],
        "report": [r for i in context["agenda_items"] for r in i.reports.all()],
        "decision": [d for i in context["agenda_items"] for d in i.block_decisions]
        + context["free_decisions"],
        "action": [a for i in context["agenda_items"] for d in i.block_decisions for a in d.block_actions]
        + [a for d in context["free_decisions"] for a in d.block_actions]
        + context["free_actions"],
        "attendance": context["attendances"],
    }
    # Parents before children, so a new report can land under a new agenda item.
    blocks = [
        {
            "kind": kind,
            "obj": obj,
            "target": block_target(kind, obj),
            "template": f"meetings/_editor_{kind}.html",
        }
        for kind in ("agenda", "decision", "report", "action", "attendance")
        if fresh[kind]
        for obj in sorted(pools[kind], key=lambda o: o.pk)
        if obj.pk > after[kind]
    ]
    return {**context, "blocks": blocks, "counts": counts}


def action_owners_prefetch():
    """Owners with what actions.policy.ActionAccess reads of them, in one query."""
    from django.db.models import Prefetch

    from actions.models import ActionOwner

    return Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department"))
