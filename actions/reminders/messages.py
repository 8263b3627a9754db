"""What a reminder says: the e-mail about one item and the weekly digest, rendered when they are sent,
from the recipient's day at that moment and in their language (templates in templates/emails/)."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from actions import links
from actions.models import ActionItem, ActionOwner, DeadlineKind, Reminder, end_of_week
from actions.policy import access, shown_decisions_for
from actions.reminders import rules
from actions.reminders.preferences import preference_for
from actions.selectors import action_rows
from config.mail import stable_message_id

Kind = Reminder.Kind
LEAD = ActionOwner.Role.LEAD


def message_day(reminder: Reminder, now: datetime.datetime | None = None) -> datetime.date:
    """The day a message speaks from ("明天到期", "逾期3天"): the recipient's today when it is sent, in
    their time zone. Texts are rendered at send time, so a reminder held back by an outage, or retried
    the next morning, says what is true when it arrives."""
    time_zone = preference_for(reminder.recipient).time_zone or rules.conf("TIME_ZONE")
    return timezone.localtime(now or timezone.now(), rules.zone(time_zone)).date()


def _context(reminder: Reminder) -> dict:
    action, recipient = reminder.action, reminder.recipient
    today = message_day(reminder)
    item_access = access(recipient, action)
    is_owner = reminder.kind != Kind.ESCALATION and item_access.is_owner
    latest = (
        action.progress_entries.exclude(note="")
        .exclude(changes__has_key="status", changes__status__0=None)
        .select_related("author")
        .first()
    )
    owners = list(action.owners.all())
    due = action.due_date
    return {
        "reminder": reminder,
        "kind": reminder.kind,
        "headline": _headline(due, today),
        "action": action,
        "recipient": recipient,
        "meeting": action.meeting,
        # As the recipient may read them: "(保密决议)" where they may not see the meeting's secrets.
        "decisions": shown_decisions_for(recipient, action),
        "leads": [o.owner_name for o in owners if o.role == LEAD],
        "supports": [o.owner_name for o in owners if o.role != LEAD],
        "latest": latest,
        "days_left": (due - today).days if due else None,
        "days_overdue": (today - due).days if due else None,
        "idle_days": (today - timezone.localdate(latest.created_at if latest else action.created_at)).days,
        "level": _escalation_level(reminder),
        "is_recurring": action.deadline_kind == DeadlineKind.RECURRING,
        "url": settings.SITE_URL + action.get_absolute_url(),
        "my_actions_url": settings.SITE_URL + reverse("actions:my"),
        "preferences_url": settings.SITE_URL + reverse("actions:reminder_preferences"),
        "complete_url": links.make_link(action, recipient, links.COMPLETE)
        if is_owner and item_access.can_complete
        else None,
        "progress_url": links.make_link(action, recipient, links.PROGRESS) if is_owner else None,
        "link_days": links.MAX_AGE.days,
        "calendar_url": settings.SITE_URL + reverse("actions:calendar"),
    }


def _headline(due: datetime.date | None, today: datetime.date) -> str:
    """What the e-mail says about the deadline, seen from the message day."""
    if due is None:
        return "none"
    days = (due - today).days
    return "overdue" if days < 0 else "today" if days == 0 else "tomorrow" if days == 1 else "upcoming"


def _escalation_level(reminder: Reminder) -> int:
    """Level 1 or 2: the level the slot reached under the rules the planner used for the item, those of
    its department (rules.item_department)."""
    if reminder.kind != Kind.ESCALATION or reminder.due_date is None:
        return 0
    owners = [
        (owner.role, owner.user_id, owner.department_id, owner.user.department_id if owner.user_id else None)
        for owner in reminder.action.owners.all()
    ]
    item_rules = rules.RulesByDepartment.load().for_department(rules.item_department(owners))
    reached = rules.escalation_level((reminder.slot - reminder.due_date).days, item_rules)
    return reached[0] if reached else 1


def _message(reminder: Reminder, recipient, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.email],
        headers={"Message-ID": stable_message_id("reminder", reminder.pk)},
    )
    message.attach_alternative(html, "text/html")
    return message


def build_message(reminder: Reminder) -> EmailMultiAlternatives:
    """The e-mail about one item, in the recipient's language, with one-click links signed for the
    recipient: "更新进度" for owners, "标记完成" for those the policy lets complete the item."""
    context = _context(reminder)
    with translation.override(reminder.recipient.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/reminder_subject.txt", context).split())
        text = render_to_string("emails/reminder.txt", context)
        html = render_to_string("emails/reminder.html", context)
    return _message(reminder, reminder.recipient, subject, text, html)


DIGEST_GROUPS = ("overdue", "this_week", "stale")


def digest_items(user, today: datetime.date) -> dict[str, list[ActionItem]]:
    """The weekly digest's groups: 已逾期, 本周到期 (through Sunday) and 长期未更新 (no progress entry
    for the item's check-in period). Each item appears once, in the first group it fits."""
    items = action_rows(ActionItem.objects.owned_by(user).open(), today=today).order_by("due_date", "pk")
    groups = {key: [] for key in DIGEST_GROUPS}
    sunday = end_of_week(today)
    for item in items:
        last = timezone.localdate(item.last_update_at or item.created_at)
        if item.is_overdue_on(today):
            groups["overdue"].append(item)
        elif item.due_date is not None and item.due_date <= sunday:
            groups["this_week"].append(item)
        elif (today - last).days >= item.checkin_days:
            item.idle_days = (today - last).days
            groups["stale"].append(item)
    return groups


def build_digest(reminder: Reminder) -> EmailMultiAlternatives | None:
    """每周行动项汇总, or None when nothing needs the recipient's attention this week."""
    recipient = reminder.recipient
    today = message_day(reminder)
    groups = digest_items(recipient, today)
    if not any(groups.values()):
        return None
    for items in groups.values():
        for item in items:
            item.days_overdue_on = (today - item.due_date).days if item.due_date else 0
            item.url = settings.SITE_URL + item.get_absolute_url()
    context = {
        "recipient": recipient,
        "today": today,
        "week_end": end_of_week(today),
        "groups": [(key, groups[key]) for key in DIGEST_GROUPS if groups[key]],
        "counts": {key: len(items) for key, items in groups.items()},
        "my_actions_url": settings.SITE_URL + reverse("actions:my"),
        "preferences_url": settings.SITE_URL + reverse("actions:reminder_preferences"),
    }
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())
        text = render_to_string("emails/digest.txt", context)
        html = render_to_string("emails/digest.html", context)
    return _message(reminder, recipient, subject, text, html)
