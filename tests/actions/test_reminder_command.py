"""manage.py send_reminders: one planning pass, or --dry-run to see what would go out and why."""

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from actions.models import Reminder
from tests.actions.reminder_helpers import beijing, day
from tests.factories import make_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(owner, chair, meeting):
    make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=day(-7))
    make_action(lead=owner, title="季度预算", due_date=day(3))


def test_dry_run_lists_what_and_why_without_sending(items, capsys):
    with time_machine.travel(beijing(day(0), 9, 30), tick=False):
        call_command("send_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "Would send 4 reminder(s)" in out
    assert "已逾期 → 王芳: 提交渠道优化方案 — 牵头人:已逾期7天(计划日 2026-03-16)" in out
    assert "逾期升级 → 张伟: 提交渠道优化方案 — 升级对象:逾期升级第1级(计划日 2026-03-16)" in out
    assert "即将到期 → 王芳: 季度预算 — 牵头人:还有3天到期(计划日 2026-03-16)" in out
    assert "每周行动项汇总 → 王芳 — 每周一汇总" in out
    assert Reminder.objects.count() == 0 and mail.outbox == []


def test_dry_run_after_a_pass_lists_nothing_new(items, capsys):
    with time_machine.travel(beijing(day(0), 9, 30), tick=False):
        call_command("send_reminders", "--here")
        call_command("send_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "Planned 4 new reminder(s)" in out and "Sent 4, failed 0." in out
    assert "Would send 0 reminder(s)" in out
    assert len(mail.outbox) == 4


def test_a_pass_plans_and_leaves_sending_to_the_workers(items, capsys):
    with time_machine.travel(beijing(day(0), 9, 30), tick=False):
        call_command("send_reminders")
    assert "Planned 4 new reminder(s); 0 recovered." in capsys.readouterr().out
    assert set(Reminder.objects.values_list("state", flat=True)) == {"pending"}
    assert mail.outbox == []


def test_beat_plans_every_ten_minutes_and_sends_nothing_itself(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["plan-reminders"]
    app.loader.import_default_modules()  # what a worker does at start-up: autodiscover tasks
    assert entry["task"] == "actions.tasks.plan_reminders" and entry["task"] in app.tasks
    assert entry["schedule"].minute == {0, 10, 20, 30, 40, 50} and len(entry["schedule"].hour) == 24
    send_task = app.tasks["actions.tasks.send_reminder"]
    assert send_task.acks_late and send_task.time_limit


def test_code_queues_the_send_tasks_by_the_names_they_were_always_registered_under():
    """Rows are handed to the workers by task name (the tasks import the code, not the reverse); the
    names must not change, or the tasks queued before a deploy would find no task after it."""
    from actions.reminders import sending
    from config.celery import app

    app.loader.import_default_modules()
    assert sending.SEND_REMINDER == "actions.tasks.send_reminder"
    assert sending.SEND_ROBOT_CHANNEL == "actions.send_robot_channel"
    assert {sending.SEND_REMINDER, sending.SEND_ROBOT_CHANNEL} <= set(app.tasks)


def test_queueing_by_name_never_raises_when_the_broker_is_down():
    from actions.reminders import sending
    from config.celery import app

    def forget_connections():
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    forget_connections()
    try:
        assert sending.enqueue_now([1, 2]) == 0
        assert sending.drain_now([1]) == 0
    finally:
        app.conf.broker_url = original
        forget_connections()
