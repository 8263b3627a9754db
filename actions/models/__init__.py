"""The models of the actions app, in three modules:

- `items`: action items (行动项), their owners, progress log, occurrences and deadline changes;
- `reminders`: reminder rows, reminder preferences, departments' reminder rules, the planner's days and
  the used one-click links;
- `delivery`: group robots and their deliveries, the in-app bell and calendar feeds.

Everything is imported here, so `from actions.models import ActionItem` works wherever it is needed,
as Django and the migrations expect."""

from actions.models.delivery import (
    CalendarFeed,
    DeliveryState,
    Notification,
    RobotChannel,
    RobotDelivery,
    mask_webhook_url,
    new_feed_token,
)
from actions.models.items import (
    OPEN_STATUSES,
    PROGRESS_CHANGES,
    ActionItem,
    ActionItemQuerySet,
    ActionOwner,
    DeadlineChange,
    DeadlineKind,
    Occurrence,
    Priority,
    ProgressEntry,
    Recurrence,
    Status,
    end_of_week,
    local_today,
    overdue_q,
    progress_notes_q,
)
from actions.models.reminders import (
    TIME_ZONE_CHOICES,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    ReminderSweep,
    UsedLink,
    parse_days,
)

__all__ = [
    "OPEN_STATUSES",
    "PROGRESS_CHANGES",
    "TIME_ZONE_CHOICES",
    "ActionItem",
    "ActionItemQuerySet",
    "ActionOwner",
    "CalendarFeed",
    "DeadlineChange",
    "DeadlineKind",
    "DeliveryState",
    "Notification",
    "Occurrence",
    "Priority",
    "ProgressEntry",
    "Recurrence",
    "Reminder",
    "ReminderPolicy",
    "ReminderPreference",
    "ReminderSweep",
    "RobotChannel",
    "RobotDelivery",
    "Status",
    "UsedLink",
    "end_of_week",
    "local_today",
    "mask_webhook_url",
    "new_feed_token",
    "overdue_q",
    "parse_days",
    "progress_notes_q",
]
