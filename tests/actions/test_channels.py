"""Robot channels: fan-out, batching, rate limits and failures, against the fake robot and real Redis."""

import datetime
import time
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from actions import channels
from actions.models import (
    DeliveryState,
    Notification,
    Reminder,
    RobotChannel,
    RobotDelivery,
    mask_webhook_url,
)
from actions.reminders import sending
from tests.factories import MeetingFactory, make_action
from tests.fake_robot import FakeRobotServer

TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _test_redis(settings):
    settings.REDIS_URL = TEST_REDIS_URL
    settings.SITE_URL = "http://minutes.test"


@pytest.fixture
def robot_server():
    with FakeRobotServer(secret="SECdingtalk-test") as server:
        yield server


def make_channel(
    server, department, platform="dingtalk", secret="SECdingtalk-test", name="市场部钉钉群", **fields
):
    # A fresh token per test: the rate limit belongs to the webhook, and tests must not share one.
    return RobotChannel.objects.create(
        name=name,
        platform=platform,
        department=department,
        webhook_url=f"{server.url}/{platform}/robot/send?access_token={uuid.uuid4().hex}",
        secret=secret,
        **fields,
    )


def make_reminder(action, recipient, kind=None):
    """A reminder as planning makes them: its kind true to the item's date (robot deliveries that are
    no longer true when their turn comes are dropped)."""
    today = timezone.localdate()
    if kind is None:
        due = action.due_date
        kind = (
            Reminder.Kind.DUE_TODAY
            if due == today
            else Reminder.Kind.UPCOMING
            if due is None or due > today
            else Reminder.Kind.OVERDUE
        )
    return Reminder.objects.create(
        action=action, recipient=recipient, kind=kind, slot=today, state=Reminder.State.SENDING
    )


@pytest.fixture
def reminder(owner, meeting):
    action = make_action(lead=owner, meeting=meeting, title="提交渠道优化方案")
    return make_reminder(action, owner)


def drain_until_done(channel, final_attempt=False, limit=200):
    """What the send task does, in this process: drain, wait as told, drain again."""
    results = []
    for _ in range(limit):
        result = channels.robot_channel_drain(channel_id=channel.pk, final_attempt=final_attempt)
        results.append(result)
        if result.retry_in is None:
            return results
        time.sleep(result.retry_in)
    raise AssertionError("the channel never drained")


def test_fan_out_twice_creates_one_notification_and_one_delivery_per_channel(
    reminder, department, robot_server, django_capture_on_commit_callbacks
):
    first = make_channel(robot_server, department)
    second = make_channel(robot_server, department, platform="wecom", secret="", name="市场部企业微信群")
    make_channel(robot_server, department, enabled=False, name="停用的群")
    with django_capture_on_commit_callbacks() as callbacks:
        sending.reminder_fan_out(reminder=reminder)
        sending.reminder_fan_out(reminder=reminder)

    assert Notification.objects.filter(recipient=reminder.recipient, action=reminder.action).count() == 1
    assert sorted(RobotDelivery.objects.values_list("channel_id", flat=True)) == [first.pk, second.pk]
    assert len(callbacks) == 2  # one nudge per call, for both channels; draining twice is harmless


def test_fan_out_reaches_the_meeting_series_robot_too(owner, department, robot_server):
    meeting = MeetingFactory(department=None)
    from meetings.models import MeetingSeries

    meeting.series = MeetingSeries.objects.create(title="市场部周例会")
    meeting.save()
    series_robot = RobotChannel.objects.create(
        name="周例会群", platform="feishu", series=meeting.series, webhook_url=f"{robot_server.url}/feishu/x"
    )
    make_channel(robot_server, department)  # another department's robot: not this meeting's
    reminder = make_reminder(make_action(lead=owner, meeting=meeting), owner)
    assert sending.reminder_fan_out(reminder=reminder) == [series_robot.pk]


def test_recipient_who_turned_robots_off_still_gets_the_notification(reminder, department, robot_server):
    from actions.models import ReminderPreference

    ReminderPreference.objects.create(user=reminder.recipient, robot=False)
    make_channel(robot_server, department)
    assert sending.reminder_fan_out(reminder=reminder) == []
    assert Notification.objects.filter(reminder=reminder).exists()
    assert not RobotDelivery.objects.exists()


