"""The reminder path end to end: beat's task on a real worker, through real Redis, to a real SMTP server."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Reminder
from actions.tasks import send_due_reminders
from tests.factories import UserFactory, make_action

pytestmark = pytest.mark.integration


@pytest.fixture
def due_tomorrow(transactional_db):
    owner = UserFactory(name="王芳", email="wangfang@example.cn")
    helper = UserFactory(name="李明", email="liming@example.cn")
    action = make_action(
        lead=owner,
        supports=[helper],
        title="提交渠道优化方案",
        due_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    make_action(lead=owner, title="下周的事", due_date=timezone.localdate() + datetime.timedelta(days=5))
    return action


def test_worker_emails_each_owner_with_the_chinese_subject_intact(celery_worker, smtp_server, due_tomorrow):
    assert send_due_reminders.delay().get(timeout=30) == 2

    messages = smtp_server.handler.wait_for(2)
    assert sorted(str(m["To"]) for m in messages) == ["liming@example.cn", "wangfang@example.cn"]
    for message in messages:
        assert str(message["Subject"]) == "【行动项提醒】明天到期:提交渠道优化方案"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "将于明天" in text and f"http://minutes.test/actions/{due_tomorrow.pk}/" in text
        assert "<strong>提交渠道优化方案</strong>" in html
    assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}


def test_running_the_task_again_sends_nothing_twice(celery_worker, smtp_server, due_tomorrow):
    assert send_due_reminders.delay().get(timeout=30) == 2
    smtp_server.handler.wait_for(2)
    assert send_due_reminders.delay().get(timeout=30) == 0
    # Give a wrongly queued duplicate the time to arrive before counting.
    assert len(smtp_server.handler.wait_for(3, timeout=3)) == 2
