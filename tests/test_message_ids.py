"""Every e-mail carries a Message-ID derived from the row it is sent for: a resend of the same row after
a crash is the same message (mail servers and clients drop the copy); two rows never share one."""

import pytest

from actions.models import Reminder
from actions.reminders import messages
from meetings import notifications
from meetings.models import Attendance, MeetingNotice
from tests.actions.reminder_helpers import day, plan_at
from tests.factories import make_action


@pytest.mark.django_db
def test_a_reminder_e_mail_built_twice_is_the_same_message(owner, meeting, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=day(-3))
    make_action(lead=owner, meeting=meeting, title="完成经销商培训", due_date=day(-3))
    plan_at(day(0))
    first, second = Reminder.objects.filter(recipient=owner, kind=Reminder.Kind.OVERDUE).order_by("pk")
    ids = [messages.build_message(r).message()["Message-ID"] for r in (first, first, second)]
    assert ids[0] == ids[1] == f"<reminder.{first.pk}@minutes.example.cn>"
    assert ids[2] == f"<reminder.{second.pk}@minutes.example.cn>"


@pytest.mark.django_db
def test_a_meeting_notice_built_twice_is_the_same_message(owner, meeting, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    Attendance.objects.create(meeting=meeting, user=owner, role=Attendance.Role.PARTICIPANT)
    notice = MeetingNotice.objects.create(meeting=meeting, recipient=owner, kind="invitation", key="i1")
    ids = {notifications.build_message(notice).message()["Message-ID"] for _ in range(2)}
    assert ids == {f"<meeting-notice.{notice.pk}@minutes.example.cn>"}