def test_one_delivery_arrives_as_signed_dingtalk_markdown_with_the_item_link(
    reminder, department, robot_server
):
    channel = make_channel(robot_server, department)
    sending.reminder_fan_out(reminder=reminder)
    [result] = drain_until_done(channel)

    assert result.sent == 1
    [arrived] = robot_server.received
    assert arrived["query"]["sign"]  # verified by the fake robot, or it would not be in `received`
    markdown = arrived["body"]["markdown"]
    assert arrived["body"]["msgtype"] == "markdown"
    assert "提交渠道优化方案" in markdown["title"]
    assert f"(http://minutes.test/actions/{reminder.action_id}/)" in markdown["text"]
    delivery = RobotDelivery.objects.get()
    assert delivery.state == DeliveryState.SENT and delivery.sent_at is not None


def test_several_pending_deliveries_go_out_as_one_message_listing_each_item(
    owner, chair, meeting, department, robot_server
):
    channel = make_channel(robot_server, department)
    first = make_action(lead=owner, supports=[chair], meeting=meeting, title="整理客户名单")
    second = make_action(lead=owner, meeting=meeting, title="提交季度预算")
    for reminder in [make_reminder(first, owner), make_reminder(first, chair), make_reminder(second, owner)]:
        sending.reminder_fan_out(reminder=reminder)

    drain_until_done(channel)

    [message] = robot_server.received
    text = message["body"]["markdown"]["text"]
    assert "共 2 项" in message["body"]["markdown"]["title"]
    assert text.count("整理客户名单") == 1 and "王芳、张伟" in text  # one line per item, both owners named
    assert f"(http://minutes.test/actions/{first.pk}/)" in text
    assert f"(http://minutes.test/actions/{second.pk}/)" in text
    assert set(RobotDelivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_sixty_reminders_to_one_dingtalk_robot_arrive_without_rejection_under_the_limit(
    settings, owner, meeting, department, robot_server
):
    # 20 a "minute" scaled down to 20 per 2 s, so the test runs in seconds.
    limit, window = 20, 2.0
    settings.ROBOT_RATE_LIMITS = {"dingtalk": ((limit, int(window * 1000)),)}
    channel = make_channel(robot_server, department)
    actions = [make_action(lead=owner, meeting=meeting, title=f"整改事项{n:02d}") for n in range(60)]
    # Arrival times are compared below: build one message first, so the one-off cost of loading the
    # URLconf (PDF libraries and all) does not delay the first send by seconds after its slot.
    channels.robot_message_for([make_reminder(actions[0], owner)])
    Reminder.objects.all().delete()

    # Reminders arrive one by one, each followed by the drain its fan-out enqueues; a drain told to wait
    # leaves its deliveries pending for a later drain, which batches them.
    for action in actions:
        sending.reminder_fan_out(reminder=make_reminder(action, owner))
        channels.robot_channel_drain(channel_id=channel.pk)
    drain_until_done(channel)

    assert robot_server.requests == len(robot_server.received)  # nothing refused by the robot
    assert RobotDelivery.objects.filter(state=DeliveryState.SENT).count() == 60
    bodies = "".join(m["body"]["markdown"]["text"] for m in robot_server.received)
    for action in actions:
        assert bodies.count(action.title) == 1  # every item exactly once
    assert len(robot_server.received) < 60  # batched
    times = [m["at"] for m in robot_server.received]

    for earlier, later in zip(times, times[limit:], strict=False):
        # Never more than `limit` inside one window. The limiter spaces the sends; arrival times add
        # the request's own latency, hence the margin (unlimited, all 60 would arrive within a second).
        assert later - earlier >= window - 0.5


def test_server_error_is_retried_then_succeeds(reminder, department, robot_server):
    channel = make_channel(robot_server, department)
    sending.reminder_fan_out(reminder=reminder)
    robot_server.fail_next.append((502, "bad gateway", {}))

    first = channels.robot_channel_drain(channel_id=channel.pk)
    delivery = RobotDelivery.objects.get()
    assert first.transient and first.retry_in is None  # the task applies its backoff
    assert delivery.state == DeliveryState.PENDING and "502" in delivery.error

    second = channels.robot_channel_drain(channel_id=channel.pk)
    delivery.refresh_from_db()
    assert second.sent == 1 and delivery.state == DeliveryState.SENT and delivery.attempts == 2
    assert len(robot_server.received) == 1


def test_transient_failure_on_the_last_attempt_marks_failed(reminder, department, robot_server):
    channel = make_channel(robot_server, department)
    sending.reminder_fan_out(reminder=reminder)
    robot_server.fail_next.append((503, "unavailable", {}))
    result = channels.robot_channel_drain(channel_id=channel.pk, final_attempt=True)
    assert result.failed == 1
    assert RobotDelivery.objects.get().state == DeliveryState.FAILED


def test_platform_error_code_marks_the_delivery_failed_with_the_platforms_message(
    reminder, department, robot_server
):
    channel = make_channel(robot_server, department, secret="SECwrong")
    sending.reminder_fan_out(reminder=reminder)
    result = channels.robot_channel_drain(channel_id=channel.pk)

    delivery = RobotDelivery.objects.get()
    assert result.failed == 1 and result.retry_in is None  # not retried
    assert delivery.state == DeliveryState.FAILED
    assert delivery.error == "errcode 310000: sign not match"


def test_stale_claim_is_sent_by_a_later_drain(reminder, department, robot_server):
    channel = make_channel(robot_server, department)
    sending.reminder_fan_out(reminder=reminder)
    RobotDelivery.objects.update(
        state=DeliveryState.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 60),
    )
    assert channels.robot_channel_drain(channel_id=channel.pk).sent == 1


