"""The demo's weekly 例会 that has run for a month: four meetings, each reviewing the last one's
actions, each approved and published."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions import review
from meetings.models import AgendaItem, Meeting, MeetingSeries, User

pytestmark = pytest.mark.django_db


def test_a_weekly_meeting_ran_for_a_month_each_reviewing_the_last(client):
    call_command("load_demo", stdout=StringIO())
    series = MeetingSeries.objects.get(title="产品部周例会")
    meetings = list(series.meetings.order_by("starts_at"))
    assert len(meetings) == 4
    assert [timezone.localtime(m.starts_at).weekday() for m in meetings] == [0, 0, 0, 0]
    assert all(m.starts_at < timezone.now() for m in meetings)
    for meeting in meetings:
        assert meeting.status == Meeting.Status.PUBLISHED
        assert meeting.published_by.username == "sunhao" and meeting.submitted_by.username == "huangting"
        assert meeting.versions.get().number == 1
        assert meeting.published_at <= timezone.now()
    for previous, meeting in zip(meetings, meetings[1:], strict=False):
        assert meeting.agenda_items.order_by("order").first().kind == AgendaItem.Kind.REVIEW
        # Everything decided last time comes up for review, still open or closed since.
        assert set(previous.action_items.all()) <= set(review.review_actions(meeting))
    second = meetings[1]
    # The chair's updates in the second review landed in the items' progress logs.
    item = meetings[0].action_items.get(title="与用户运营部统一工单分类口径")
    assert item.progress_entries.filter(
        note="已对齐一级分类,二级分类待确认", author__username="sunhao"
    ).exists()

    client.force_login(User.objects.get(username="huangting"))
    page = client.get(second.get_absolute_url())
    assert "上次会议行动项回顾" in page.text and "输出会员中心原型(一期)" in page.text
    assert "纪要已签发发布,内容已锁定" in page.text
    assert client.get(reverse("meetings:series_detail", args=[series.pk])).status_code == 200
