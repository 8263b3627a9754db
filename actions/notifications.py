"""站内通知 (the bell): reads and writes for one user's notifications."""

from django.db import transaction
from django.utils import timezone

from actions.models import Notification


def unread_count(user) -> int:
    """The number on the bell: one COUNT on a partial index, on every page."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user):
    """The notifications page: the user's own, newest first, with their items."""
    return Notification.objects.filter(recipient=user).select_related("action")


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
