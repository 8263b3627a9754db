"""The reminder path end to end: beat's planning task on a real worker, through real Redis, to a real
SMTP server."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from actions.models import Reminder
from actions.tasks import plan_reminders
from tests.factories import DepartmentFactory, UserFactory, make_action

pytestmark = pytest.mark.integration

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def nine_thirty_today() -> datetime.datetime:
    return datetime.datetime.combine(timezone.localdate(), datetime.time(9, 30), SHANGHAI)


@pytest.fixture
def due_today(transactional_db):
    department = DepartmentFactory(name="市场部")
    head = UserFactory(name="张伟", email="zhangwei@example.cn")
    department.head = head
    department.save()
    owner = UserFactory(name="王芳", email="wangfang@example.cn")
    helper = UserFactory(name="李明", email="liming@example.cn")
    # Due today: goes out on any weekday, weekends included.
    action = make_action(
        lead=owner,
        lead_department=department,
        supports=[helper],
        title="提交渠道优化方案",
        due_date=timezone.localdate(),
    )
    make_action(lead=owner, title="下个月的事", due_date=timezone.localdate() + datetime.timedelta(days=30))
    return action


def item_messages(smtp_server, count):
    """The item reminders received (a Monday run also sends weekly digests, counted apart)."""
    messages = smtp_server.handler.wait_for(count)
    return [m for m in messages if not str(m["Subject"]).startswith("【每周行动项汇总】")]


def test_worker_emails_each_lead_with_the_chinese_subject_intact(celery_worker, smtp_server, due_today):
    planned = plan_reminders.delay(nine_thirty_today().isoformat()).get(timeout=30)
    assert planned == Reminder.objects.count()
    expected = Reminder.objects.exclude(kind=Reminder.Kind.DIGEST).count()
    assert expected == 2  # the person lead and the lead department's head; the support owner gets digests

    messages = item_messages(smtp_server, planned)
    assert sorted(str(m["To"]) for m in messages) == ["wangfang@example.cn", "zhangwei@example.cn"]
    for message in messages:
        assert str(message["Subject"]) == "【行动项提醒】今天到期:提交渠道优化方案"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "今天" in text and f"http://minutes.test/actions/{due_today.pk}/" in text
        assert "<strong>提交渠道优化方案</strong>" in html


def test_running_the_task_again_sends_nothing_twice(celery_worker, smtp_server, due_today):
    moment = nine_thirty_today().isoformat()
    planned = plan_reminders.delay(moment).get(timeout=30)
    smtp_server.handler.wait_for(planned)
    assert plan_reminders.delay(moment).get(timeout=30) == 0
    # Give a wrongly queued duplicate the time to arrive before counting.
    assert len(smtp_server.handler.wait_for(planned + 1, timeout=3)) == planned
