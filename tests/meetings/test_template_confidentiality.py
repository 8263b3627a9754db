"""A template never carries a meeting's secrets further than the meeting itself went."""

import pytest
from django.test import Client
from django.urls import reverse

from meetings.models import AgendaItem, Attendance, Meeting, MeetingTemplate
from tests.factories import MeetingFactory, UserFactory


def as_user(user) -> Client:
    """A client of its own per person, so one person's flash messages never reach another's page."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def board_meeting(chair, department):
    meeting = MeetingFactory(
        title="董事会薪酬委员会会议",
        chair=chair,
        recorder=chair,
        department=department,
        is_confidential=True,
        location="总部 8 楼保密会议室",
    )
    AgendaItem.objects.create(meeting=meeting, title="高管年度奖金方案", order=1)
    return meeting


@pytest.mark.django_db
def test_a_template_from_a_confidential_meeting_is_seen_only_by_its_people(
    client_for, chair, outsider, board_meeting
):
    member = UserFactory(name="孙丽")
    Attendance.objects.create(meeting=board_meeting, user=member, role=Attendance.Role.PARTICIPANT)
    response = as_user(chair).post(
        reverse("meetings:save_template", args=[board_meeting.pk]), {"name": "薪酬会"}
    )
    assert response.status_code == 302
    template = MeetingTemplate.objects.get()
    assert template.is_confidential

    listing = as_user(outsider).get(reverse("meetings:template_list")).text
    assert "薪酬会" not in listing and "董事会" not in listing
    assert as_user(outsider).get(reverse("meetings:template_use", args=[template.pk])).status_code == 404
    assert as_user(outsider).post(reverse("meetings:template_delete", args=[template.pk])).status_code == 404

    assert "薪酬会" in as_user(member).get(reverse("meetings:template_list")).text
    response = as_user(member).post(
        reverse("meetings:template_use", args=[template.pk]), {"starts_at": "2026-12-10T14:00", "title": ""}
    )
    assert response.status_code == 302
    made = Meeting.objects.exclude(pk=board_meeting.pk).get()
    assert made.is_confidential  # the new meeting keeps the confidentiality


@pytest.mark.django_db
def test_confidential_agenda_items_are_left_out_of_any_template(chair, outsider, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(visibility=Meeting.Visibility.ORGANISATION)
    AgendaItem.objects.create(meeting=meeting, title="渠道费用复盘", order=1)
    AgendaItem.objects.create(meeting=meeting, title="人事调整安排", order=2, is_confidential=True)
    page = as_user(chair).get(meeting.get_absolute_url()).text
    assert "标为机密的议程不会保存到模板中" in page
    as_user(chair).post(reverse("meetings:save_template", args=[meeting.pk]), {"name": "周例会"})
    template = MeetingTemplate.objects.get()
    assert [entry["title"] for entry in template.agenda] == ["渠道费用复盘"]
    listing = as_user(outsider).get(reverse("meetings:template_list")).text
    assert "周例会" in listing  # an open meeting's template is the organisation's
    as_user(outsider).post(
        reverse("meetings:template_use", args=[template.pk]), {"starts_at": "2026-12-10T14:00", "title": ""}
    )
    made = Meeting.objects.exclude(pk=meeting.pk).get()
    assert list(made.agenda_items.values_list("title", flat=True)) == ["渠道费用复盘"]


@pytest.mark.django_db
def test_a_template_from_a_participants_only_meeting_stays_with_its_people(
    client_for, chair, outsider, meeting
):
    Meeting.objects.filter(pk=meeting.pk).update(visibility=Meeting.Visibility.PARTICIPANTS)
    as_user(chair).post(reverse("meetings:save_template", args=[meeting.pk]), {"name": "内部例会"})
    assert "内部例会" not in as_user(outsider).get(reverse("meetings:template_list")).text
    assert "内部例会" in as_user(chair).get(reverse("meetings:template_list")).text
