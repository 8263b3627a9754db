"""From the reminder e-mail to a done item: a real SMTP server receives the reminder, the owner taps
"标记完成" in it, logs in, confirms, and the chair then sees the item as 已完成 on the meeting page."""

import datetime
import email
import email.policy
import socket
import time

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from actions.models import ActionItem, Reminder, Status
from actions.reminders import planning, sending
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox(settings, live_server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    settings.SITE_URL = live_server.url
    yield inbox
    controller.stop()


@pytest.fixture
def beijing_morning(settings):
    """09:30 in Beijing on the latest working day, the clock running on: the reminder is planned, sent
    and read that morning, whatever the day and hour the test runs (a day-before reminder waits on the
    quiet weekend days)."""
    day = timezone.localdate()
    while day.weekday() in settings.REMINDERS["QUIET_WEEKDAYS"]:
        day -= datetime.timedelta(days=1)
    nine_thirty = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=timezone.get_default_timezone())
    with time_machine.travel(nine_thirty, tick=True):
        yield nine_thirty


def log_in(page, username):
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()


def test_owner_completes_from_the_reminder_email(
    beijing_morning, browser, page, live_server, screenshot, smtp_inbox
):
    department = DepartmentFactory(name="市场部")
    owner = UserFactory(username="wangfang", name="王芳", email="wangfang@example.cn", department=department)
    chair = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=department)
    meeting = MeetingFactory(title="市场部第12次周例会", chair=chair, recorder=chair, department=department)
    action = make_action(
        lead=owner,
        meeting=meeting,
        title="提交渠道优化方案",
        due_date=timezone.localdate() + datetime.timedelta(days=1),
        deadline_text="两周内",
        progress=60,
        status=Status.IN_PROGRESS,
    )

    # Today's 09:30 planning pass in Beijing: the day-before reminder.
    planned = planning.plan(now=beijing_morning, enqueue=False).new_ids
    # Not the Monday digest, if today is a Monday: just the item's reminder.
    for reminder in Reminder.objects.filter(pk__in=planned, action__isnull=False):
        assert sending.send_reminder(reminder.pk)
    deadline = time.monotonic() + 10
    while not smtp_inbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    (message,) = smtp_inbox.messages
    assert str(message["To"]) == "wangfang@example.cn"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (complete_url,) = [line.split(":", 1)[1] for line in text.splitlines() if line.startswith("标记完成:")]
    assert complete_url.startswith(f"{live_server.url}/actions/link/")

    # What the e-mail looks like, for a person to check.
    page.set_viewport_size({"width": 720, "height": 900})
    page.set_content(html)
    screenshot(page, "email")

    # On a phone: tap the link, log in (the session has expired), tap confirm.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(complete_url)
    assert "/login/" in page.url
    log_in(page, "wangfang")
    page.get_by_role("button", name="确认完成").wait_for()
    assert page.url == complete_url
    assert page.get_by_role("heading", name="提交渠道优化方案").is_visible()
    assert page.get_by_text("进行中 · 60%").is_visible()
    screenshot(page, "link-confirm")
    page.get_by_label("完成说明(可选)").fill("方案已提交张总")
    page.get_by_role("button", name="确认完成").click()
    page.get_by_role("heading", name="已标记为完成").wait_for()
    assert page.get_by_role("link", name="我的行动项").last.is_visible()
    screenshot(page, "link-done")
    action.refresh_from_db()
    assert action.status == Status.DONE and action.completed_by == owner

    # The same link a second time does nothing more.
    page.goto(complete_url)
    page.get_by_role("heading", name="此链接已使用过").wait_for()
    screenshot(page, "link-used")

    chair_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        chair_page = chair_context.new_page()
        chair_page.set_default_timeout(15_000)
        chair_page.goto(meeting.get_absolute_url())
        log_in(chair_page, "zhangwei")
        chair_page.get_by_role("heading", name="市场部第12次周例会").wait_for()
        row = chair_page.locator("tr", has=chair_page.get_by_role("link", name="提交渠道优化方案"))
        assert row.get_by_text("已完成").is_visible()
        screenshot(chair_page, "meeting-item-done")
    finally:
        chair_context.close()
    assert ActionItem.objects.get().progress_entries.filter(note="方案已提交张总").exists()
