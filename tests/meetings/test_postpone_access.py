"""顺延 writes into the series' next meeting, so it asks about that meeting too.

Whoever may edit this meeting may move its unfinished agenda items on only into a next meeting they may
edit, and may create that meeting only if they may manage the series. What a 机密 meeting postpones
stays confidential in a next meeting that is not 机密.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import series as series_rules
from meetings.models import AgendaItem, Meeting, MeetingSeries
from tests.factories import MeetingFactory, UserFactory


@pytest.fixture
def weekly(chair, department):
    return MeetingSeries.objects.create(
        title="市场部周例会",
        recurrence="weekly",
        weekday=timezone.localdate().weekday(),
        first_date=timezone.localdate() - datetime.timedelta(days=7),
        start_time=datetime.time(9, 30),
        chair=chair,
        department=department,
    )


def _this_week(series, chair, recorder, **fields):
    meeting = MeetingFactory(
        series=series,
        chair=chair,
        recorder=recorder,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        **fields,
    )
    AgendaItem.objects.create(meeting=meeting, title="渠道费用复盘", order=1, is_postponed=True)
    return meeting


@pytest.mark.django_db
def test_items_are_not_moved_into_a_next_meeting_the_user_may_not_edit(weekly, chair):
    recorder = UserFactory(name="陈静")
    meeting = _this_week(weekly, chair, recorder)
    following = MeetingFactory(
        series=weekly,
        chair=chair,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        status=Meeting.Status.SUBMITTED,
    )
    with pytest.raises(ValidationError) as refused:
        series_rules.agenda_items_postpone(meeting=meeting, by=recorder)
    assert refused.value.code == "target_locked"
    assert not following.agenda_items.exists()
    target, count = series_rules.agenda_items_postpone(meeting=meeting, by=chair)  # the chair still edits it
    assert (target, count) == (following, 1)


@pytest.mark.django_db
def test_only_someone_who_manages_the_series_creates_the_next_meeting_to_postpone_into(weekly, chair):
    recorder = UserFactory(name="陈静")  # records this meeting, but is not the series' recorder
    meeting = _this_week(weekly, chair, recorder)
    with pytest.raises(ValidationError) as refused:
        series_rules.agenda_items_postpone(meeting=meeting, by=recorder)
    assert refused.value.code == "may_not_create"
    assert weekly.meetings.count() == 1


@pytest.mark.django_db
def test_what_a_confidential_meeting_postpones_stays_confidential(weekly, chair):
    meeting = _this_week(weekly, chair, chair, is_confidential=True)
    following = MeetingFactory(
        series=weekly, chair=chair, starts_at=timezone.now() + datetime.timedelta(days=7)
    )
    series_rules.agenda_items_postpone(meeting=meeting, by=chair)
    carried = following.agenda_items.get(title="渠道费用复盘")
    assert carried.is_confidential
