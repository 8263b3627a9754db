"""Writes to action items. Every change lands in the item's progress log (its history)."""

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from actions import policy
from actions.models import (
    ActionItem,
    ActionOwner,
    DeadlineChange,
    DeadlineKind,
    Occurrence,
    Priority,
    ProgressEntry,
    Recurrence,
    Reminder,
    Status,
    local_today,
)
from actions.wording import parse_deadline
from meetings import series
from meetings.models import Department, Meeting, User

# How far ahead the occurrences of a recurring item are planned, from its first one: half a year of
# weekly reports (26).
RECURRENCE_HORIZON_DAYS = 182

Owner = tuple[User | Department, str]


def progress_log(*, action: ActionItem, by, changes: dict | None = None, note: str = "", attachment=None):
    if attachment:
        # Storage cleans the file name and may suffix it; downloads use the name the user uploaded.
        changes = {**(changes or {}), "attachment": os.path.basename(attachment.name)}
    return ProgressEntry.objects.create(
        action=action, author=by, changes=changes or {}, note=note, attachment=attachment or ""
    )


def _locked(action: ActionItem) -> ActionItem:
    return ActionItem.objects.select_for_update().get(pk=action.pk)


def _cancel_reminders(action: ActionItem, reason: str) -> None:
    """Reminders planned for the item's old state must not go out (done, cancelled, re-dated)."""
    Reminder.objects.cancel_pending(action_id=action.pk, reason=reason)


def _owner_label(owner: ActionOwner) -> str:
    return f"{owner.owner_name}({owner.get_role_display()})"


def _set_owners(action: ActionItem, owners: Iterable[Owner]) -> None:
    owners = list(owners)
    if not any(role == ActionOwner.Role.LEAD for _owner, role in owners):
        raise ValidationError(_("至少需要一位牵头责任人。"), code="no_lead")
    action.owners.all().delete()
    seen = set()
    for owner, role in owners:
        key = (type(owner).__name__, owner.pk)
        if key in seen:
            continue
        seen.add(key)
        if isinstance(owner, Department):
            ActionOwner.objects.create(action=action, department=owner, role=role)
        else:
            ActionOwner.objects.create(action=action, user=owner, role=role)


def occurrence_dates(*, start: datetime.date, recurrence: str, weekday: int | None, until: datetime.date):
    """The due dates of a recurring item from `start` to `until`: every week / two weeks on a weekday,
    or monthly on the same day of the month as `start` (the last day when a month is shorter)."""
    if recurrence in (Recurrence.WEEKLY, Recurrence.BIWEEKLY):
        weekday = start.weekday() if weekday is None else weekday
        day = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
        step = datetime.timedelta(weeks=1 if recurrence == Recurrence.WEEKLY else 2)
        while day <= until:
            yield day
            day += step
    elif recurrence == Recurrence.MONTHLY:
        import calendar

        year, month = start.year, start.month
        while True:
            last = calendar.monthrange(year, month)[1]
            day = datetime.date(year, month, min(start.day, last))
            if day > until:
                return
            if day >= start:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _plan_occurrences(action: ActionItem, start: datetime.date) -> None:
    until = start + datetime.timedelta(days=RECURRENCE_HORIZON_DAYS - 1)
    dates = occurrence_dates(
        start=start, recurrence=action.recurrence, weekday=action.recurrence_weekday, until=until
    )
    Occurrence.objects.bulk_create(
        [Occurrence(action=action, due_date=d) for d in dates], ignore_conflicts=True
    )
    _sync_recurring_due_date(action)


def occurrences_replan(*, action: ActionItem, start: datetime.date | None) -> None:
    """An item that became recurring (or changed its rhythm) after it was created: its undelivered
    occurrences follow the new rule from `start`; delivered ones stay as the record of what was done."""
    action.occurrences.filter(delivered_at__isnull=True).delete()
    if action.deadline_kind == DeadlineKind.RECURRING and action.recurrence:
        _plan_occurrences(action, start)


