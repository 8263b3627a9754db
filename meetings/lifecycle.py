"""The minutes' life: 草稿 → 进行中 → 待审批 → 已发布, 退回修改, reopening, comments and templates.

Services here are the only writers of a meeting's status. Each checks the status it expects under a
row lock, so two approvers clicking at once, or a stale page, get a clear error instead of a second
publication.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import history, notifications
from meetings.document import minutes_document
from meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingComment,
    MeetingLogEntry,
    MeetingTemplate,
    MeetingVersion,
)
from meetings.policy import CONFIDENTIAL_AGENDA_Q

Status = Meeting.Status
Verb = MeetingLogEntry.Verb


def canonical_json(content: dict) -> bytes:
    """The bytes the snapshot hash covers: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _stale(meeting: Meeting, expected: str) -> ValidationError:
    """The message for a click made on a page that is no longer current."""
    if meeting.status == Status.PUBLISHED:
        who = meeting.published_by.name if meeting.published_by_id else _("他人")
        when = (
            timezone.localtime(meeting.published_at).strftime("%Y-%m-%d %H:%M")
            if meeting.published_at
            else ""
        )
        return ValidationError(
            _("该纪要已由%(who)s于%(when)s签发发布,无需再次操作。") % {"who": who, "when": when},
            code="already_published",
        )
    return ValidationError(
        _("该纪要当前状态为“%(status)s”,页面已过期,请刷新后再操作。")
        % {"status": meeting.get_status_display()},
        code="stale",
    )


def ensure_editable(meeting: Meeting) -> None:
    """Every write to the minutes' content calls this: published minutes change only by reopening."""
    if Meeting.objects.filter(pk=meeting.pk, status=Status.PUBLISHED).exists():
        raise ValidationError(_("纪要已发布,不能再修改。如需更正,请先重新打开。"), code="published")


@transaction.atomic
def meeting_start(*, meeting: Meeting, by) -> Meeting:
    meeting = _locked(meeting)
    if meeting.status != Status.DRAFT:
        raise _stale(meeting, Status.DRAFT)
    meeting.status = Status.IN_PROGRESS
    meeting.save(update_fields=["status", "updated_at"])
    history.record(
        meeting=meeting, by=by, verb=Verb.STARTED, changes={"status": [Status.DRAFT, meeting.status]}
    )
    return meeting


@transaction.atomic
def meeting_submit(*, meeting: Meeting, by) -> Meeting:
    """提交审批. The recorder may no longer edit; approvers may edit, send back or publish."""
    meeting = _locked(meeting)
    if meeting.status not in (Status.DRAFT, Status.IN_PROGRESS):
        raise _stale(meeting, Status.IN_PROGRESS)
    before = meeting.status
    meeting.status, meeting.submitted_by, meeting.submitted_at = Status.SUBMITTED, by, timezone.now()
    meeting.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    history.record(meeting=meeting, by=by, verb=Verb.SUBMITTED, changes={"status": [before, meeting.status]})
    return meeting


