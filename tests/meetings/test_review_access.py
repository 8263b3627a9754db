"""The carry-over review changes an item only as the item's own policy allows.

Editing this week's meeting is not a right over last week's items: whoever may edit a meeting of the
series (even one they created themselves) gets 403 on an item they do not lead or manage, and nothing
changes; an item they may not see answers 404 and its title and meeting never show.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import review
from actions.models import ActionItem, Status
from meetings import policy
from meetings.models import Attendance, Meeting, MeetingSeries
from meetings.services import meeting_create
from tests.factories import MeetingFactory, UserFactory, make_action


@pytest.fixture
def confidential_series(chair, department):
    return MeetingSeries.objects.create(
        title="人事委员会例会",
        recurrence="weekly",
        weekday=0,
        first_date=datetime.date(2026, 1, 5),
        start_time=datetime.time(9, 30),
        chair=chair,
        department=department,
    )


@pytest.fixture
def carried(confidential_series, chair, owner):
    earlier = MeetingFactory(
        title="人事委员会第3次会议(机密)",
        series=confidential_series,
        chair=chair,
        recorder=chair,
        is_confidential=True,
        starts_at=timezone.now() - datetime.timedelta(days=7),
    )
    Attendance.objects.create(meeting=earlier, user=owner, role=Attendance.Role.PARTICIPANT)
    return make_action(lead=owner, meeting=earlier, title="拟定裁员补偿方案")


def weekly_series(chair) -> MeetingSeries:
    return MeetingSeries.objects.create(
        title="市场部周例会",
        recurrence="weekly",
        weekday=0,
        first_date=datetime.date(2026, 1, 5),
        chair=chair,
    )


def _own_meeting_in(series, user):
    """What an outsider could do before: create a meeting in the series and review its items."""
    return meeting_create(
        by=user, title="我自己的例会", kind="regular", series=series, starts_at=timezone.now(), recorder=user
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{"status": "done"}, {"status": "cancelled", "note": "不做了"}, {"progress": "77"}]
)
def test_an_outsider_with_a_meeting_in_the_series_cannot_change_its_items(
    client_for, outsider, carried, data
):
    meeting = _own_meeting_in(carried.meeting.series, outsider)
    before = ActionItem.objects.filter(pk=carried.pk).values("status", "progress", "updated_at").get()
    url = reverse("meeting_actions:review_update", args=[meeting.pk, carried.pk])
    response = client_for(outsider).post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert "拟定裁员补偿方案" not in response.text and "人事委员会" not in response.text
    assert ActionItem.objects.filter(pk=carried.pk).values("status", "progress", "updated_at").get() == before
    assert not carried.progress_entries.exists()


@pytest.mark.django_db
def test_the_recorder_of_a_later_meeting_may_not_complete_an_item_they_only_see(client_for, chair, owner):
    """A participant of the earlier meeting sees its items, but marking one done is the lead's."""
    series = weekly_series(chair)
    recorder = UserFactory(name="陈静")
    earlier = MeetingFactory(
        series=series, chair=chair, starts_at=timezone.now() - datetime.timedelta(days=7)
    )
    Attendance.objects.create(meeting=earlier, user=recorder, role=Attendance.Role.PARTICIPANT)
    item = make_action(lead=owner, meeting=earlier, title="整理渠道费用明细")
    later = MeetingFactory(series=series, chair=chair, recorder=recorder, starts_at=timezone.now())
    url = reverse("meeting_actions:review_update", args=[later.pk, item.pk])
    assert policy.can_edit_meeting(recorder, later)
    response = client_for(recorder).post(url, {"status": "done"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status != Status.DONE
    # The chair manages the item (chair of its meeting) and may record it done in the review.
    response = client_for(chair).post(url, {"status": "done", "note": "例会确认"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == Status.DONE


@pytest.mark.django_db
def test_the_service_itself_refuses_a_change_the_item_policy_does_not_allow(chair, owner):
    from django.core.exceptions import PermissionDenied

    series = weekly_series(chair)
    earlier = MeetingFactory(
        series=series, chair=chair, starts_at=timezone.now() - datetime.timedelta(days=7)
    )
    item = make_action(lead=owner, meeting=earlier)
    later = MeetingFactory(series=series, chair=chair, recorder=owner, starts_at=timezone.now())
    # The lead may report progress and complete, but not cancel: that is an editor's change.
    with pytest.raises(PermissionDenied):
        review.review_item_update(
            meeting=later, action=item, by=owner, status="cancelled", progress=None, note="x"
        )
    review.review_item_update(meeting=later, action=item, by=owner, status="", progress=40, note="")
    item.refresh_from_db()
    assert (item.status, item.progress) == (Status.IN_PROGRESS, 40)


@pytest.mark.django_db
def test_the_review_lists_only_items_the_viewer_may_see_and_offers_only_allowed_changes(
    client_for, chair, owner, outsider
):
    series = weekly_series(chair)
    hidden = MeetingFactory(
        series=series,
        chair=chair,
        is_confidential=True,
        starts_at=timezone.now() - datetime.timedelta(days=14),
    )
    secret = make_action(lead=chair, meeting=hidden, title="供应商违约索赔")
    earlier = MeetingFactory(
        series=series,
        chair=chair,
        visibility=Meeting.Visibility.ORGANISATION,
        starts_at=timezone.now() - datetime.timedelta(days=7),
    )
    mine = make_action(lead=owner, meeting=earlier, title="整理渠道费用明细")
    later = MeetingFactory(series=series, chair=chair, recorder=owner, starts_at=timezone.now())
    rows = review.review_rows(later, full=True, user=owner)
    assert [row.pk for row in rows] == [mine.pk]
    statuses = dict(rows[0].review_statuses)
    assert "done" in statuses and "cancelled" not in statuses and "on_hold" not in statuses
    chair_rows = review.review_rows(later, full=True, user=chair)
    assert {row.pk for row in chair_rows} == {secret.pk, mine.pk}
    assert "cancelled" in dict(chair_rows[0].review_statuses)


@pytest.mark.django_db
def test_the_new_meeting_form_offers_only_series_the_user_manages(
    client_for, chair, outsider, confidential_series
):
    open_series = MeetingSeries.objects.create(
        title="外部系列", recurrence="weekly", weekday=1, first_date=datetime.date(2026, 1, 6), chair=outsider
    )
    page = client_for(outsider).get(reverse("meetings:create"))
    assert "人事委员会例会" not in page.text and "外部系列" in page.text
    response = client_for(outsider).post(
        reverse("meetings:create"),
        {
            "title": "混进去的会议",
            "kind": "regular",
            "series": confidential_series.pk,
            "starts_at": "2026-12-07T09:30",
        },
    )
    assert response.status_code == 200
    assert "请选择您负责的会议系列" in response.text
    assert "混进去的会议" in response.text  # what was typed stays
    assert not Meeting.objects.filter(title="混进去的会议").exists()
    assert client_for(chair).get(reverse("meetings:create")).text.count("人事委员会例会") == 1
    assert open_series.pk
