"""站内通知 (the bell): reads and writes for one user's notifications."""

from django.db import transaction
from django.utils import timezone

from actions.models import DeadlineChange, Notification
from actions.policy import deadline_deciders


def unread_count(user) -> int:
    """The number on the bell: one COUNT on a partial index, on every page."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user):
    """The notifications page: the user's own, newest first, with their items."""
    return Notification.objects.filter(recipient=user).select_related(
        "action", "deadline_change__requested_by"
    )


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def _notify(*, change: DeadlineChange, kind: str, recipients) -> None:
    # The unique key (deadline change, recipient, kind) makes a second call add nothing.
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, action_id=change.action_id, deadline_change=change, kind=kind)
            for user in recipients
        ],
        ignore_conflicts=True,
    )


def notify_deadline_requested(*, change: DeadlineChange) -> None:
    """Tell each person who may decide a new deadline request about it, once, in the bell (always on,
    like the reminders' in-app channel). Opening it leads to the item page, where they decide."""
    _notify(
        change=change,
        kind=Notification.DEADLINE_REQUESTED,
        recipients=deadline_deciders(change.action, requester=change.requested_by),
    )


def notify_deadline_decided(*, change: DeadlineChange) -> None:
    """Tell the requester that their request was approved (the new date) or rejected (the comment).
    Nobody is told of their own decision."""
    requester = change.requested_by
    if requester is None or not requester.is_active or requester.pk == change.decided_by_id:
        return
    approved = change.state == DeadlineChange.State.APPROVED
    kind = Notification.DEADLINE_APPROVED if approved else Notification.DEADLINE_REJECTED
    _notify(change=change, kind=kind, recipients=[requester])


def withdraw_deadline_requests(*, change_ids) -> int:
    """Requests closed without a decision (the item was completed): the deciders' unread "please
    decide" notifications are marked read, so the bell no longer asks for something already settled."""
    return Notification.objects.filter(
        deadline_change_id__in=change_ids, kind=Notification.DEADLINE_REQUESTED, read_at__isnull=True
    ).update(read_at=timezone.now())
