"""Sending: each planned row goes out once, on every channel the recipient has.

Sending claims the row atomically (pending → sending), checks that the reminder still applies, sends the
e-mail, fans the reminder out to the other channels (the in-app bell always, the group robots of the
item's meeting when the recipient wants them) and marks the row sent. Transient failures go back to
pending for a retry with exponential backoff; after REMINDERS["MAX_ATTEMPTS"] claims, or at once for a
permanent refusal, the row is failed with the error. A worker that dies after sending but before
marking can cause one duplicate, only then.

The Celery tasks (actions/tasks.py, actions/robot_tasks.py) call this code; this code queues them by
their registered names, through the outbox's nudge (config/outbox.py), never by importing them.
"""

import datetime
import logging

from celery import signature
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import ActionOwner, Notification, Reminder, RobotChannel, RobotDelivery
from actions.reminders import rules
from actions.reminders.messages import build_digest, build_message, digest_items, message_day
from actions.reminders.preferences import wants
from config import outbox
from config.mail import is_permanent
from meetings.models import Decision
from meetings.templatetags.minutes import long_date

logger = logging.getLogger(__name__)

Kind, State = Reminder.Kind, Reminder.State

# The send tasks, by the names they are registered under: changing one strands the queued tasks.
SEND_REMINDER = "actions.tasks.send_reminder"
SEND_ROBOT_CHANNEL = "actions.send_robot_channel"


# Sending -------------------------------------------------------------------------------------------


class RetryLater(Exception):
    """A transient failure: the row is pending again and should be retried after `countdown` s."""

    def __init__(self, countdown: int, error: str):
        super().__init__(error)
        self.countdown = countdown


