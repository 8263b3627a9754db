"""Group robots end to end: a real Celery worker on real Redis posts to the local fake robot."""

import datetime
import time
import uuid

import pytest
from django.utils import timezone

from actions.models import DeliveryState, Reminder, RobotChannel, RobotDelivery
from actions.reminders.sending import reminder_fan_out
from actions.tasks import send_reminder_task
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.fake_robot import FakeRobotServer

pytestmark = pytest.mark.integration

SECRET = "SECintegration-robot"


@pytest.fixture
def fast_retries(monkeypatch):
    # Read by the worker process at start-up (celery_worker copies the environment).
    monkeypatch.setenv("ROBOT_RETRY_BACKOFF", "1")


@pytest.fixture
def robot_server():
    with FakeRobotServer(secret=SECRET) as server:
        yield server


@pytest.fixture
def setup(transactional_db, robot_server):
    department = DepartmentFactory(name="市场部")
    owner = UserFactory(name="王芳", email="wangfang@example.cn", department=department)
    meeting = MeetingFactory(title="市场部第12次周例会", department=department)
    action = make_action(
        lead=owner,
        meeting=meeting,
        title="提交渠道优化方案",
        # Overdue since yesterday: the overdue reminders below are true when they go out.
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    channel = RobotChannel.objects.create(
        name="市场部钉钉群",
        platform="dingtalk",
        department=department,
        webhook_url=f"{robot_server.url}/dingtalk/robot/send?access_token={uuid.uuid4().hex}",
        secret=SECRET,
    )
    return owner, action, channel


def wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_worker_sends_a_reminder_by_email_and_to_the_signed_dingtalk_robot(
    fast_retries, celery_worker, smtp_server, robot_server, setup
):
    owner, action, channel = setup
    reminder = Reminder.objects.create(
        action=action,
        recipient=owner,
        kind=Reminder.Kind.OVERDUE,
        slot=timezone.localdate(),
        due_date=action.due_date,
    )
    send_reminder_task.delay(reminder.pk)

    assert wait_until(lambda: robot_server.received), "the robot message never arrived"
    [arrived] = robot_server.received
    assert arrived["query"]["sign"] and arrived["query"]["timestamp"]  # checked by the fake robot
    text = arrived["body"]["markdown"]["text"]
    assert "提交渠道优化方案" in text and f"http://minutes.test/actions/{action.pk}/" in text
    assert len(smtp_server.handler.wait_for(1)) == 1
    assert wait_until(lambda: RobotDelivery.objects.get().state == DeliveryState.SENT)
    assert reminder.notification is not None


def test_worker_retries_a_server_error_then_delivers_once(
    fast_retries, celery_worker, smtp_server, robot_server, setup
):
    owner, action, channel = setup
    robot_server.fail_next.append((502, "bad gateway", {}))
    reminder = Reminder.objects.create(
        action=action, recipient=owner, kind=Reminder.Kind.OVERDUE, slot=timezone.localdate(), state="sending"
    )
    reminder_fan_out(reminder=reminder)  # enqueues the drain on commit (autocommit here)

    assert wait_until(lambda: RobotDelivery.objects.get().state == DeliveryState.SENT)
    delivery = RobotDelivery.objects.get()
    assert delivery.attempts == 2 and delivery.error == ""
    assert robot_server.requests == 2 and len(robot_server.received) == 1
    # A second drain (a duplicate task, a recovery pass) finds nothing left to send.
    from actions.robot_tasks import send_robot_channel

    assert send_robot_channel.delay(channel.pk).get(timeout=30) == 0
    assert len(robot_server.received) == 1


def test_platform_refusal_is_recorded_with_its_message(fast_retries, celery_worker, smtp_server, setup):
    owner, action, channel = setup
    RobotChannel.objects.filter(pk=channel.pk).update(secret="SECwrong")
    reminder = Reminder.objects.create(
        action=action,
        recipient=owner,
        kind=Reminder.Kind.OVERDUE,
        slot=timezone.localdate() - datetime.timedelta(days=1),
        state="sending",
    )
    reminder_fan_out(reminder=reminder)
    assert wait_until(lambda: RobotDelivery.objects.get().state == DeliveryState.FAILED)
    assert RobotDelivery.objects.get().error == "errcode 310000: sign not match"