def test_disabled_robot_sends_nothing(reminder, department, robot_server):
    channel = make_channel(robot_server, department)
    sending.reminder_fan_out(reminder=reminder)
    RobotChannel.objects.filter(pk=channel.pk).update(enabled=False)
    assert channels.robot_channel_drain(channel_id=channel.pk).failed == 1
    assert robot_server.received == []


def test_digest_reminder_becomes_a_notification_but_never_a_group_message(owner, department, robot_server):
    make_channel(robot_server, department)
    digest = Reminder.objects.create(recipient=owner, kind=Reminder.Kind.DIGEST, slot=timezone.localdate())
    assert sending.reminder_fan_out(reminder=digest) == []
    assert Notification.objects.get().action is None


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "https://oapi.dingtalk.com/robot/send?access_token=abcd1234567890wxyz",
            "https://oapi.dingtalk.com/robot/send?access_token=abcd…wxyz",
        ),
        (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…5aaa",
        ),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/0f0f4a5e-1234-4c3b-9a6d-5b1c2d3e4f5a",
            "https://open.feishu.cn/open-apis/bot/v2/hook/0f0f…4f5a",
        ),
        ("https://user:pw@example.cn/hook?t=short", "https://example.cn/hook?t=…"),
    ],
)
def test_masked_url_hides_the_token(url, masked):
    assert mask_webhook_url(url) == masked


def test_test_message_reports_success_and_reaches_the_robot(chair, department, robot_server):
    channel = make_channel(robot_server, department)
    result = channels.robot_channel_test(channel=channel, by=chair)
    assert result.ok and "发送成功" in result.message and "errcode=0" in result.message
    assert "测试消息" in robot_server.received[0]["body"]["markdown"]["text"]


def test_test_message_reports_the_platforms_error(chair, department, robot_server):
    channel = make_channel(robot_server, department, secret="SECwrong")
    result = channels.robot_channel_test(channel=channel, by=chair)
    assert not result.ok
    assert result.message == "平台拒绝了消息:errcode 310000: sign not match"


def test_test_message_reports_an_unreachable_robot(chair, department, robot_server):
    channel = make_channel(robot_server, department)
    # A port nobody listens on.
    with FakeRobotServer() as gone:
        dead_url = f"{gone.url}/dingtalk/send"
    RobotChannel.objects.filter(pk=channel.pk).update(webhook_url=dead_url)
    channel.refresh_from_db()
    result = channels.robot_channel_test(channel=channel, by=chair)
    assert not result.ok and result.message.startswith("无法连接机器人地址")


def test_test_message_reports_a_timeout(chair, department, robot_server, monkeypatch):
    import socket

    from actions import robots

    monkeypatch.setattr(robots, "TIMEOUT_SECONDS", 0.5)
    channel = make_channel(robot_server, department)
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        RobotChannel.objects.filter(pk=channel.pk).update(
            webhook_url=f"http://127.0.0.1:{port}/dingtalk/send"
        )
        channel.refresh_from_db()
        result = channels.robot_channel_test(channel=channel, by=chair)
    assert not result.ok and result.message.startswith("连接机器人地址超时")
