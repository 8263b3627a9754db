"""The reminder tasks: thin, take IDs, call the planning and sending code, safe to run twice. That code
queues these tasks by their names (actions.reminders.sending), so it never imports this module."""

import datetime

from celery import shared_task

from actions.reminders import planning, sending


@shared_task(name="actions.tasks.plan_reminders", time_limit=5 * 60, soft_time_limit=4 * 60)
def plan_reminders(now: str | None = None) -> int:
    """Beat runs this every 10 minutes. It sends nothing itself: it plans the reminders due now and
    enqueues one send task per new row (and per row to recover) after commit. Returns how many.
    `now` (ISO 8601) plans for another moment, e.g. to replay a day; beat leaves it out."""
    moment = datetime.datetime.fromisoformat(now) if now else None
    result = planning.plan(now=moment)
    return len(result.new_ids) + len(result.recovered_ids)


@shared_task(
    bind=True,
    name=sending.SEND_REMINDER,
    # Acknowledged only when finished: a worker killed mid-task leaves the message to the broker, and the
    # row's atomic claim keeps a redelivery from sending twice.
    acks_late=True,
    time_limit=90,
    soft_time_limit=60,
    # The row counts the attempts (sending.send_reminder fails it after MAX_ATTEMPTS claims); this
    # only guards against a retry loop.
    max_retries=None,
)
def send_reminder_task(self, reminder_id: int) -> bool:
    try:
        return sending.send_reminder(reminder_id)
    except sending.RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=exc) from exc
