"""An administrator sets up a DingTalk group robot with its 加签 secret, sends a test message that reaches the
local fake robot (which checks the signature), then finds a failed robot reminder and resends it."""

import datetime

import pytest
from django.utils import timezone

from actions.models import DeliveryState, Reminder, RobotChannel, RobotDelivery
from tests.browser.conftest import log_in
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.fake_robot import FakeRobotServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "SECb1f0c7e2d5a94e3f8c6d2a1b0e9f7c4d"


@pytest.fixture
def robot_server():
    with FakeRobotServer(secret=SECRET) as server:
        yield server


@pytest.fixture
def in_process_tasks(settings, live_server):
    """Tasks run inside the live server, right after the request's commit: the page's own effects are
    what this test looks at. (tests/integration runs them on a real worker.)"""
    from config.celery import app

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.SITE_URL = live_server.url
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_admin_configures_a_dingtalk_robot_tests_it_and_resends_a_failed_reminder(
    page, robot_server, in_process_tasks, screenshot
):
    department = DepartmentFactory(name="市场部")
    UserFactory(username="admin", name="李静", is_staff=True)
    owner = UserFactory(username="wangfang", name="王芳", department=department)
    meeting = MeetingFactory(title="市场部第12次周例会", department=department)
    # Overdue since the day before yesterday, as the failed overdue reminder below says.
    action = make_action(
        lead=owner,
        meeting=meeting,
        title="提交复杂审批流程优化方案",
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    webhook = f"{robot_server.url}/dingtalk/robot/send?access_token=7f3c9a2b5d8e4f1a6c0b9d2e8f7a1c3b"

    log_in(page, "admin")
    page.get_by_role("link", name="群机器人").click()
    assert page.locator("#channels-empty").is_visible()
    page.get_by_role("link", name="添加群机器人").click()

    # A mistyped address first: a clear message, and what was typed stays.
    page.get_by_label("名称").fill("市场部钉钉群")
    page.get_by_label("平台").select_option(label="钉钉")
    page.get_by_label("部门", exact=True).select_option(label="市场部")
    page.get_by_label("Webhook 地址").fill("oapi.dingtalk.com/robot/send?access_token=x")
    page.get_by_label("加签密钥").fill(SECRET)
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("机器人地址必须以 http:// 或 https:// 开头").is_visible()
    assert page.get_by_label("名称").input_value() == "市场部钉钉群"
    screenshot(page, "robot-1-invalid-url")

    page.get_by_label("Webhook 地址").fill(webhook)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已添加群机器人“市场部钉钉群”").wait_for()
    row = page.locator("#channels tbody tr").first
    # Only a hint of the credentials is ever shown again.
    assert "access_token=7f3c…1c3b" in row.inner_text()
    assert "6c0b9d2e" not in page.content() and SECRET not in page.content()

    row.get_by_role("button", name="发送测试消息").click()
    page.get_by_text("发送成功,平台返回:errcode=0, errmsg=ok").wait_for()
    screenshot(page, "robot-2-test-message-sent")
    [test_message] = robot_server.received
    assert test_message["query"]["sign"]  # the fake robot verified the 加签 signature
    assert "测试消息" in test_message["body"]["markdown"]["text"]

    # Renaming does not need the credentials again: the form starts empty and keeps the saved ones
    # (the resend below is signed with the kept secret, or the fake robot would refuse it).
    page.locator("#channels tbody tr").first.get_by_role("link", name="编辑").click()
    assert page.get_by_label("Webhook 地址").input_value() == ""
    assert page.get_by_label("加签密钥", exact=True).input_value() == ""
    assert page.get_by_text("当前:http://127.0.0.1").is_visible()
    page.get_by_label("名称").fill("市场部钉钉群(行动项)")
    screenshot(page, "robot-2b-edit")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存群机器人“市场部钉钉群(行动项)”").wait_for()

    # Earlier, the platform refused a reminder to this robot.
    channel = RobotChannel.objects.get()
    reminder = Reminder.objects.create(
        action=action,
        recipient=owner,
        kind=Reminder.Kind.OVERDUE,
        slot=timezone.localdate(),
        state=Reminder.State.SENT,
    )
    RobotDelivery.objects.create(
        reminder=reminder,
        channel=channel,
        state=DeliveryState.FAILED,
        attempts=1,
        error="errcode 310000: sign not match",
    )

    page.get_by_role("link", name="提醒记录").click()
    page.get_by_label("状态").select_option(label="发送失败")
    page.get_by_role("button", name="筛选").click()
    row = page.locator(f'#reminders tr[data-reminder="{reminder.pk}"]')
    assert "errcode 310000: sign not match" in row.inner_text()
    assert "提交复杂审批流程优化方案" in row.inner_text()
    screenshot(page, "robot-3-failed-reminder")

    row.get_by_text("重新发送", exact=True).click()
    row.get_by_role("button", name="确认重新发送").click()
    page.get_by_text("已重新安排发送:提交复杂审批流程优化方案 → 王芳").wait_for()
    assert RobotDelivery.objects.get().state == DeliveryState.SENT
    assert len(robot_server.received) == 2
    assert "提交复杂审批流程优化方案" in robot_server.received[1]["body"]["markdown"]["text"]

    page.get_by_label("状态").select_option(label="已发送")
    page.get_by_role("button", name="筛选").click()
    assert "已发送" in page.locator(f'#reminders tr[data-reminder="{reminder.pk}"]').inner_text()
    screenshot(page, "robot-4-resent")
