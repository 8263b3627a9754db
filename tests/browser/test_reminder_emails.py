"""The reminder e-mails and 提醒设置 as a person sees them in Chromium (SCREENSHOT_DIR keeps the PNGs)."""

import pytest
import time_machine
from django.core import mail

from actions.models import ProgressEntry, Reminder, Status
from actions.reminders import sending
from tests.actions.reminder_helpers import beijing, day, plan_at
from tests.factories import DecisionFactory, DepartmentFactory, MeetingFactory, UserFactory, make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation():
    department = DepartmentFactory(name="信息部")
    head = UserFactory(username="zhangwei", name="张伟", job_title="信息部经理", department=department)
    department.head = head
    department.save()
    owner = UserFactory(username="wangfang", name="王芳", job_title="流程专员", department=department)
    meeting = MeetingFactory(title="2026年3月运营例会", chair=head, department=department)
    decision = DecisionFactory(meeting=meeting, number=2, text="复杂审批流程由信息部牵头优化,两周内提交方案")
    overdue = make_action(
        lead=owner,
        supports=[UserFactory(name="李明")],
        meeting=meeting,
        title="提交复杂审批流程优化方案",
        due_date=day(-3),
        deadline_text="两周内",
        status=Status.IN_PROGRESS,
        progress=60,
    )
    overdue.decisions.add(decision)
    ProgressEntry.objects.create(action=overdue, author=owner, note="初稿已完成,正在等待法务部审核意见。")
    make_action(lead=owner, meeting=meeting, title="整理三月渠道销售数据", due_date=day(3))
    with time_machine.travel(beijing(day(-30)), tick=False):
        make_action(
            lead=owner, meeting=meeting, title="客户满意度回访", due_date=None, deadline_kind="ongoing"
        )
    return owner, head


def show(page, html, screenshot, name):
    page.set_viewport_size({"width": 720, "height": 900})
    page.set_content(html)
    screenshot(page, name)


def test_reminder_and_digest_emails_render_in_chromium(page, screenshot, organisation, settings):
    owner, head = organisation
    settings.SITE_URL = "https://minutes.example.cn"
    plan_at(day(0))
    sent = {}
    with time_machine.travel(beijing(day(0), 9, 5), tick=False):
        for reminder in Reminder.objects.filter(recipient=owner):
            assert sending.send_reminder(reminder.pk)
            sent[reminder.kind] = mail.outbox[-1]

    overdue = sent[Reminder.Kind.OVERDUE]
    assert overdue.subject == "【行动项逾期】提交复杂审批流程优化方案(逾期3天)"
    show(page, overdue.alternatives[0][0], screenshot, "email-overdue")
    assert page.get_by_role("link", name="标记完成").is_visible()
    assert page.get_by_role("link", name="更新进度").is_visible()
    assert page.get_by_text("初稿已完成,正在等待法务部审核意见。").is_visible()
    assert page.get_by_text("复杂审批流程由信息部牵头优化").is_visible()

    digest = sent[Reminder.Kind.DIGEST]
    show(page, digest.alternatives[0][0], screenshot, "email-digest")
    for heading in ("已逾期(1项)", "本周到期(1项)", "长期未更新(1项)"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("link", name="整理三月渠道销售数据").is_visible()


def test_escalation_email_renders_for_the_department_head(page, screenshot, organisation):
    owner, head = organisation
    plan_at(day(4))
    (reminder,) = Reminder.objects.filter(recipient=head, kind=Reminder.Kind.ESCALATION)
    with time_machine.travel(beijing(day(4), 9, 5), tick=False):
        assert sending.send_reminder(reminder.pk)
    message = mail.outbox[-1]
    show(page, message.alternatives[0][0], screenshot, "email-escalation")
    assert page.get_by_text("请您督办").is_visible()
    assert page.get_by_role("link", name="标记完成").count() == 0


def test_owner_chooses_digest_only_on_the_preferences_page(page, live_server, screenshot, organisation):
    owner, _head = organisation
    page.goto("/")
    page.get_by_label("登录名").fill("wangfang")
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="王芳").click()
    page.get_by_role("link", name="提醒设置").click()
    page.get_by_role("heading", name="提醒设置").wait_for()
    page.get_by_label("只接收每周汇总").check()
    page.get_by_label("群机器人").uncheck()
    screenshot(page, "reminder-preferences")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("提醒设置已保存。").wait_for()
    preference = owner.reminder_preference
    assert preference.mode == "digest" and not preference.robot and preference.email