def _sync_recurring_due_date(action: ActionItem) -> None:
    """A recurring item is due when its earliest undelivered occurrence is due."""
    following = action.occurrences.filter(delivered_at__isnull=True).order_by("due_date").first()
    action.due_date = following.due_date if following else None
    ActionItem.objects.filter(pk=action.pk).update(due_date=action.due_date)


# --- The one deadline rule: every way an item gets or changes the words and date of its deadline (the
# minutes editor, the meeting page's form, the demo) goes through deadline_from, by way of action_create
# and action_fields_set.


@dataclass(frozen=True)
class Deadline:
    """A deadline as an item stores it, apart from its words (deadline_text)."""

    kind: str = DeadlineKind.DATE
    due_date: datetime.date | None = None
    recurrence: str = ""
    weekday: int | None = None
    estimate: bool = False

    @classmethod
    def of(cls, action: ActionItem) -> "Deadline":
        return cls(
            kind=action.deadline_kind,
            due_date=action.due_date,
            recurrence=action.recurrence,
            weekday=action.recurrence_weekday,
            estimate=action.deadline_is_estimate,
        )

    def fields(self) -> dict:
        """The item's columns that hold it."""
        return {
            "deadline_kind": self.kind,
            "due_date": self.due_date,
            "recurrence": self.recurrence,
            "recurrence_weekday": self.weekday,
            "deadline_is_estimate": self.estimate,
        }


def counted_from(meeting: Meeting | None) -> datetime.date:
    """The day relative wordings count from: the meeting's, or today for an item of no meeting."""
    return timezone.localdate(meeting.starts_at) if meeting is not None else local_today()


def next_meeting_date(meeting: Meeting | None) -> datetime.date | None:
    """The date of the series' next meeting after `meeting`, once it is scheduled ("下次例会前")."""
    following = series.next_meeting(meeting) if meeting is not None else None
    return timezone.localdate(following.starts_at) if following is not None else None


def words_deadline(text: str, meeting: Meeting | None) -> Deadline | None:
    """The deadline the words give by themselves, or None when they cannot be read."""
    parsed = parse_deadline(text, meeting_date=counted_from(meeting))
    return _read(parsed, meeting)


def _read(parsed, meeting: Meeting | None) -> Deadline | None:
    if parsed.needs_confirmation:
        return None
    due_date = next_meeting_date(meeting) if parsed.kind == DeadlineKind.EVENT else parsed.due_date
    return Deadline(
        kind=parsed.kind,
        due_date=due_date,
        recurrence=parsed.recurrence,
        weekday=parsed.recurrence_weekday,
        estimate=parsed.is_estimate,
    )


def deadline_from(
    text: str, picked_date: datetime.date | None, meeting: Meeting | None, current: Deadline | None = None
) -> Deadline:
    """What an item's deadline is, from the words said in the meeting and a date picked explicitly.

    The words are always kept as typed (in deadline_text); "预计…" marks the deadline an estimate.

    1. A date picked explicitly wins: a fixed date (DATE) on that day. A picked date that is the very
       date the words give is no override (the editor fills the words' date into the date field), so
       the words' own deadline stands.
    2. Otherwise words that can be read give the deadline, counted from the meeting's date (today for
       an item of no meeting): a date ("两周内" RELATIVE, "3月15日前" DATE), a rhythm ("每周五"
       RECURRING, first due on the first Friday after the meeting), ongoing ("持续进行", no date), or
       "下次例会前" (EVENT), dated with the series' next meeting when it is already scheduled and else
       once it is (event_deadlines_resolve).
    3. Words that cannot be read ("等领导定", "X月X日前", "每季度", or none) keep the deadline the item
       had (`current`); a new item (or one whose date was just cleared) then has no date, and the page
       asks for one.
    """
    parsed = parse_deadline(text, meeting_date=counted_from(meeting))
    words = _read(parsed, meeting)
    if picked_date is not None and (words is None or picked_date != words.due_date):
        return Deadline(kind=DeadlineKind.DATE, due_date=picked_date, estimate=parsed.is_estimate)
    if words is not None:
        return words
    return replace(current or Deadline(), estimate=parsed.is_estimate)


