"""The outbox: everything that leaves the product is a row before it is a message.

Three tables hold the rows, each written in the transaction of the change that causes it:

- `actions.Reminder`: reminder e-mails and the weekly digest (planned by the planning pass);
- `actions.RobotDelivery`: a group robot's share of a reminder (written when the reminder is sent);
- `meetings.MeetingNotice`: invitations and publication notices (written by inviting and publishing).

Each app owns its rows and how they are sent; this module is what they share:

- `enqueue` / `enqueue_on_commit`, the nudge: after commit, hand the rows to the workers over one broker
  connection, never retrying into the caller, never waiting for a result and never raising. A broker
  that is down costs the request nothing; the rows simply wait.
- `sweep`, run by beat every OUTBOX_SWEEP_SECONDS: each app registers a recovery function (in its
  AppConfig.ready()) that queues again what was left behind (never queued, or claimed by a worker that
  died). Sending claims a row atomically, so a row queued twice is still sent once.

The e-mail each row becomes carries a Message-ID derived from the row (config.mail.stable_message_id),
and its text is rendered when it is sent, not when it was planned; a row that is no longer current then
is dropped, with the reason kept on the row.
"""

import logging
from collections.abc import Callable, Iterable

from celery import shared_task

logger = logging.getLogger(__name__)

# name → recover(now) → how many rows it queued again
_RECOVERERS: dict[str, Callable] = {}


def register(name: str, recover: Callable) -> None:
    """Add a source to the sweep. `recover(now)` queues what it left behind and returns how many."""
    _RECOVERERS[name] = recover


def sources() -> list[str]:
    return sorted(_RECOVERERS)


def enqueue(task, arguments: Iterable[tuple]) -> int:
    """Queue `task` once per argument tuple, over one broker connection, without retrying. Returns how
    many were queued; the rest stay in the outbox for the sweep. Never raises: the caller's work is
    committed and must not fail because the broker is down."""
    arguments = list(arguments)
    queued = 0
    if not arguments:
        return 0
    try:
        with task.app.producer_or_acquire() as producer:
            for args in arguments:
                # No retrying into the caller; and no result: the row records the outcome, and asking
                # for a result makes Celery subscribe to the result backend (Redis too), which retries
                # for about 20 s when Redis is down.
                task.apply_async(args, retry=False, ignore_result=True, producer=producer)
                queued += 1
    except Exception as exc:  # kombu and redis raise several types; all mean "not queued now"
        logger.warning(
            "Could not queue %d %s task(s) (%s); the outbox sweep will",
            len(arguments) - queued,
            task.name,
            exc,
        )
    return queued


def enqueue_on_commit(task, arguments: Iterable[tuple]) -> None:
    """`enqueue` once the current transaction commits (at once outside a transaction)."""
    from django.db import transaction

    arguments = list(arguments)
    if arguments:
        transaction.on_commit(lambda: enqueue(task, arguments))


def sweep(*, now=None) -> dict[str, int]:
    """Queue again what every source left behind. One source failing does not stop the others."""
    from django.utils import timezone

    now = now or timezone.now()
    counts = {}
    for name in sources():
        try:
            counts[name] = _RECOVERERS[name](now)
        except Exception:
            logger.exception("Outbox sweep of %s failed; the next sweep tries again", name)
            counts[name] = -1
    if any(counts.values()):
        logger.info("Outbox sweep queued again: %s", counts)
    return counts


@shared_task(name="config.outbox.sweep", time_limit=120, soft_time_limit=100)
def sweep_task() -> dict[str, int]:
    """Beat, every OUTBOX_SWEEP_SECONDS."""
    return sweep()
