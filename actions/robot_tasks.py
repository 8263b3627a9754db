"""The robot send task: thin, takes a channel ID, safe to run any number of times. It is queued by its
name (actions.reminders.sending), so the code it runs never imports this module."""

from celery import shared_task
from django.conf import settings

from actions import channels
from actions.reminders import sending


@shared_task(
    bind=True,
    name=sending.SEND_ROBOT_CHANNEL,
    acks_late=True,
    max_retries=None,  # waiting for the rate limit is not a failure; transient errors count below
    time_limit=60,
    soft_time_limit=45,
)
def send_robot_channel(self, channel_id: int, attempts: int = 0) -> int:
    """Post the robot's pending deliveries. Returns how many went out. `attempts` counts the transient
    failures so far."""
    result = channels.robot_channel_drain(
        channel_id=channel_id, final_attempt=attempts >= settings.ROBOT_MAX_ATTEMPTS - 1
    )
    if result.transient:
        # 5xx, timeout, unreachable: exponential backoff, or the platform's own reset time.
        countdown = max(result.retry_in or 0, settings.ROBOT_RETRY_BACKOFF * 2**attempts)
        attempts += 1
    elif result.retry_in is not None:
        countdown = result.retry_in  # a rate-limit slot frees then, or more is waiting now
    else:
        return result.sent
    self.apply_async((channel_id, attempts), countdown=countdown)
    return result.sent
