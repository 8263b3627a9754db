import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from actions import reminders
from actions.models import Reminder, Status
from tests.factories import UserFactory, make_action

TODAY = datetime.date(2026, 3, 16)
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def due_tomorrow(owner, chair, department):
    return make_action(
        lead=owner,
        lead_department=department,
        supports=[UserFactory(name="李明")],
        title="提交渠道优化方案",
        due_date=TOMORROW,
    )


@pytest.mark.django_db
def test_plans_one_reminder_per_owner_of_items_due_tomorrow(due_tomorrow, owner, chair):
    make_action(lead=owner, due_date=TOMORROW + datetime.timedelta(days=1))  # not tomorrow
    make_action(lead=owner, due_date=TOMORROW, status=Status.DONE)  # already done
    ids = reminders.plan_due_tomorrow(today=TODAY)
    planned = Reminder.objects.filter(pk__in=ids)
    # The person lead, the head of the lead department, and the support owner.
    assert {r.recipient.name for r in planned} == {"王芳", "张伟", "李明"}
    assert {r.action for r in planned} == {due_tomorrow}


@pytest.mark.django_db
def test_planning_twice_creates_no_duplicates(due_tomorrow):
    first = reminders.plan_due_tomorrow(today=TODAY)
    second = reminders.plan_due_tomorrow(today=TODAY)
    assert first == second
    assert Reminder.objects.count() == 3


@pytest.mark.django_db
def test_each_reminder_is_sent_once(due_tomorrow):
    ids = reminders.plan_due_tomorrow(today=TODAY)
    assert all(reminders.send_reminder(rid) for rid in ids)
    assert not any(reminders.send_reminder(rid) for rid in ids)  # a retry or a second worker
    reminders.plan_due_tomorrow(today=TODAY)
    assert len(mail.outbox) == 3
    assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_email_is_in_chinese_with_text_and_html_and_a_link(due_tomorrow, owner, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    reminder_ids = reminders.plan_due_tomorrow(today=TODAY)
    reminder = Reminder.objects.get(pk__in=reminder_ids, recipient=owner)
    reminders.send_reminder(reminder.pk)
    message = mail.outbox[0]
    assert message.subject == "【行动项提醒】明天到期:提交渠道优化方案"
    assert message.to == [owner.email]
    assert "2026年3月17日 (周二)" in message.body
    assert f"https://minutes.example.cn/actions/{due_tomorrow.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<strong>提交渠道优化方案</strong>" in html


@pytest.mark.django_db
def test_email_follows_the_recipients_language(due_tomorrow, owner):
    owner.language = "en"
    owner.save()
    reminder = Reminder.objects.get(pk__in=reminders.plan_due_tomorrow(today=TODAY), recipient=owner)
    reminders.send_reminder(reminder.pk)
    assert mail.outbox[0].subject == "[Action reminder] Due tomorrow: 提交渠道优化方案"


@pytest.mark.django_db
def test_failed_send_goes_back_to_pending_and_is_retried(due_tomorrow, owner, monkeypatch):
    ids = reminders.plan_due_tomorrow(today=TODAY)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        reminders.send_reminder(ids[0])
    row = Reminder.objects.get(pk=ids[0])
    assert row.state == "pending" and "SMTP down" in row.error and row.attempts == 1
    monkeypatch.undo()
    assert reminders.send_reminder(ids[0])
    assert Reminder.objects.get(pk=ids[0]).state == "sent"


@pytest.mark.django_db
def test_owner_without_email_is_skipped(owner):
    owner.email = ""
    owner.save()
    make_action(lead=owner, due_date=TOMORROW)
    assert reminders.plan_due_tomorrow(today=TODAY) == []


@pytest.mark.django_db
def test_management_command_sends_and_reports(due_tomorrow, capsys):
    import time_machine

    with time_machine.travel(
        datetime.datetime(2026, 3, 16, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        call_command("send_reminders")
    assert "sent 3" in capsys.readouterr().out
    assert len(mail.outbox) == 3


@pytest.mark.django_db  # Celery's Django fix-up touches the connection while importing tasks
def test_beat_schedule_runs_the_reminder_task_daily(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-due-tomorrow-reminders"]
    app.loader.import_default_modules()  # what a worker does at start-up: autodiscover tasks
    assert entry["task"] == "actions.tasks.send_due_reminders"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {9} and entry["schedule"].minute == {0}
