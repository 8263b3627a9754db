"""Celery tasks for meetings: thin, take IDs, call services, safe to run twice."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from meetings import notifications
from meetings import series as series_rules

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=notifications.SEND_NOTICE,
    acks_late=True,
    max_retries=5,
    time_limit=60,
    soft_time_limit=45,
)
def send_meeting_notice(self, notice_id: int) -> bool:
    try:
        return notifications.send_notice(notice_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("Meeting notice %s failed for good", notice_id)
            notifications.fail_notice(notice_id, f"{exc.__class__.__name__}: {exc}")
            return False
        # Exponential backoff: 30 s, 60 s, 120 s, …
        countdown = 30 * 2**self.request.retries
        notifications.retry_at(notice_id, timezone.now() + datetime.timedelta(seconds=countdown))
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="meetings.tasks.create_upcoming_meetings")
def create_upcoming_meetings() -> list[int]:
    """Create each active series' next meeting once it is within the series' lead time. Creating is
    idempotent (one meeting per series and day), so overlapping runs are harmless."""
    created = []
    for series, day in list(series_rules.series_due_for_creation()):
        meeting, is_new = series_rules.series_create_next_meeting(series=series, day=day)
        if is_new:
            created.append(meeting.pk)
    return created
