"""Sending one planned reminder: the e-mail, the checks at send time, retries and failures."""

import logging
import smtplib

import pytest
import time_machine
from django.core import mail

from actions import links
from actions.models import (
    Notification,
    ProgressEntry,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    Status,
)
from actions.reminders import preferences, sending
from tests.actions.reminder_helpers import beijing, day, plan_at
from tests.factories import DecisionFactory, UserFactory, make_action

pytestmark = pytest.mark.django_db
Kind, State = Reminder.Kind, Reminder.State


@pytest.fixture
def overdue(owner, chair, meeting):
    action = make_action(
        lead=owner,
        supports=[UserFactory(name="李明")],
        meeting=meeting,
        title="提交复杂审批流程优化方案",
        due_date=day(-3),
        deadline_text="两周内",
        status=Status.IN_PROGRESS,
        progress=60,
    )
    action.decisions.add(DecisionFactory(meeting=meeting, number=2, text="审批流程由信息部牵头优化"))
    ProgressEntry.objects.create(action=action, author=owner, note="已完成初稿,待法务审核")
    return action


def send(reminder_id, on=None):
    with time_machine.travel(beijing(on or day(0), 9, 5), tick=False):
        return sending.send_reminder(reminder_id)


def planned(**filters) -> Reminder:
    return Reminder.objects.get(**filters)


def _links_in(text: str, label: str) -> list[str]:
    return [line.split(":", 1)[1] for line in text.splitlines() if line.startswith(label + ":")]


