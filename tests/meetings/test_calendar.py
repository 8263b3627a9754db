""".ics for a meeting, a series and each user's private feed; they parse back with icalendar."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from actions.calendar import calendar_feed_for
from meetings import series as series_rules
from meetings.calendar import meeting_ics
from meetings.models import AgendaItem, Attendance, MeetingSeries
from tests.factories import MeetingFactory, UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def event_of(data: bytes):
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


@pytest.fixture
def invited(db, chair, owner, department):
    meeting = MeetingFactory(
        title="季度运营会议",
        chair=chair,
        department=department,
        location="总部 5 楼会议室",
        starts_at=datetime.datetime(2026, 10, 26, 14, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2026, 10, 26, 17, 30, tzinfo=SHANGHAI),
    )
    Attendance.objects.create(meeting=meeting, user=chair, role="chair")
    Attendance.objects.create(meeting=meeting, user=owner, role="participant")
    AgendaItem.objects.create(meeting=meeting, title="三季度经营回顾", order=1)
    AgendaItem.objects.create(meeting=meeting, title="组织调整", order=2, is_confidential=True)
    return meeting


@pytest.mark.django_db
def test_meeting_ics_parses_back_in_asia_shanghai(client_for, owner, chair, invited):
    response = client_for(owner).get(reverse("meetings:ics", args=[invited.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar, event = event_of(response.content)
    start = event.decoded("dtstart")
    assert start == datetime.datetime(2026, 10, 26, 14, 0, tzinfo=SHANGHAI)
    assert "DTSTART;TZID=Asia/Shanghai:20261026T140000" in response.content.decode()
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert event.decoded("dtend") - start == datetime.timedelta(hours=3, minutes=30)
    assert str(event["summary"]) == "季度运营会议"
    assert str(event["location"]) == "总部 5 楼会议室"
    assert str(event["organizer"]) == f"mailto:{chair.email}"
    assert event["organizer"].params["CN"] == chair.name
    attendees = sorted(str(a) for a in event["attendee"])
    assert attendees == sorted([f"mailto:{chair.email}", f"mailto:{owner.email}"])
    description = str(event["description"])
    assert "1. 三季度经营回顾" in description and "组织调整" in description  # a participant sees it all


@pytest.mark.django_db
def test_a_viewer_in_berlin_sees_the_right_local_hour_across_dst(invited):
    """26 Oct 2026 is the day after Berlin leaves summer time: 14:00 Beijing is 07:00 in Berlin."""
    _calendar, event = event_of(meeting_ics(invited, full=True))
    start = event.decoded("dtstart")
    assert start.astimezone(BERLIN).time() == datetime.time(7, 0)
    summer = invited.starts_at - datetime.timedelta(days=7)
    assert summer.astimezone(BERLIN).time() == datetime.time(8, 0)


@pytest.mark.django_db
def test_ics_leaves_out_confidential_agenda_items_for_readers(client_for, outsider, invited):
    invited.visibility = "organisation"
    invited.save()
    _calendar, event = event_of(client_for(outsider).get(reverse("meetings:ics", args=[invited.pk])).content)
    description = str(event["description"])
    assert "三季度经营回顾" in description and "组织调整" not in description


@pytest.mark.django_db
def test_series_exports_as_a_recurring_event(client_for, chair):
    series = series_rules.series_save(
        series=MeetingSeries(
            title="月度总结与计划会议",
            recurrence="monthly_weekday",
            weekday=4,
            week_of_month=-1,
            first_date=datetime.date(2026, 1, 1),
            start_time=datetime.time(14, 0),
            duration_minutes=120,
            chair=chair,
            template_agenda=[{"title": "本月工作总结"}],
        )
    )
    response = client_for(chair).get(reverse("meetings:series_ics", args=[series.pk]))
    _calendar, event = event_of(response.content)
    assert event.decoded("dtstart") == datetime.datetime(2026, 1, 30, 14, 0, tzinfo=SHANGHAI)
    rule = event["rrule"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["BYDAY"] == ["-1FR"]
    assert "本月工作总结" in str(event["description"])


def test_weekly_biweekly_and_monthly_day_rules():
    rule = series_rules.calendar_rule
    assert rule(MeetingSeries(recurrence="weekly", weekday=0)) == {"freq": "weekly", "byday": "MO"}
    assert rule(MeetingSeries(recurrence="biweekly", weekday=2)) == {
        "freq": "weekly",
        "interval": 2,
        "byday": "WE",
    }
    assert rule(MeetingSeries(recurrence="monthly_day", month_day=15)) == {
        "freq": "monthly",
        "bymonthday": 15,
    }


@pytest.mark.django_db
def test_private_feed_lists_attended_meetings_and_stops_after_reset(client, client_for, owner, invited):
    other = MeetingFactory(title="与我无关的会议")
    feed = calendar_feed_for(user=owner)
    url = reverse("meetings_calendar:calendar_feed", args=[feed.token])
    response = client.get(url)  # no login: calendar apps cannot log in
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    titles = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert titles == ["季度运营会议"]
    assert other.title not in response.content.decode()

    client_for(owner).post(reverse("meetings_calendar:calendar"))
    client.logout()
    revoked = client.get(url)
    assert revoked.status_code == 404
    assert "页面不存在" in revoked.text
    new_token = calendar_feed_for(user=owner).token
    assert new_token != feed.token
    assert client.get(reverse("meetings_calendar:calendar_feed", args=[new_token])).status_code == 200


@pytest.mark.django_db
def test_feed_query_count_does_not_grow(client, owner, chair, django_assert_max_num_queries):
    feed = calendar_feed_for(user=owner)
    url = reverse("meetings_calendar:calendar_feed", args=[feed.token])

    def add(n):
        for _ in range(n):
            meeting = MeetingFactory(chair=chair)
            Attendance.objects.create(meeting=meeting, user=owner)
            Attendance.objects.create(meeting=meeting, user=UserFactory())
            AgendaItem.objects.create(meeting=meeting, title="议题")

    add(2)
    with django_assert_max_num_queries(6):
        client.get(url)
    add(10)
    with django_assert_max_num_queries(6):
        assert len(Calendar.from_ical(client.get(url).content).walk("VEVENT")) == 12
