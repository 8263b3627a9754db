"""What each user wants: individual reminders or the weekly digest only, which channels (e-mail and
group robots; the in-app bell is always on), and their time zone. Users who never chose get the
defaults, not saved."""

from django.db import transaction

from actions.models import ReminderPreference
from actions.reminders.rules import conf

CHANNELS = ("email", "robot", "in_app")


def preference_for(user) -> ReminderPreference:
    """The user's saved preferences, or the defaults (not saved) when they never chose."""
    try:
        return user.reminder_preference
    except ReminderPreference.DoesNotExist:
        return ReminderPreference(user=user, time_zone=conf("TIME_ZONE"))


def wants(user, channel: str) -> bool:
    """Whether `user` wants reminders on `channel`: "email", "robot" or "in_app" (always on)."""
    if channel not in CHANNELS:
        raise ValueError(f"Unknown reminder channel: {channel!r}")
    if channel == "in_app":
        return True
    return bool(getattr(preference_for(user), channel))


@transaction.atomic
def reminder_preference_save(
    *, user, mode: str, support_reminders: bool, email: bool, robot: bool, time_zone: str
) -> ReminderPreference:
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user,
        defaults={
            "mode": mode,
            "support_reminders": support_reminders,
            "email": email,
            "robot": robot,
            "time_zone": time_zone,
        },
    )
    return preference
