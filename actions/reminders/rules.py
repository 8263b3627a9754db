"""When each reminder is due: pure functions of a day, a deadline and the rules in force.

The planner (actions/reminders/planning.py) asks these functions, for one recipient's "today", which slot of
each kind has been reached. A slot is the day the rules planned a reminder for. Only the latest slot
reached is ever returned, so after downtime each missed reminder goes out once, not once per missed
day; an upcoming reminder is only returned while the due date is still ahead (afterwards the overdue
one covers it).

Quiet days: on a quiet weekday only "due today" goes out; everything else waits for the next working
day, where the same "latest slot reached" rule picks it up.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, replace
from functools import cache

from django.conf import settings

from actions.models import ActionOwner, Reminder, ReminderPolicy, parse_days
from meetings.models import Department

Kind = Reminder.Kind
DAY = datetime.timedelta(days=1)


def conf(name: str):
    """One entry of the REMINDERS setting (config/settings.py)."""
    return settings.REMINDERS[name]


@dataclass(frozen=True)
class Rules:
    upcoming_days: tuple[int, ...] = (3, 1)
    overdue_first_day: int = 1
    overdue_every_days: int = 3
    escalation_days: tuple[int, ...] = (7, 14)
    quiet_weekdays: frozenset[int] = frozenset({5, 6})
    digest_weekday: int = 0

    def is_quiet(self, day: datetime.date) -> bool:
        return day.weekday() in self.quiet_weekdays


def default_rules() -> Rules:
    return Rules(
        upcoming_days=tuple(conf("UPCOMING_DAYS")),
        overdue_first_day=conf("OVERDUE_FIRST_DAY"),
        overdue_every_days=conf("OVERDUE_EVERY_DAYS"),
        escalation_days=tuple(conf("ESCALATION_DAYS")),
        quiet_weekdays=frozenset(conf("QUIET_WEEKDAYS")),
        digest_weekday=conf("DIGEST_WEEKDAY"),
    )


def apply_override(rules: Rules, override) -> Rules:
    """A department's ReminderPolicy on top of `rules`; its empty fields keep what `rules` says."""
    changes = {}
    if override.upcoming_days:
        changes["upcoming_days"] = parse_days(override.upcoming_days)
    if override.overdue_every_days:
        changes["overdue_every_days"] = override.overdue_every_days
    if override.escalation_days:
        changes["escalation_days"] = parse_days(override.escalation_days)
    if override.quiet_weekdays:
        quiet = () if override.quiet_weekdays.strip() == "-" else parse_days(override.quiet_weekdays)
        changes["quiet_weekdays"] = frozenset(quiet)
    return replace(rules, **changes)


def item_department(owners) -> int | None:
    """The department whose rules an item follows: that of its first lead owner (a person's own
    department, or the lead department itself) that has one. `owners`: (role, user_id, department_id,
    the user's department_id) in the owners' order, leads first."""
    for role, user_id, department_id, user_department_id in owners:
        home = user_department_id if user_id is not None else department_id
        if role == ActionOwner.Role.LEAD and home is not None:
            return home
    return None


class RulesByDepartment:
    """The rules in force for each department: its own override, else the nearest one above it, else
    the defaults. Built from two small queries per planning pass; the department tree is small."""

    def __init__(self, default: Rules, overrides: dict[int, object], parents: dict[int, int | None]):
        self.default = default
        self.overrides = overrides
        self.parents = parents
        self._cache: dict[int | None, Rules] = {None: default}

    @classmethod
    def load(cls) -> "RulesByDepartment":
        overrides = {p.department_id: p for p in ReminderPolicy.objects.all()}
        parents = dict(Department.objects.values_list("pk", "parent_id"))
        return cls(default_rules(), overrides, parents)

    def for_department(self, department_id: int | None) -> Rules:
        if department_id in self._cache:
            return self._cache[department_id]
        chain, node, seen = [], department_id, set()
        while node is not None and node not in seen:  # a cycle typed in the admin must not hang us
            seen.add(node)
            if node in self.overrides:
                chain.append(self.overrides[node])
            node = self.parents.get(node)
        rules = self.default
        for override in reversed(chain):  # the nearest department wins
            rules = apply_override(rules, override)
        self._cache[department_id] = rules
        return rules

    def max_upcoming_days(self) -> int:
        """How far ahead of a due date any department's rules start reminding."""
        days = list(self.default.upcoming_days)
        for override in self.overrides.values():
            days.extend(apply_override(self.default, override).upcoming_days)
        return max(days, default=0)


@cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_now(now: datetime.datetime, time_zone: str) -> datetime.datetime:
    return now.astimezone(zone(time_zone))


def planning_day(now: datetime.datetime, time_zone: str) -> datetime.date | None:
    """The recipient's today once the sending hour has come there; None before it (nothing is due)."""
    local = local_now(now, time_zone)
    if local.hour < conf("SEND_HOUR"):
        return None
    return local.date()


# The slot of each kind reached on `today`, or None. Each returns (kind, slot, detail): detail is the
# number of days before the deadline (upcoming), overdue (overdue, escalation level) or idle (check-in).


def owner_slot(today: datetime.date, due: datetime.date | None, rules: Rules):
    """The one reminder an owner gets about a dated item today: upcoming, due today or overdue."""
    if due is None:
        return None
    days_left = (due - today).days
    if days_left == 0:
        return Kind.DUE_TODAY, due, 0  # goes out on quiet days too: the item is due that day
    if rules.is_quiet(today):
        return None
    if days_left > 0:
        reached = [due - d * DAY for d in rules.upcoming_days if 0 < d and due - d * DAY <= today]
        if not reached:
            return None
        return Kind.UPCOMING, max(reached), days_left
    overdue = -days_left
    first, every = rules.overdue_first_day, max(rules.overdue_every_days, 1)
    if overdue < first:
        return None
    step = (overdue - first) // every
    return Kind.OVERDUE, due + (first + step * every) * DAY, overdue


def escalation_level(overdue: int, rules: Rules) -> tuple[int, int] | None:
    """The escalation level `overdue` days have reached, with the escalation day that reached it: level
    1 at the first escalation day, level 2 at the second. None before the first."""
    levels = [(level, d) for level, d in enumerate(sorted(rules.escalation_days), start=1) if overdue >= d]
    return levels[-1] if levels else None


def escalation_slot(today: datetime.date, due: datetime.date | None, rules: Rules):
    """One escalation per item and level (escalation_level). After downtime only the highest level
    reached is sent."""
    if due is None or rules.is_quiet(today):
        return None
    reached = escalation_level((today - due).days, rules)
    if reached is None:
        return None
    level, days = reached
    return Kind.ESCALATION, due + days * DAY, level


def checkin_slot(today: datetime.date, last_activity: datetime.date, every: int, rules: Rules):
    """An ongoing item with no progress entry for `every` days; again every `every` days after that."""
    if rules.is_quiet(today) or every < 1:
        return None
    idle = (today - last_activity).days
    if idle < every:
        return None
    return Kind.CHECKIN, last_activity + (idle // every) * every * DAY, idle


def digest_slot(today: datetime.date, rules: Rules, last_planned_day: datetime.date | None):
    """The week's digest on the digest weekday. A later day only catches up when no planning pass ran
    on or after the digest day (downtime), so a person with a new item mid-week gets no digest."""
    if rules.is_quiet(today):
        return None
    slot = today - ((today.weekday() - rules.digest_weekday) % 7) * DAY
    if slot == today or (last_planned_day is not None and last_planned_day < slot):
        return Kind.DIGEST, slot, 0
    return None


# Currency at send time ------------------------------------------------------------------------------

# Reminders of one family replace each other: a later one about the same item to the same person makes
# an earlier one still unsent pointless ("3天后到期" next to "今天到期").
FAMILIES = {
    Kind.UPCOMING: "owner",
    Kind.DUE_TODAY: "owner",
    Kind.OVERDUE: "owner",
    Kind.ESCALATION: "escalation",
    Kind.CHECKIN: "checkin",
    Kind.DIGEST: "digest",
}


def kinds_in_family(kind: str) -> list[str]:
    return [k for k, family in FAMILIES.items() if family == FAMILIES[kind]]


def outdated(kind: str, due: datetime.date | None, slot: datetime.date, today: datetime.date) -> bool:
    """Whether a reminder planned for `slot` no longer says the truth on `today` (the recipient's day
    at send time): an "upcoming" one once the item is due or overdue, a "due today" one once the day has
    passed, a digest once the next one is due. Overdue, escalation and check-in reminders stay true while
    the item is open, since their text is rendered on the day they go out."""
    if kind == Kind.DIGEST:
        return today >= slot + 7 * DAY  # the next week's digest covers it
    if due is None:
        return False
    if kind == Kind.UPCOMING:
        return due <= today
    if kind == Kind.DUE_TODAY:
        return due != today
    if kind in (Kind.OVERDUE, Kind.ESCALATION):
        return due >= today
    return False