def claim(reminder_id: int) -> bool:
    """pending → sending, atomically: of two workers holding the same ID only one gets True."""
    return bool(
        Reminder.objects.filter(pk=reminder_id, state=State.PENDING).update(
            state=State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def still_applies(reminder: Reminder, now: datetime.datetime | None = None) -> str:
    """Why the reminder should not go out any more ("" when it should): the recipient left, the item
    was closed or re-dated, or the reminder is no longer current (an "upcoming" one whose date has come,
    one replaced by a later reminder of its kind). The next planning pass plans the right one."""
    if not reminder.recipient.is_active:
        return _("收件人已停用")
    today = message_day(reminder, now)
    if rules.outdated(reminder.kind, reminder.due_date, reminder.slot, today):
        values = {"slot": long_date(reminder.slot), "today": long_date(today)}
        return _("已过时:原定 %(slot)s 的提醒,到 %(today)s 发送时已不再适用") % values
    if reminder.kind == Kind.DIGEST:
        if not any(digest_items(reminder.recipient, today).values()):
            return _("本周没有需要关注的事项")
        return ""
    action = reminder.action
    if not action.is_open:
        return _("事项%(status)s,不再提醒") % {"status": action.get_status_display()}
    if reminder.kind != Kind.CHECKIN and action.due_date != reminder.due_date:
        if action.due_date is None:
            return _("计划后完成时限已被移除")
        return _("计划后完成时限已改为 %(date)s") % {"date": action.due_date}
    if reminder.kind == Kind.CHECKIN and reminder.pk:
        if action.progress_entries.filter(created_at__gt=reminder.created_at).exists():
            return _("计划后已有新的进展记录,不再提醒")
    later = Reminder.objects.filter(
        action_id=reminder.action_id,
        recipient_id=reminder.recipient_id,
        kind__in=rules.kinds_in_family(reminder.kind),
        due_date=reminder.due_date,
        slot__gt=reminder.slot,
    ).exclude(state=State.CANCELLED)
    if later.exists():
        return _("已有更新的提醒,本条作废")
    return ""


def send_reminder(reminder_id: int) -> bool:
    """Send one planned reminder. Returns True when this call sent it; False when another worker has
    it, it was already sent, it no longer applies (then it is cancelled) or it failed for good.
    Raises RetryLater for a transient failure: the row is pending again."""
    if not claim(reminder_id):
        return False
    reminder = (
        Reminder.objects.select_related("action__meeting", "recipient__reminder_preference")
        .prefetch_related(
            # Shared by the policy check (may this recipient complete it?) and the e-mail's owner list.
            Prefetch("action__owners", queryset=ActionOwner.objects.select_related("user", "department")),
            Prefetch("action__decisions", queryset=Decision.objects.select_related("agenda_item")),
        )
        .get(pk=reminder_id)
    )
    reason = still_applies(reminder)
    if reason:
        Reminder.objects.filter(pk=reminder_id, state=State.SENDING).update(
            state=State.CANCELLED, note=reason
        )
        return False
    try:
        deliver(reminder)
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if is_permanent(exc) or reminder.attempts >= rules.conf("MAX_ATTEMPTS"):
            Reminder.objects.filter(pk=reminder_id).update(state=State.FAILED, error=error)
            logger.warning(
                "Reminder %s failed after %d attempt(s): %s", reminder_id, reminder.attempts, error
            )
            return False
        countdown = rules.conf("RETRY_BASE_SECONDS") * 2 ** (reminder.attempts - 1)
        Reminder.objects.filter(pk=reminder_id).update(
            state=State.PENDING,
            error=error,
            queued_at=timezone.now() + datetime.timedelta(seconds=countdown),
        )
        raise RetryLater(countdown, error) from exc
    Reminder.objects.filter(pk=reminder_id).update(state=State.SENT, sent_at=timezone.now(), error="")
    return True


def deliver(reminder: Reminder) -> None:
    """The e-mail (when wanted and possible), then the in-app notification and the group robots."""
    recipient = reminder.recipient
    if wants(recipient, "email"):
        if not recipient.email:
            note = _("收件人没有电子邮箱,只通过站内通知和群机器人提醒")
            if reminder.note != note:
                Reminder.objects.filter(pk=reminder.pk).update(note=note)
                reminder.note = note
            logger.warning(
                "No e-mail address for user %s; reminder %s goes to the other channels",
                recipient.pk,
                reminder.pk,
            )
        elif reminder.emailed_at is None:
            message = build_digest(reminder) if reminder.kind == Kind.DIGEST else build_message(reminder)
            if message is not None:
                message.send()
                reminder.emailed_at = timezone.now()
                Reminder.objects.filter(pk=reminder.pk).update(emailed_at=reminder.emailed_at)
    reminder_fan_out(reminder=reminder)


# Fan-out: the in-app bell and the group robots -----------------------------------------------------


def channels_for_action(action):
    """The enabled robots of the item's meeting: its organising department's and its series'."""
    meeting = action.meeting
    if meeting is None or (meeting.department_id is None and meeting.series_id is None):
        return RobotChannel.objects.none()
    scope = Q()
    if meeting.department_id:
        scope |= Q(department_id=meeting.department_id)
    if meeting.series_id:
        scope |= Q(series_id=meeting.series_id)
    return RobotChannel.objects.filter(scope, enabled=True)


@transaction.atomic
def reminder_fan_out(*, reminder: Reminder) -> list[int]:
    """The in-app notification (always) and one robot delivery per channel (when wanted). Safe to call
    any number of times for one reminder. Returns the IDs of the channels given something to send."""
    Notification.objects.get_or_create(
        reminder=reminder,
        defaults={
            "recipient_id": reminder.recipient_id,
            "action_id": reminder.action_id,
            "kind": reminder.kind,
        },
    )
    # The weekly digest has no item: it is personal and stays out of group chats.
    if reminder.action_id is None or not wants(reminder.recipient, "robot"):
        return []
    channel_ids = list(channels_for_action(reminder.action).values_list("pk", flat=True))
    if not channel_ids:
        return []
    RobotDelivery.objects.bulk_create(
        [RobotDelivery(reminder=reminder, channel_id=channel_id) for channel_id in channel_ids],
        ignore_conflicts=True,
    )
    enqueue_drain(channel_ids)
    return channel_ids


# Queueing ------------------------------------------------------------------------------------------


def enqueue_now(reminder_ids: list[int]) -> int:
    """Hand rows to the workers, over one broker connection. A broker that is down must not break the
    caller (a page, a pass): the rows stay pending and the outbox sweep queues them again. Returns how
    many were queued."""
    return outbox.enqueue(signature(SEND_REMINDER), [(pk,) for pk in reminder_ids])


def enqueue_after_commit(reminder_ids: list[int]) -> None:
    if reminder_ids:
        transaction.on_commit(lambda: enqueue_now(list(reminder_ids)))


def drain_now(channel_ids) -> int:
    """Queue a drain of each robot channel now, over one broker connection (the outbox sweep). Returns
    how many were queued."""
    return outbox.enqueue(signature(SEND_ROBOT_CHANNEL), [(channel_id,) for channel_id in channel_ids])


def enqueue_drain(channel_ids) -> None:
    """Queue a drain of each robot channel after commit. A broker that is down must not break the
    caller: the deliveries stay pending and the outbox sweep queues them again."""
    outbox.enqueue_on_commit(signature(SEND_ROBOT_CHANNEL), [(channel_id,) for channel_id in channel_ids])


@transaction.atomic
def reminder_resend(*, reminder: Reminder) -> bool:
    """Put a failed (or cancelled) reminder back in the queue. Returns False if it was not failed."""
    updated = Reminder.objects.filter(pk=reminder.pk, state__in=(State.FAILED, State.CANCELLED)).update(
        state=State.PENDING, attempts=0, error="", queued_at=timezone.now()
    )
    if updated:
        enqueue_after_commit([reminder.pk])
    return bool(updated)