@transaction.atomic
def meeting_return(*, meeting: Meeting, by, comment: str) -> Meeting:
    """退回修改: back to the recorder with the approver's comment."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("退回修改时请写明需要修改的地方。")}, code="comment_required")
    meeting = _locked(meeting)
    if meeting.status != Status.SUBMITTED:
        raise _stale(meeting, Status.SUBMITTED)
    meeting.status = Status.IN_PROGRESS
    meeting.save(update_fields=["status", "updated_at"])
    history.record(
        meeting=meeting,
        by=by,
        verb=Verb.RETURNED,
        changes={"status": [Status.SUBMITTED, meeting.status]},
        note=comment,
    )
    return meeting


def is_empty(meeting: Meeting) -> bool:
    """Minutes with neither decisions nor action items: publishing them asks for confirmation."""
    return not meeting.decisions.exists() and not meeting.action_items.exists()


@transaction.atomic
def meeting_publish(
    *, meeting: Meeting, by, confirm_empty: bool = False, self_approval: bool = True, notify: bool = True
) -> MeetingVersion:
    """批准并签发: freeze the minutes, store the snapshot as the next version, notify participants.

    `self_approval` is policy.MeetingAccess.blocked_as_submitter negated; the view passes it so that the
    rule lives in the policy."""
    meeting = _locked(meeting)
    if meeting.status != Status.SUBMITTED:
        raise _stale(meeting, Status.SUBMITTED)
    if not self_approval:
        raise ValidationError(
            _("按照本单位规定,提交人不能审批自己提交的纪要,请由主持人或其他审批人签发。"),
            code="self_approval",
        )
    if is_empty(meeting) and not confirm_empty:
        raise ValidationError(
            _("这份纪要既没有决议也没有行动项。确认无误后,请勾选“确认发布”再签发。"), code="empty"
        )
    now = timezone.now()
    meeting.status, meeting.published_by, meeting.published_at = Status.PUBLISHED, by, now
    meeting.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    number = (meeting.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    content = minutes_document(meeting, today=timezone.localdate(now))
    version = MeetingVersion.objects.create(
        meeting=meeting,
        number=number,
        content=content,
        sha256=content_hash(content),
        published_by=by,
        published_at=now,
    )
    history.record(
        meeting=meeting,
        by=by,
        verb=Verb.PUBLISHED,
        changes={"status": [Status.SUBMITTED, Status.PUBLISHED], "version": [None, number]},
    )
    if notify:  # the demo loader publishes history nobody needs e-mailing about
        notifications.enqueue_published(version)
    return version


@transaction.atomic
def meeting_reopen(*, meeting: Meeting, by, reason: str) -> Meeting:
    """重新打开: published minutes go back to 进行中 for correction. The published version stays as it
    was; publishing again makes the next version."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("重新打开已发布的纪要必须说明原因。")}, code="reason_required")
    meeting = _locked(meeting)
    if meeting.status != Status.PUBLISHED:
        raise _stale(meeting, Status.PUBLISHED)
    latest = meeting.versions.select_for_update().order_by("-number").first()
    if latest is not None:
        latest.reopened_by, latest.reopened_at, latest.reopen_reason = by, timezone.now(), reason
        latest.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    meeting.status = Status.IN_PROGRESS
    meeting.submitted_by = meeting.submitted_at = None
    meeting.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    history.record(
        meeting=meeting,
        by=by,
        verb=Verb.REOPENED,
        changes={"status": [Status.PUBLISHED, meeting.status]},
        note=reason,
    )
    return meeting


@transaction.atomic
def comment_add(*, meeting: Meeting, by, text: str) -> MeetingComment:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写评论内容。")}, code="empty")
    if meeting.status == Status.PUBLISHED:
        raise ValidationError(_("纪要已发布,不能再评论。"), code="published")
    comment = MeetingComment(meeting=meeting, author=by, text=text)
    comment.full_clean()
    comment.save()
    history.record(meeting=meeting, by=by, verb=Verb.COMMENTED, obj=comment, note=text[:200])
    return comment


@transaction.atomic
def agenda_item_set_postponed(*, item: AgendaItem, by, postponed: bool) -> AgendaItem:
    ensure_editable(item.meeting)
    if item.is_postponed != postponed:
        history.record(
            meeting=item.meeting,
            by=by,
            verb=Verb.UPDATED,
            obj=item,
            changes={"is_postponed": [item.is_postponed, postponed]},
        )
        item.is_postponed = postponed
        item.save(update_fields=["is_postponed"])
    return item


# --- Templates


@transaction.atomic
def meeting_save_as_template(*, meeting: Meeting, by, name: str) -> MeetingTemplate:
    """会议模板: the meeting's people, place, length and agenda titles (not its content).

    Agenda items marked confidential are left out: a template outlives the meeting and is shown
    wherever meetings are created. A 机密 meeting gives a 机密 template, which only its people see
    (policy.template_visibility_q) and whose meetings are 机密 in turn."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写模板名称。")}, code="name_required")
    duration = 60
    if meeting.ends_at:
        duration = max(5, int((meeting.ends_at - meeting.starts_at).total_seconds() // 60))
    template = MeetingTemplate.objects.create(
        name=name,  # TemplateNameForm holds it to 200 characters, with a message
        kind=meeting.kind,
        title=meeting.title,
        background=meeting.background,
        location=meeting.location,
        duration_minutes=min(duration, 24 * 60),
        department=meeting.department,
        chair=meeting.chair,
        recorder=meeting.recorder,
        visibility=meeting.visibility,
        is_confidential=meeting.is_confidential,
        created_by=by,
        agenda=[
            {"title": item.title, "planned_minutes": item.planned_minutes}
            for item in meeting.agenda_items.filter(kind=AgendaItem.Kind.TOPIC)
            .exclude(CONFIDENTIAL_AGENDA_Q)
            .order_by("day", "order", "pk")
        ],
    )
    template.participants.set(
        meeting.attendances.filter(user__isnull=False, role=Attendance.Role.PARTICIPANT).values_list(
            "user_id", flat=True
        )
    )
    return template
