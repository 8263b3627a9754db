"""Reminders: plan rows first, then send each row once.

Planning inserts one row per (item, kind, recipient, slot); the unique key makes planning safe to run
any number of times. Sending claims a row atomically before the e-mail goes out, so a second worker
or a retried task cannot send it again.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from actions import links
from actions.models import Reminder, local_today
from actions.policy import access
from actions.selectors import actions_due_on

logger = logging.getLogger(__name__)


def plan_due_tomorrow(*, today: datetime.date | None = None) -> list[int]:
    """Insert the reminders for items due tomorrow and return the IDs of every row still to send."""
    today = today or local_today()
    tomorrow = today + datetime.timedelta(days=1)
    rows = []
    for action in actions_due_on(tomorrow):
        for owner in action.owners.all():
            recipient = owner.answering_user
            if recipient is None or not recipient.is_active:
                continue
            if not recipient.email:
                logger.warning(
                    "No e-mail address for %s; reminder for action %s skipped", recipient, action.pk
                )
                continue
            rows.append(
                Reminder(action=action, recipient=recipient, kind=Reminder.Kind.DUE_TOMORROW, slot=tomorrow)
            )
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Reminder.objects.filter(kind=Reminder.Kind.DUE_TOMORROW, slot=tomorrow, state=Reminder.State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _claim(reminder_id: int) -> bool:
    return bool(
        Reminder.objects.filter(pk=reminder_id, state=Reminder.State.PENDING).update(
            state=Reminder.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def build_message(reminder: Reminder) -> EmailMultiAlternatives:
    """The e-mail, in the recipient's own language, with one-click links signed for this recipient:
    "更新进度" for every owner, "标记完成" only for those the policy lets complete the item."""
    action, recipient = reminder.action, reminder.recipient
    may_complete = access(recipient, action).can_complete
    context = {
        "action": action,
        "recipient": recipient,
        "url": settings.SITE_URL + action.get_absolute_url(),
        "my_actions_url": settings.SITE_URL + reverse("actions:my"),
        "complete_url": links.make_link(action, recipient, links.COMPLETE) if may_complete else None,
        "progress_url": links.make_link(action, recipient, links.PROGRESS),
        "link_days": links.MAX_AGE.days,
        "calendar_url": settings.SITE_URL + reverse("actions:calendar"),
    }
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = render_to_string("emails/reminder_due_tomorrow_subject.txt", context).strip()
        text = render_to_string("emails/reminder_due_tomorrow.txt", context)
        html = render_to_string("emails/reminder_due_tomorrow.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    return message


def send_reminder(reminder_id: int) -> bool:
    """Send one planned reminder. Returns False when another worker already has it or it was sent.

    A transport error puts the row back to pending and re-raises, so the caller can retry it.
    """
    if not _claim(reminder_id):
        return False
    reminder = Reminder.objects.select_related("action", "recipient").get(pk=reminder_id)
    try:
        build_message(reminder).send()
    except Exception as exc:
        Reminder.objects.filter(pk=reminder_id).update(state=Reminder.State.PENDING, error=str(exc)[:2000])
        raise
    Reminder.objects.filter(pk=reminder_id).update(
        state=Reminder.State.SENT, sent_at=timezone.now(), error=""
    )
    return True


def mark_failed(reminder_id: int, error: str) -> None:
    Reminder.objects.filter(pk=reminder_id).exclude(state=Reminder.State.SENT).update(
        state=Reminder.State.FAILED, error=error[:2000]
    )


def enqueue_after_commit(reminder_ids: list[int]) -> None:
    from actions.tasks import send_reminder_task

    for reminder_id in reminder_ids:
        transaction.on_commit(lambda rid=reminder_id: send_reminder_task.delay(rid))
