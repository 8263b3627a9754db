"""After an outage, the administrator's 提醒记录 tells what happened to each reminder: the one that was
no longer true when the worker came back is 已取消 with the reason, the one that replaced it was sent,
and the robot post that waited past its date is 已作废 with the reason."""

import pytest
import time_machine

from actions import channels
from actions.models import DeliveryState, Reminder, RobotChannel, RobotDelivery
from actions.reminders import planning, sending
from tests.actions.reminder_helpers import beijing, day
from tests.browser.conftest import log_in
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.fake_robot import FakeRobotServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_sees_why_reminders_held_back_by_an_outage_were_dropped(page, screenshot):
    department = DepartmentFactory(name="市场部")
    UserFactory(username="admin", name="李静", is_staff=True)
    owner = UserFactory(username="wangfang", name="王芳", department=department, email="wangfang@example.cn")
    meeting = MeetingFactory(title="市场部第12次周例会", department=department)
    action = make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=day(1))
    with FakeRobotServer(secret="") as robot:
        channel = RobotChannel.objects.create(
            name="市场部企业微信群",
            platform="wecom",
            department=department,
            webhook_url=f"{robot.url}/cgi-bin/webhook/send?key=k",
        )
        # Monday: "明天到期" is planned and its robot post queued; then the worker and Redis go down.
        with time_machine.travel(beijing(day(0), 9, 10), tick=False):
            planning.plan(enqueue=False)
            upcoming = Reminder.objects.get(kind=Reminder.Kind.UPCOMING)
            sending.reminder_fan_out(reminder=upcoming)
        # Thursday: everything comes back.
        with time_machine.travel(beijing(day(3), 9, 10), tick=False):
            assert channels.robot_channel_drain(channel_id=channel.pk).sent == 0
            sending.send_reminder(upcoming.pk)
            result = planning.plan(enqueue=False)
            for reminder_id in result.new_ids:
                sending.send_reminder(reminder_id)
        assert robot.received == []
    overdue = Reminder.objects.get(kind=Reminder.Kind.OVERDUE, action=action)
    assert overdue.state == Reminder.State.SENT
    assert RobotDelivery.objects.get(reminder=upcoming).state == DeliveryState.DROPPED

    with time_machine.travel(beijing(day(3), 10, 0), tick=True):
        log_in(page, "admin")
        page.goto("/actions/reminders/")
        dropped_row = page.locator("tr", has_text="即将到期").first
        assert "已取消" in dropped_row.inner_text()
        assert "已过时:原定 2026年3月16日 (周一) 的提醒" in dropped_row.inner_text()
        assert "已作废" in dropped_row.inner_text()
        assert "发送时已不再适用" in dropped_row.inner_text()
        sent_row = page.locator("tr", has_text="已逾期").first
        assert "已发送" in sent_row.inner_text()
        screenshot(page, "outbox-reminder-log")