@transaction.atomic
def action_create(
    *,
    title: str,
    owners: Iterable[Owner],
    by,
    meeting=None,
    description: str = "",
    decisions: Iterable = (),
    due_date: datetime.date | None = None,
    deadline_text: str = "",
    priority: str = Priority.NORMAL,
    checkin_days: int = 14,
) -> ActionItem:
    """Create an item with its owners. At least one owner must lead (牵头).

    The deadline follows from the words said (`deadline_text`) and a date picked explicitly
    (`due_date`) by deadline_from; a recurring item's occurrences are planned from its first one."""
    deadline = deadline_from(deadline_text, due_date, meeting)
    action = ActionItem(
        title=title,
        description=description,
        meeting=meeting,
        deadline_text=deadline_text,
        priority=priority,
        created_by=by,
        checkin_days=checkin_days,
        **deadline.fields(),
    )
    action.full_clean()
    action.save()
    _set_owners(action, owners)
    action.decisions.set(decisions)
    if action.recurrence:
        _plan_occurrences(action, deadline.due_date)
    progress_log(action=action, by=by, changes={"status": [None, action.status]}, note=_("创建行动项"))
    return action


@transaction.atomic
def action_complete(*, action: ActionItem, by, note: str = "", completed_at: datetime.datetime | None = None):
    """Mark an item done at 100 %, recording who, when, and whether that met the deadline.

    `completed_at` backfills a completion reported late; it may not be in the future. Completing a done
    item changes nothing.
    """
    now = timezone.now()
    completed_at = completed_at or now
    if completed_at > now + datetime.timedelta(minutes=1):
        raise ValidationError(_("完成时间不能晚于现在。"), code="future")
    action = _locked(action)
    if action.status == Status.DONE:
        return action
    if action.status == Status.CANCELLED:
        raise ValidationError(_("已取消的行动项不能标记为完成。"), code="cancelled")
    changes = {"status": [action.status, Status.DONE]}
    if action.progress != 100:
        changes["progress"] = [action.progress, 100]
    action.status = Status.DONE
    action.progress = 100
    action.completed_at = completed_at
    action.completed_by = by
    action.completed_on_time = action.was_on_time(completed_at)
    action.status_reason = ""
    action.save(
        update_fields=[
            "status",
            "progress",
            "completed_at",
            "completed_by",
            "completed_on_time",
            "status_reason",
            "updated_at",
        ]
    )
    progress_log(action=action, by=by, changes=changes, note=note)
    _cancel_reminders(action, _("事项已完成"))
    waiting = DeadlineChange.objects.filter(action=action, state=DeadlineChange.State.PENDING)
    closed = list(waiting.values_list("pk", flat=True))
    waiting.update(state=DeadlineChange.State.REJECTED, decided_at=now, decision_note=_("事项已完成"))
    if closed:
        from actions.notifications import withdraw_deadline_requests

        withdraw_deadline_requests(change_ids=closed)
    return action


@transaction.atomic
def action_update_progress(*, action: ActionItem, by, progress: int, note: str = "", attachment=None):
    """Record progress (0–100). Starting work moves a 未开始 item to 进行中."""
    if not 0 <= progress <= 100:
        raise ValidationError(_("进度应在 0 到 100 之间。"), code="progress_range")
    action = _locked(action)
    if not action.is_open and action.status != Status.ON_HOLD:
        raise ValidationError(
            _("该事项%(status)s,不能再更新进度。") % {"status": action.get_status_display()}
        )
    changes = {}
    if progress != action.progress:
        changes["progress"] = [action.progress, progress]
        action.progress = progress
    if progress > 0 and action.status == Status.NOT_STARTED:
        changes["status"] = [action.status, Status.IN_PROGRESS]
        action.status = Status.IN_PROGRESS
    if not changes and not note and not attachment:
        return action
    action.save(update_fields=["progress", "status", "updated_at"])
    progress_log(action=action, by=by, changes=changes, note=note, attachment=attachment)
    return action