def test_overdue_email_has_everything_the_owner_needs(overdue, owner, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    plan_at(day(0))
    assert send(planned(kind=Kind.OVERDUE, recipient=owner).pk)
    (message,) = mail.outbox
    assert message.subject == "【行动项逾期】提交复杂审批流程优化方案(逾期3天)"
    assert message.to == [owner.email]
    text = message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for part in (text, html):
        assert "市场部第12次周例会" in part
        assert "决议二" in part and "审批流程由信息部牵头优化" in part
        assert "2026年3月13日 (周五)" in part
        assert "进行中 60%" in part
        assert "已完成初稿,待法务审核" in part
        assert "已逾期3天" in part
    (complete,) = _links_in(text, "标记完成")
    (progress,) = _links_in(text, "更新进度")
    for url, purpose in ((complete, links.COMPLETE), (progress, links.PROGRESS)):
        with time_machine.travel(beijing(day(1)), tick=False):
            intent = links.read_link(url.rsplit("/", 2)[1])
        assert (intent.action_id, intent.user_id, intent.purpose) == (overdue.pk, owner.pk, purpose)
        assert f'href="{url}"' in html
    assert planned(kind=Kind.OVERDUE).state == State.SENT


def test_email_follows_the_recipients_language(overdue, owner):
    owner.language = "en"
    owner.save()
    plan_at(day(0))
    send(planned(kind=Kind.OVERDUE).pk)
    message = mail.outbox[0]
    # Labels already in the English catalogue; new wording falls back to Chinese until translated.
    assert "Source meeting" in message.body and "Current progress" in message.body
    assert "Mark as completed" in message.alternatives[0][0]
    assert "来源会议" not in message.body


def test_escalation_email_names_the_lead_and_carries_no_one_click_links(overdue, chair):
    plan_at(day(4))  # 7 days overdue
    send(planned(kind=Kind.ESCALATION, recipient=chair).pk, on=day(4))
    (message,) = mail.outbox
    assert message.subject == "【行动项逾期升级】提交复杂审批流程优化方案(逾期7天,第1级)"
    assert "王芳牵头的行动项" in message.body and "请您督办" in message.body
    assert _links_in(message.body, "标记完成") == [] and _links_in(message.body, "更新进度") == []


def test_escalation_email_gives_the_level_the_departments_own_days_reached(overdue, chair, department):
    """The owner's department escalates at 3 and 10 days: 10 days overdue is its level 2, in the e-mail
    as in the plan (the default days, 7 and 14, would make it level 1)."""
    ReminderPolicy.objects.create(department=department, escalation_days="3,10")
    plan_at(day(7))  # 10 days overdue
    reminder = planned(kind=Kind.ESCALATION, recipient=chair)
    assert reminder.slot == day(7)
    send(reminder.pk, on=day(7))
    (message,) = mail.outbox
    assert message.subject == "【行动项逾期升级】提交复杂审批流程优化方案(逾期10天,第2级)"


def test_upcoming_and_due_today_subjects(owner):
    make_action(lead=owner, title="提交渠道优化方案", due_date=day(3))
    make_action(lead=owner, title="季度预算", due_date=day(0))
    plan_at(day(0))
    for reminder in Reminder.objects.exclude(kind=Kind.DIGEST):
        send(reminder.pk)
    assert sorted(m.subject for m in mail.outbox) == [
        "【行动项提醒】3天后到期:提交渠道优化方案",
        "【行动项提醒】今天到期:季度预算",
    ]


def test_title_is_escaped_in_html_and_intact_in_text(owner):
    make_action(lead=owner, title="研发&市场 <联合> 方案", due_date=day(1))
    plan_at(day(0))
    send(planned(kind=Kind.UPCOMING).pk)
    message = mail.outbox[0]
    assert message.subject == "【行动项提醒】明天到期:研发&市场 <联合> 方案"
    assert "“研发&市场 <联合> 方案”" in message.body
    assert "研发&amp;市场 &lt;联合&gt; 方案" in message.alternatives[0][0]
    assert "<联合>" not in message.alternatives[0][0]


def test_due_date_removed_after_planning_cancels_at_send_time(overdue, owner):
    plan_at(day(0))
    reminder = planned(kind=Kind.OVERDUE)
    type(overdue).objects.filter(pk=overdue.pk).update(due_date=None)
    assert send(reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.state == State.CANCELLED and reminder.note == "计划后完成时限已被移除"
    assert mail.outbox == []


def test_item_done_after_claim_is_not_sent(overdue, owner):
    plan_at(day(0))
    reminder = planned(kind=Kind.OVERDUE)
    type(overdue).objects.filter(pk=overdue.pk).update(status=Status.DONE)  # behind the service's back
    assert send(reminder.pk) is False
    assert planned(pk=reminder.pk).state == State.CANCELLED and mail.outbox == []


def test_each_reminder_is_sent_once(overdue):
    plan_at(day(0))
    reminder_id = planned(kind=Kind.OVERDUE).pk
    assert send(reminder_id)
    assert not send(reminder_id)  # a retry or a second worker
    assert len(mail.outbox) == 1


def test_owner_without_email_gets_the_other_channels_and_admins_a_warning(overdue, owner, caplog):
    owner.email = ""
    owner.save()
    plan_at(day(0))
    reminder = planned(kind=Kind.OVERDUE)
    with caplog.at_level(logging.WARNING, logger="actions.reminders.sending"):
        assert send(reminder.pk)
    reminder.refresh_from_db()
    assert reminder.state == State.SENT and "没有电子邮箱" in reminder.note
    assert "No e-mail address" in caplog.text
    assert mail.outbox == []
    assert Notification.objects.filter(reminder=reminder, recipient=owner).exists()


def test_email_turned_off_sends_only_in_app(overdue, owner):
    ReminderPreference.objects.create(user=owner, email=False)
    plan_at(day(0))
    reminder = planned(kind=Kind.OVERDUE)
    assert send(reminder.pk)
    assert mail.outbox == [] and Notification.objects.filter(reminder=reminder).exists()


def test_wants_reads_the_preferences(owner):
    assert preferences.wants(owner, "email") and preferences.wants(owner, "robot")
    ReminderPreference.objects.create(user=owner, robot=False)
    owner.refresh_from_db()
    assert preferences.wants(owner, "email") and not preferences.wants(owner, "robot")
    assert preferences.wants(owner, "in_app")
    with pytest.raises(ValueError):
        preferences.wants(owner, "fax")


def _refuse_with(monkeypatch, exc):
    def refuse(self, *args, **kwargs):
        raise exc

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)


def test_transient_failure_is_retried_with_backoff_then_fails_for_good(overdue, monkeypatch, settings):
    settings.REMINDERS = {**settings.REMINDERS, "MAX_ATTEMPTS": 3, "RETRY_BASE_SECONDS": 30}
    plan_at(day(0))
    reminder_id = planned(kind=Kind.OVERDUE).pk
    _refuse_with(monkeypatch, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    countdowns = []
    for _attempt in range(2):
        with pytest.raises(sending.RetryLater) as retry:
            send(reminder_id)
        countdowns.append(retry.value.countdown)
        row = planned(pk=reminder_id)
        assert row.state == State.PENDING and "SMTPServerDisconnected" in row.error
        assert row.queued_at > beijing(day(0), 9, 5)
    assert countdowns == [30, 60]
    assert send(reminder_id) is False  # the third attempt is the last
    row = planned(pk=reminder_id)
    assert row.state == State.FAILED and row.attempts == 3 and "Connection unexpectedly closed" in row.error


def test_a_refused_address_fails_at_once(overdue, monkeypatch):
    plan_at(day(0))
    reminder_id = planned(kind=Kind.OVERDUE).pk
    _refuse_with(monkeypatch, smtplib.SMTPRecipientsRefused({"wangfang@example.cn": (550, b"No such user")}))
    assert send(reminder_id) is False
    row = planned(pk=reminder_id)
    assert row.state == State.FAILED and row.attempts == 1 and "No such user" in row.error


def test_a_retry_after_the_email_went_out_does_not_email_again(overdue, monkeypatch):
    plan_at(day(0))
    reminder_id = planned(kind=Kind.OVERDUE).pk

    def channels_down(*, reminder):
        raise ConnectionError("channels down")

    monkeypatch.setattr("actions.reminders.sending.reminder_fan_out", channels_down)
    with pytest.raises(sending.RetryLater):
        send(reminder_id)
    assert len(mail.outbox) == 1 and planned(pk=reminder_id).emailed_at is not None
    monkeypatch.undo()
    assert send(reminder_id)
    assert len(mail.outbox) == 1


def test_resend_puts_a_failed_reminder_back(overdue, monkeypatch):
    plan_at(day(0))
    reminder = planned(kind=Kind.OVERDUE)
    Reminder.objects.filter(pk=reminder.pk).update(state=State.FAILED, error="SMTP down", attempts=5)
    assert sending.reminder_resend(reminder=reminder)
    row = planned(pk=reminder.pk)
    assert (row.state, row.attempts, row.error) == (State.PENDING, 0, "")
    assert send(reminder.pk) and len(mail.outbox) == 1
    assert not sending.reminder_resend(reminder=row)  # sent: nothing to resend


# The weekly digest


def test_digest_groups_items_under_headings(owner, meeting):
    make_action(lead=owner, meeting=meeting, title="提交复杂审批流程优化方案", due_date=day(-3))
    make_action(lead=owner, title="季度预算", due_date=day(4))
    make_action(lead=owner, title="下月计划", due_date=day(20))  # later, recently created: not listed
    with time_machine.travel(beijing(day(-30)), tick=False):
        make_action(lead=owner, title="渠道巡检", due_date=None, deadline_kind="ongoing")
    plan_at(day(0))
    assert send(planned(kind=Kind.DIGEST, recipient=owner).pk)
    (message,) = mail.outbox
    assert message.subject == "【每周行动项汇总】2026年3月16日 (周一):逾期 1 项,本周到期 1 项,长期未更新 1 项"
    text, html = message.body, message.alternatives[0][0]
    assert text.index("已逾期(1项)") < text.index("提交复杂审批流程优化方案") < text.index("本周到期(1项)")
    assert text.index("本周到期(1项)") < text.index("季度预算") < text.index("长期未更新(1项)")
    assert text.index("长期未更新(1项)") < text.index("渠道巡检")
    assert "已逾期3天" in text and "30天未更新" in text and "下月计划" not in text
    for heading in ("已逾期(1项)", "本周到期(1项)", "长期未更新(1项)"):
        assert heading in html
    assert "<h2" in html and "提交复杂审批流程优化方案</a>" in html


def test_digest_with_nothing_to_report_is_cancelled(owner):
    make_action(lead=owner, title="下月计划", due_date=day(20))
    plan_at(day(0))
    reminder = planned(kind=Kind.DIGEST)
    assert send(reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.state == State.CANCELLED and mail.outbox == []
