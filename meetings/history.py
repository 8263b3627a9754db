"""A meeting's history: who changed what, when.

Services write one MeetingLogEntry per change to the meeting, its agenda, reports, attendance and
decisions. Other apps keep their own logs (action items: actions.ProgressEntry) and add them through
meetings.hooks.history_sources; `meeting_history` merges them so
the meeting page shows one timeline.
"""

import datetime
import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings import hooks
from meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingLogEntry
from meetings.templatetags.minutes import long_date

# Field names as the history shows them.
FIELD_LABELS = {
    "title": _("名称"),
    "status": _("状态"),
    "starts_at": _("开始时间"),
    "ends_at": _("结束时间"),
    "location": _("地点"),
    "chair": _("主持人"),
    "recorder": _("记录人"),
    "visibility": _("可见范围"),
    "is_confidential": _("机密"),
    "summary": _("总结与展望"),
    "background": _("会议背景与目的"),
    "text": _("决定"),
    "problem": _("问题描述"),
    "discussion": _("讨论"),
    "is_postponed": _("未讨论/顺延"),
    "content": _("汇报要点"),
    "progress": _("进度"),
    "due_date": _("完成时限"),
    "owners": _("责任人"),
    "version": _("版本"),
}

# What a line is about, in the singular: "王芳 · 修改 · 决议" says which decision changed, where the same
# word as a heading (English "Decisions") names them all.
TARGET_LABELS = {
    "meeting": pgettext_lazy("history", "会议"),
    "agenda_item": pgettext_lazy("history", "议程"),
    "decision": pgettext_lazy("history", "决议"),
    "attendance": pgettext_lazy("history", "参会人员"),
    "report": pgettext_lazy("history", "汇报"),
    "action": pgettext_lazy("history", "行动项"),
    "comment": pgettext_lazy("history", "评论"),
}


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def changes_between(before: dict, after: dict) -> dict:
    """{"field": [old, new]} for the fields whose value differs, as JSON-friendly values."""
    return {
        field: [_plain(before.get(field)), _plain(value)]
        for field, value in after.items()
        if _plain(before.get(field)) != _plain(value)
    }


def _target(obj) -> tuple[str, int | None, str, bool]:
    if obj is None or isinstance(obj, Meeting):
        return "meeting", None, "", False
    if isinstance(obj, AgendaItem):
        return "agenda_item", obj.pk, obj.title[:200], obj.is_confidential
    if isinstance(obj, Decision):
        confidential = obj.is_confidential or bool(obj.agenda_item_id and obj.agenda_item.is_confidential)
        return "decision", obj.pk, str(obj.label), confidential
    name = type(obj).__name__
    if name == "Attendance":
        return "attendance", obj.pk, obj.attendee_name[:200], False
    if name == "SpeakerReport":
        item = obj.agenda_item
        return "report", obj.pk, f"{item.title} · {obj.speaker_display}"[:200], item.is_confidential
    if name == "MeetingComment":
        return "comment", obj.pk, "", False
    return name.lower()[:20], getattr(obj, "pk", None), str(obj)[:200], False


def record(
    *, meeting: Meeting, by, verb: str, obj=None, changes: dict | None = None, note: str = ""
) -> MeetingLogEntry:
    target, target_id, label, confidential = _target(obj)
    return MeetingLogEntry.objects.create(
        meeting=meeting,
        actor=by,
        verb=verb,
        target=target,
        target_id=target_id,
        target_label=label,
        changes=changes or {},
        note=note,
        is_confidential=confidential,
    )


class HistoryLine:
    """One line of the merged timeline, whatever it came from."""

    def __init__(self, *, at, actor, verb_label, target_label, subject, changes, note):
        self.at = at
        self.actor = actor
        self.verb_label = verb_label
        self.target_label = target_label
        self.subject = subject
        self.changes = changes
        self.note = note

    @property
    def change_lines(self) -> list[tuple[str, object, object]]:
        lines = []
        for field, value in self.changes.items():
            if isinstance(value, list | tuple) and len(value) == 2:
                before, after = value
            else:
                before, after = None, value
            lines.append((FIELD_LABELS.get(field, field), _display(field, before), _display(field, after)))
        return lines


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _display(field: str, value):
    """Codes as the reader's words (已发布, 进行中, 迟到, 列席人员), dates as dates (2026年12月15日 (周二));
    other values as stored."""
    if field in ("status", "role") and isinstance(value, str):
        choices_for = {
            "status": (Meeting.Status, *hooks.history_choices.get("status", ()), Attendance.Status),
            "role": (Attendance.Role, *hooks.history_choices.get("role", ())),
        }
        for choices in choices_for[field]:
            if value in choices.values:
                return choices(value).label
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return long_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


def meeting_history(*, meeting: Meeting, full: bool, limit: int = 100) -> list[HistoryLine]:
    """The newest `limit` changes to the meeting, and (meetings.hooks.history_sources) to what other apps
    keep for it: the progress log of its action items. One query here plus each source's; `full` is
    policy.can_see_confidential: lines about confidential parts are left out otherwise."""
    entries = meeting.log_entries.select_related("actor")
    if not full:
        entries = entries.exclude(is_confidential=True)
    lines = [
        HistoryLine(
            at=e.at,
            actor=e.actor,
            verb_label=e.get_verb_display(),
            target_label=TARGET_LABELS.get(e.target, e.target),
            subject=e.target_label,
            changes=e.changes,
            note=e.note,
        )
        for e in entries[:limit]
    ]
    for source in hooks.history_sources:
        lines.extend(source(meeting, full, limit))
    lines.sort(key=lambda line: line.at, reverse=True)
    return lines[:limit]