@transaction.atomic
def action_add_note(*, action: ActionItem, by, note: str, attachment=None) -> ProgressEntry:
    if not note.strip() and not attachment:
        raise ValidationError(_("请填写进展说明或上传附件。"), code="empty_note")
    action = _locked(action)
    ActionItem.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    return progress_log(action=action, by=by, note=note.strip(), attachment=attachment)


@transaction.atomic
def action_set_status(*, action: ActionItem, by, status: str, reason: str = "") -> ActionItem:
    """Put on hold, cancel, resume or reopen an item. On hold and cancel need a reason."""
    if status == Status.DONE:
        return action_complete(action=action, by=by, note=reason)
    reason = reason.strip()
    if status in (Status.ON_HOLD, Status.CANCELLED) and not reason:
        raise ValidationError(_("搁置或取消行动项时请说明原因。"), code="reason_required")
    action = _locked(action)
    if action.status == status:
        return action
    changes = {"status": [action.status, status]}
    action.status = status
    action.status_reason = reason if status in (Status.ON_HOLD, Status.CANCELLED) else ""
    if status in (Status.NOT_STARTED, Status.IN_PROGRESS):
        action.completed_at = action.completed_by = action.completed_on_time = None
    action.save(
        update_fields=[
            "status",
            "status_reason",
            "completed_at",
            "completed_by",
            "completed_on_time",
            "updated_at",
        ]
    )
    progress_log(action=action, by=by, changes=changes, note=reason)
    if status not in (Status.NOT_STARTED, Status.IN_PROGRESS):
        _cancel_reminders(action, _("事项状态改为%(status)s") % {"status": action.get_status_display()})
    return action


def _apply_deadline(action: ActionItem, *, by, new_due_date: datetime.date, note: str) -> None:
    """A postponement (an approved request, a manager's change, 部门行动项's bulk change): a date picked
    explicitly, read by the one rule (deadline_from) with no words, since the words from the meeting
    ("明天下班前") described the old date; the log keeps them. A recurring item keeps its rhythm: the
    new date is its current occurrence's."""
    before = {
        "due_date": str(action.due_date) if action.due_date else None,
        "deadline_kind": action.deadline_kind,
        "deadline_text": action.deadline_text,
        "deadline_is_estimate": action.deadline_is_estimate,
    }
    if action.deadline_kind == DeadlineKind.RECURRING:
        action.due_date = new_due_date
    else:
        deadline = deadline_from("", new_due_date, action.meeting)
        action.due_date, action.deadline_kind = deadline.due_date, deadline.kind
        action.deadline_is_estimate = deadline.estimate
        action.deadline_text = ""
    after = {
        "due_date": str(action.due_date),
        "deadline_kind": action.deadline_kind,
        "deadline_text": action.deadline_text,
        "deadline_is_estimate": action.deadline_is_estimate,
    }
    # The log shows the date, the kind and the words; the estimate flag goes with them.
    changes = {
        key: [before[key], after[key]]
        for key in ("due_date", "deadline_kind", "deadline_text")
        if before[key] != after[key]
    }
    action.save(
        update_fields=["due_date", "deadline_kind", "deadline_text", "deadline_is_estimate", "updated_at"]
    )
    progress_log(action=action, by=by, changes=changes, note=note)
    _cancel_reminders(action, _("完成时限已修改"))


