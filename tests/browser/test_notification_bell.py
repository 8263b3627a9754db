"""The bell: an owner sees the unread count, opens the notifications, follows one to its item."""

import pytest
from django.utils import timezone

from actions.models import Notification, Reminder
from actions.reminders.sending import reminder_fan_out
from tests.factories import UserFactory, make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_follows_a_notification_from_the_bell_to_the_item(page, screenshot):
    owner = UserFactory(username="wangfang", name="王芳")
    for kind, title in [
        (Reminder.Kind.OVERDUE, "提交复杂审批流程优化方案"),
        (Reminder.Kind.UPCOMING, "整理华东区客户回访记录"),
    ]:
        action = make_action(lead=owner, title=title)
        reminder_fan_out(
            reminder=Reminder.objects.create(
                action=action, recipient=owner, kind=kind, slot=timezone.localdate()
            )
        )

    page.goto("/login/")
    page.get_by_label("登录名").fill("wangfang")
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()
    assert page.locator("#notification-count").inner_text().startswith("2")

    page.locator("#notification-bell").click()
    assert page.locator("#notifications li").count() == 2
    screenshot(page, "bell-1-notifications")

    page.get_by_role("link", name="提交复杂审批流程优化方案").click()
    page.get_by_role("heading", name="提交复杂审批流程优化方案").wait_for()
    assert page.locator("#notification-count").inner_text().startswith("1")

    page.locator("#notification-bell").click()
    page.get_by_role("button", name="全部标为已读").click()
    page.get_by_text("已将 1 条通知标记为已读").wait_for()
    assert page.locator("#notification-count").count() == 0
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    screenshot(page, "bell-2-all-read")
