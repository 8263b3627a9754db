"""Celery tasks: thin, take IDs, call services, safe to run twice."""

from celery import shared_task
from django.db import transaction

from actions import reminders


@shared_task(name="actions.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Plan tomorrow's due reminders and enqueue one send task per row. Returns how many were queued."""
    with transaction.atomic():
        reminder_ids = reminders.plan_due_tomorrow()
        reminders.enqueue_after_commit(reminder_ids)
    return len(reminder_ids)


@shared_task(
    bind=True,
    name="actions.tasks.send_reminder",
    acks_late=True,
    max_retries=5,
    time_limit=60,
    soft_time_limit=45,
)
def send_reminder_task(self, reminder_id: int) -> bool:
    try:
        return reminders.send_reminder(reminder_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            reminders.mark_failed(reminder_id, f"{exc.__class__.__name__}: {exc}")
            return False
        # Exponential backoff: 30 s, 60 s, 120 s, …
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
