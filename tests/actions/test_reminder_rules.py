"""The reminder rules as pure functions: which slot of each kind a day has reached."""

import pytest

from actions.models import Reminder
from actions.reminders import rules
from tests.actions.reminder_helpers import day

Kind = Reminder.Kind
RULES = rules.Rules()
THURSDAY = day(3)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (day(-1), None),  # Sunday, 4 days ahead: nothing yet (and quiet)
        (day(0), (Kind.UPCOMING, day(0), 3)),  # Monday: 3 days before
        (day(1), (Kind.UPCOMING, day(0), 2)),  # Tuesday: still Monday's slot, already planned then
        (day(2), (Kind.UPCOMING, day(2), 1)),  # Wednesday: 1 day before
        (day(3), (Kind.DUE_TODAY, day(3), 0)),
        (day(4), (Kind.OVERDUE, day(4), 1)),  # one day overdue
        (day(5), None),  # Saturday: quiet
        (day(6), None),  # Sunday: quiet
        (day(7), (Kind.OVERDUE, day(7), 4)),  # then every 3 days
        (day(9), (Kind.OVERDUE, day(7), 6)),
        (day(10), (Kind.OVERDUE, day(10), 7)),
    ],
)
def test_owner_slot_through_the_life_of_an_item_due_on_thursday(today, expected):
    assert rules.owner_slot(today, THURSDAY, RULES) == expected


def test_due_today_goes_out_on_a_quiet_day():
    saturday = day(5)
    assert rules.owner_slot(saturday, saturday, RULES) == (Kind.DUE_TODAY, saturday, 0)


def test_missed_overdue_slot_on_sunday_goes_out_once_on_monday():
    due = day(-11)  # overdue slots on days -10, -7, -4 and -1 (a Sunday)
    assert rules.owner_slot(day(-1), due, RULES) is None
    assert rules.owner_slot(day(0), due, RULES) == (Kind.OVERDUE, day(-1), 11)


def test_upcoming_is_not_caught_up_once_the_due_date_is_here():
    assert rules.owner_slot(THURSDAY, THURSDAY, RULES)[0] == Kind.DUE_TODAY
    assert rules.owner_slot(day(4), THURSDAY, RULES)[0] == Kind.OVERDUE


def test_escalation_levels_at_7_and_14_days_only_the_highest_reached():
    due = day(-7)
    assert rules.escalation_slot(day(-1), due, RULES) is None
    assert rules.escalation_slot(day(0), due, RULES) == (Kind.ESCALATION, day(0), 1)
    assert rules.escalation_slot(day(3), due, RULES) == (Kind.ESCALATION, day(0), 1)
    assert rules.escalation_slot(day(7), due, RULES) == (Kind.ESCALATION, day(7), 2)
    assert rules.escalation_slot(day(30), due, RULES) == (Kind.ESCALATION, day(7), 2)


@pytest.mark.parametrize(
    ("overdue", "days", "expected"),
    [
        (6, (7, 14), None),
        (7, (7, 14), (1, 7)),
        (13, (7, 14), (1, 7)),
        (14, (7, 14), (2, 14)),
        (10, (3, 10), (2, 10)),
        (10, (10, 3), (2, 10)),  # a department's days in any order
    ],
)
def test_escalation_level_counts_the_escalation_days_reached(overdue, days, expected):
    assert rules.escalation_level(overdue, rules.Rules(escalation_days=days)) == expected


def test_an_item_follows_the_department_of_its_first_lead_that_has_one():
    lead, support = "lead", "support"
    # (role, user_id, department_id, the user's department_id)
    assert rules.item_department([(lead, 1, None, 10), (lead, 2, None, 20)]) == 10
    assert rules.item_department([(lead, 1, None, None), (lead, None, 30, None)]) == 30
    assert rules.item_department([(support, 1, None, 10), (lead, 2, None, 20)]) == 20
    assert rules.item_department([(support, 1, None, 10)]) is None


def test_checkin_every_n_days_without_progress():
    last = day(-14)
    assert rules.checkin_slot(day(-1), last, 14, RULES) is None  # Sunday (and only 13 days)
    assert rules.checkin_slot(day(0), last, 14, RULES) == (Kind.CHECKIN, day(0), 14)
    assert rules.checkin_slot(day(1), last, 14, RULES) == (Kind.CHECKIN, day(0), 15)
    assert rules.checkin_slot(day(14), last, 14, RULES) == (Kind.CHECKIN, day(14), 28)


def test_digest_on_monday_and_caught_up_only_after_downtime():
    assert rules.digest_slot(day(0), RULES, last_planned_day=day(-1)) == (Kind.DIGEST, day(0), 0)
    # Tuesday, planning ran on Monday: no digest for someone new this week.
    assert rules.digest_slot(day(1), RULES, last_planned_day=day(0)) is None
    # Wednesday after planning was down since Saturday: this week's digest goes out late, once.
    assert rules.digest_slot(day(2), RULES, last_planned_day=day(-2)) == (Kind.DIGEST, day(0), 0)


def test_department_override_replaces_only_what_it_sets():
    override = type("Override", (), {})()
    override.upcoming_days, override.overdue_every_days = "5, 2", None
    override.escalation_days, override.quiet_weekdays = "", "-"
    merged = rules.apply_override(RULES, override)
    assert merged.upcoming_days == (5, 2)
    assert merged.overdue_every_days == 3 and merged.escalation_days == (7, 14)
    assert merged.quiet_weekdays == frozenset()


def test_nearest_department_override_wins():
    def override(**fields):
        obj = type("Override", (), {"upcoming_days": "", "overdue_every_days": None})()
        obj.escalation_days, obj.quiet_weekdays = "", ""
        for name, value in fields.items():
            setattr(obj, name, value)
        return obj

    parents = {1: None, 2: 1, 3: 2}
    by_department = rules.RulesByDepartment(
        RULES, {1: override(upcoming_days="7", quiet_weekdays="6"), 2: override(upcoming_days="2")}, parents
    )
    child = by_department.for_department(3)
    assert child.upcoming_days == (2,)
    assert child.quiet_weekdays == frozenset({6})  # inherited from the top department
    assert by_department.for_department(None) == RULES
    assert by_department.max_upcoming_days() == 7


@pytest.mark.parametrize("text", ["3,x", "-1", "3;1"])
def test_bad_day_lists_are_refused(text):
    with pytest.raises(ValueError):
        rules.parse_days(text)