def _check_deadline_change(action: ActionItem, new_due_date: datetime.date, reason: str) -> str:
    """Whether this item's deadline may change to `new_due_date` now; returns the stripped reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("修改完成时限必须说明原因。"), code="reason_required")
    if not action.is_open and action.status != Status.ON_HOLD:
        raise ValidationError(
            _("该事项%(status)s,不能修改完成时限。") % {"status": action.get_status_display()}
        )
    if action.due_date == new_due_date:
        raise ValidationError(_("新的完成时限与当前相同。"), code="same_date")
    if action.deadline_changes.filter(state=DeadlineChange.State.PENDING).exists():
        raise ValidationError(_("已有一个延期申请在等待审批。"), code="pending_exists")
    return reason


@transaction.atomic
def deadline_change_request(
    *, action: ActionItem, by, new_due_date: datetime.date, reason: str, approved: bool
) -> DeadlineChange:
    """申请延期. `approved` says whether `by` decides deadlines for this item (the policy's
    can_decide_deadline): then the change applies at once; otherwise it waits for approval and the
    original date stays in force."""
    action = _locked(action)
    reason = _check_deadline_change(action, new_due_date, reason)
    change = DeadlineChange.objects.create(
        action=action,
        requested_by=by,
        old_due_date=action.due_date,
        new_due_date=new_due_date,
        reason=reason,
    )
    if approved:
        change.state, change.decided_by, change.decided_at = DeadlineChange.State.APPROVED, by, timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
        _apply_deadline(action, by=by, new_due_date=new_due_date, note=reason)
    else:
        progress_log(
            action=action,
            by=by,
            note=reason,
            changes={
                "deadline_request": [str(action.due_date) if action.due_date else None, str(new_due_date)]
            },
        )
        from actions.notifications import notify_deadline_requested

        notify_deadline_requested(change=change)
    return change


@transaction.atomic
def deadline_change_decide(*, change: DeadlineChange, by, approve: bool, note: str = "") -> DeadlineChange:
    change = DeadlineChange.objects.select_for_update().select_related("action").get(pk=change.pk)
    if change.state != DeadlineChange.State.PENDING:
        raise ValidationError(_("该延期申请已经处理过了。"), code="decided")
    change.state = DeadlineChange.State.APPROVED if approve else DeadlineChange.State.REJECTED
    change.decided_by, change.decided_at, change.decision_note = by, timezone.now(), note.strip()
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    action = _locked(change.action)
    if approve:
        _apply_deadline(action, by=by, new_due_date=change.new_due_date, note=note or change.reason)
    else:
        progress_log(
            action=action,
            by=by,
            changes={"deadline_request": ["rejected", str(change.new_due_date)]},
            note=note,
        )
    from actions.notifications import notify_deadline_decided

    notify_deadline_decided(change=change)
    return change


@transaction.atomic
def action_fields_set(*, action: ActionItem, by, changes: dict, note: str):
    """An editor's change to an item's own fields (title, description, priority, the deadline's words
    and date), as the minutes editor writes them: `action` is locked and holds the old values, `changes`
    the fields the user set (a value it already holds changes nothing). A new wording or date goes
    through deadline_from, as a new item's does; a date set to None was cleared. Checked by ActionAccess
    (editors only); logged; a new date or kind of deadline drops the reminders planned for the old one,
    and a new rhythm replans the occurrences from the first one, as every other way of re-dating an
    item does."""
    policy.require(policy.access(by, action), policy.EDIT)
    changes = dict(changes)
    start = None
    if changes.keys() & {"deadline_text", "due_date"}:
        current = None if "due_date" in changes else Deadline.of(action)
        deadline = deadline_from(
            changes.get("deadline_text", action.deadline_text),
            changes.get("due_date"),
            action.meeting,
            current,
        )
        changes |= deadline.fields()
        if deadline.kind == DeadlineKind.RECURRING:
            # A recurring item is due when its next occurrence is: the plan sets due_date.
            start = changes.pop("due_date")
    changes = {attr: new for attr, new in changes.items() if getattr(action, attr) != new}
    if not changes:
        return action
    log = {attr: [_plain(getattr(action, attr)), _plain(new)] for attr, new in changes.items()}
    for attr, new in changes.items():
        setattr(action, attr, new)
    action.updated_at = timezone.now()
    ActionItem.objects.filter(pk=action.pk).update(**changes, updated_at=action.updated_at)
    progress_log(action=action, by=by, changes=log, note=note)
    if changes.keys() & {"due_date", "deadline_kind"}:
        _cancel_reminders(action, _("完成时限已修改"))
    if changes.keys() & {"deadline_kind", "recurrence", "recurrence_weekday"}:
        occurrences_replan(action=action, start=start)
    return action


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def owners_set(*, action: ActionItem, by, owners: Iterable[Owner], reason: str = "") -> ActionItem:
    """Reassign. Recorded in the log, because handing work around ("踢皮球") must be visible."""
    action = _locked(action)
    before = [_owner_label(o) for o in action.owners.select_related("user", "department")]
    _set_owners(action, owners)
    after = [_owner_label(o) for o in action.owners.select_related("user", "department")]
    if sorted(before) != sorted(after):
        progress_log(action=action, by=by, changes={"owners": [before, after]}, note=reason)
    return action


@transaction.atomic
def bulk_deadline_set(
    *, action: ActionItem, by, new_due_date: datetime.date, reason: str, approved: bool
) -> None:
    """批量修改完成时限 (部门行动项). Only a later date is a postponement (延期): it goes through
    deadline_change_request, so its DeadlineChange row counts in 延期次数 and 延期最多, and waits for
    approval when `by` does not decide deadlines. An earlier date (or a first date for an item without
    one), set by someone who decides deadlines, is a plain date change: logged, but no DeadlineChange."""
    action = _locked(action)
    postponed = action.due_date is not None and new_due_date > action.due_date
    if postponed or not approved:
        deadline_change_request(
            action=action, by=by, new_due_date=new_due_date, reason=reason, approved=approved
        )
        return
    reason = _check_deadline_change(action, new_due_date, reason)
    _apply_deadline(action, by=by, new_due_date=new_due_date, note=reason)


@transaction.atomic
def occurrence_deliver(*, occurrence: Occurrence, by, note: str = "") -> Occurrence:
    occurrence = Occurrence.objects.select_for_update().select_related("action").get(pk=occurrence.pk)
    if occurrence.delivered_at is not None:
        return occurrence
    if occurrence.action.status in (Status.DONE, Status.CANCELLED):
        raise ValidationError(
            _("该事项%(status)s,不能再登记交付。") % {"status": occurrence.action.get_status_display()}
        )
    occurrence.delivered_at, occurrence.delivered_by = timezone.now(), by
    occurrence.save(update_fields=["delivered_at", "delivered_by"])
    action = occurrence.action
    progress_log(action=action, by=by, changes={"delivered": str(occurrence.due_date)}, note=note)
    _sync_recurring_due_date(action)
    _cancel_reminders(action, pgettext("reminder cancelled", "本期已交付"))
    return occurrence


@transaction.atomic
def event_deadlines_resolve(*, meeting) -> int:
    """ "下次例会前": once the next meeting of a series is scheduled, items from earlier meetings of the
    series that wait for it get its date. Returns how many items were resolved."""
    if meeting.series_id is None:
        return 0
    waiting = ActionItem.objects.filter(
        meeting__series_id=meeting.series_id,
        meeting__starts_at__lt=meeting.starts_at,
        deadline_kind=DeadlineKind.EVENT,
        due_date__isnull=True,
    ).exclude(pk__in=meeting.action_items.values("pk"))
    day = timezone.localdate(meeting.starts_at)
    count = 0
    for action in waiting.select_for_update():
        action.due_date = day
        action.save(update_fields=["due_date", "updated_at"])
        progress_log(
            action=action,
            by=None,
            changes={"due_date": [None, str(day)]},
            note=_("下次会议已安排:%(title)s") % {"title": meeting.title},
        )
        count += 1
    return count
