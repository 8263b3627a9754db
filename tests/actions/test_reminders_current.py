"""Reminders say what is true when they arrive: texts are rendered at send time, and a reminder that is
no longer current then (held back by an outage of the worker or the broker) is dropped, not sent."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from actions import channels
from actions.models import DeliveryState, Reminder, RobotChannel, RobotDelivery
from actions.reminders import messages, planning, rules, sending
from tests.actions.reminder_helpers import beijing, day, plan_at
from tests.factories import make_action

Kind, State = Reminder.Kind, Reminder.State

DAYS = st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2027, 12, 31))


def send(reminder_id, on):
    with time_machine.travel(beijing(on, 9, 5), tick=False):
        return sending.send_reminder(reminder_id)


# The rule itself: whatever the planner plans on a day is current that day, and "current" means the
# wording the e-mail chooses on the day it is sent agrees with the reminder's kind.


@given(today=DAYS, offset=st.integers(min_value=-60, max_value=60))
def test_what_planning_plans_today_is_current_today(today, offset):
    due = today + datetime.timedelta(days=offset)
    every_day = rules.Rules(quiet_weekdays=())
    for hit in (rules.owner_slot(today, due, every_day), rules.escalation_slot(today, due, every_day)):
        if hit:
            kind, slot, _detail = hit
            assert not rules.outdated(kind, due, slot, today)


@given(
    planned=DAYS,
    later=st.integers(min_value=0, max_value=30),
    offset=st.integers(min_value=-30, max_value=30),
)
def test_a_current_reminder_never_contradicts_the_days_it_would_print(planned, later, offset):
    due = planned + datetime.timedelta(days=offset)
    sent_on = planned + datetime.timedelta(days=later)
    hit = rules.owner_slot(planned, due, rules.Rules(quiet_weekdays=()))
    if not hit:
        return
    kind, slot, _detail = hit
    headline = messages._headline(due, sent_on)
    if rules.outdated(kind, due, slot, sent_on):
        return
    expected = {
        Kind.UPCOMING: ("tomorrow", "upcoming"),
        Kind.DUE_TODAY: ("today",),
        Kind.OVERDUE: ("overdue",),
    }
    assert headline in expected[kind]


@given(slot=DAYS, later=st.integers(min_value=0, max_value=20))
def test_a_digest_is_current_only_within_its_week(slot, later):
    monday = slot - datetime.timedelta(days=slot.weekday())
    sent_on = monday + datetime.timedelta(days=later)
    assert rules.outdated(Kind.DIGEST, None, monday, sent_on) == (later >= 7)


# Sending after an outage.


@pytest.mark.django_db
def test_upcoming_reminder_held_back_until_the_item_is_overdue_is_dropped_and_replaced(owner, meeting):
    action = make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=day(1))
    plan_at(day(0))  # Monday: "明天到期"
    upcoming = Reminder.objects.get(kind=Kind.UPCOMING)
    # The worker was down from Monday to Thursday: the item has been overdue since Wednesday.
    assert send(upcoming.pk, on=day(3)) is False
    upcoming.refresh_from_db()
    assert upcoming.state == State.CANCELLED and "已过时" in upcoming.note
    assert mail.outbox == []
    # Thursday's pass plans the reminder that is true that day, and its text says so.
    plan_at(day(3))
    overdue = Reminder.objects.get(kind=Kind.OVERDUE, action=action)
    assert send(overdue.pk, on=day(3))
    (message,) = mail.outbox
    assert "逾期2天" in message.subject and "明天到期" not in message.body


@pytest.mark.django_db
def test_two_reminders_of_one_item_held_back_send_only_the_latest(owner, meeting):
    make_action(lead=owner, meeting=meeting, title="季度预算", due_date=day(3))
    plan_at(day(0))  # "3天后到期"
    plan_at(day(3))  # "今天到期"
    first, second = Reminder.objects.filter(action__isnull=False).order_by("slot")
    assert (first.kind, second.kind) == (Kind.UPCOMING, Kind.DUE_TODAY)
    # Both reach the worker on the due day, after an outage.
    assert send(first.pk, on=day(3)) is False
    assert send(second.pk, on=day(3))
    (message,) = mail.outbox  # one e-mail about the item, and it is true
    assert "今天到期" in message.subject
    first.refresh_from_db()
    assert first.state == State.CANCELLED


@pytest.mark.django_db
def test_overdue_text_counts_the_days_on_the_day_it_is_sent(owner, meeting):
    make_action(lead=owner, meeting=meeting, title="季度预算", due_date=day(-1))
    plan_at(day(0))  # overdue by one day when planned
    reminder = Reminder.objects.get(kind=Kind.OVERDUE)
    assert send(reminder.pk, on=day(1))  # sent a day late
    assert "逾期2天" in mail.outbox[0].subject


@pytest.mark.django_db
def test_last_weeks_digest_is_not_sent_this_week(owner, meeting):
    make_action(lead=owner, meeting=meeting, title="季度预算", due_date=day(-1))
    plan_at(day(0))  # Monday
    digest = Reminder.objects.get(kind=Kind.DIGEST)
    assert send(digest.pk, on=day(7)) is False
    digest.refresh_from_db()
    assert digest.state == State.CANCELLED and mail.outbox == []


@pytest.mark.django_db
def test_robot_delivery_that_waited_past_its_date_is_dropped(owner, meeting, department):
    from tests.fake_robot import FakeRobotServer

    action = make_action(lead=owner, meeting=meeting, title="季度预算", due_date=day(1))
    meeting.department = department
    meeting.save()
    with FakeRobotServer(secret="") as server:
        channel = RobotChannel.objects.create(
            name="市场部企业微信群",
            platform="wecom",
            department=department,
            webhook_url=f"{server.url}/cgi-bin/webhook/send?key=k",
        )
        plan_at(day(0))
        upcoming = Reminder.objects.get(kind=Kind.UPCOMING, action=action)
        with time_machine.travel(beijing(day(0), 9, 5), tick=False):
            sending.reminder_fan_out(reminder=upcoming)
        # The robot's turn comes only after the due date (rate limit, outage).
        with time_machine.travel(beijing(day(2), 9, 5), tick=False):
            result = channels.robot_channel_drain(channel_id=channel.pk)
        assert result.sent == 0 and server.received == []
    delivery = RobotDelivery.objects.get()
    assert delivery.state == DeliveryState.DROPPED and delivery.error


@pytest.mark.django_db
def test_a_check_in_is_not_sent_after_the_owner_logged_progress(owner, meeting):
    from actions.models import ProgressEntry

    with time_machine.travel(beijing(day(-30)), tick=False):
        action = make_action(
            lead=owner, meeting=meeting, title="渠道巡检", due_date=None, deadline_kind="ongoing"
        )
    plan_at(day(1))
    checkin = Reminder.objects.get(kind=Kind.CHECKIN)
    with time_machine.travel(beijing(day(1), 10), tick=False):
        ProgressEntry.objects.create(action=action, author=owner, note="本周巡检完成")
    assert send(checkin.pk, on=day(2)) is False
    checkin.refresh_from_db()
    assert checkin.state == State.CANCELLED and "进展记录" in checkin.note


@pytest.mark.django_db
def test_robot_delivery_is_judged_on_the_recipients_day(owner, meeting, department):
    from actions.models import ReminderPreference
    from tests.fake_robot import FakeRobotServer

    ReminderPreference.objects.create(user=owner, time_zone="America/Los_Angeles")
    meeting.department = department
    meeting.save()
    action = make_action(lead=owner, meeting=meeting, title="季度预算", due_date=day(0))
    with FakeRobotServer(secret="") as server:
        channel = RobotChannel.objects.create(
            name="市场部企业微信群",
            platform="wecom",
            department=department,
            webhook_url=f"{server.url}/cgi-bin/webhook/send?key=k",
        )
        # 09:10 on the due day in Los Angeles is already the next day in Beijing.
        los_angeles = datetime.datetime.combine(day(0), datetime.time(9, 10), ZoneInfo("America/Los_Angeles"))
        with time_machine.travel(los_angeles, tick=False):
            planning.plan(enqueue=False)
            due_today = Reminder.objects.get(kind=Kind.DUE_TODAY, action=action)
            assert sending.send_reminder(due_today.pk)
            assert channels.robot_channel_drain(channel_id=channel.pk).sent == 1
        assert len(server.received) == 1
