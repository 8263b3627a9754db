"""Meeting series: recurrence rules, creating the next meeting, carry-over review and postponing."""

import datetime
import itertools
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions import review
from actions.models import ActionItem, DeadlineKind, ProgressEntry, Status
from meetings import series as series_rules
from meetings.models import AgendaItem, Attendance, Meeting, MeetingSeries
from meetings.tasks import create_upcoming_meetings
from tests.factories import MeetingFactory, UserFactory, make_action

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def make_series(**fields) -> MeetingSeries:
    defaults = {
        "title": "市场部周例会",
        "recurrence": MeetingSeries.Recurrence.WEEKLY,
        "weekday": 0,
        "first_date": datetime.date(2026, 1, 5),
        "start_time": datetime.time(9, 30),
        "duration_minutes": 90,
        "default_location": "3楼大会议室",
        "template_agenda": [{"title": "各组工作汇报", "planned_minutes": 30}, {"title": "下周工作安排"}],
    }
    defaults.update(fields)
    return series_rules.series_save(series=MeetingSeries(**defaults))


def dates(series, start, count):
    return list(itertools.islice(series_rules.dates_from(series, start), count))


# --- Recurrence rules (no database needed beyond the unsaved model)


def unsaved(**fields) -> MeetingSeries:
    defaults = {"first_date": datetime.date(2026, 1, 1), "start_time": datetime.time(9, 30)}
    return MeetingSeries(**{**defaults, **fields})


def test_weekly_runs_across_a_month_end_on_the_same_weekday():
    series = unsaved(recurrence="weekly", weekday=4)  # Fridays
    assert dates(series, datetime.date(2026, 1, 20), 3) == [
        datetime.date(2026, 1, 23),
        datetime.date(2026, 1, 30),
        datetime.date(2026, 2, 6),
    ]


def test_every_two_weeks_keeps_the_parity_of_the_first_meeting():
    series = unsaved(recurrence="biweekly", weekday=2, first_date=datetime.date(2026, 1, 7))
    assert dates(series, datetime.date(2026, 1, 8), 3) == [
        datetime.date(2026, 1, 21),
        datetime.date(2026, 2, 4),
        datetime.date(2026, 2, 18),
    ]


def test_monthly_on_a_fixed_day():
    series = unsaved(recurrence="monthly_day", month_day=28)
    assert dates(series, datetime.date(2026, 1, 29), 3) == [
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 28),
        datetime.date(2026, 4, 28),
    ]


def test_last_friday_of_each_month_across_february_and_the_year_end():
    series = unsaved(
        recurrence="monthly_weekday", weekday=4, week_of_month=-1, first_date=datetime.date(2025, 11, 1)
    )
    assert dates(series, datetime.date(2025, 11, 1), 5) == [
        datetime.date(2025, 11, 28),
        datetime.date(2025, 12, 26),
        datetime.date(2026, 1, 30),
        datetime.date(2026, 2, 27),
        datetime.date(2026, 3, 27),
    ]
    assert series_rules.describe_rule(series) == "每月最后一个周五 09:30"


def test_first_monday_of_the_month():
    series = unsaved(recurrence="monthly_weekday", weekday=0, week_of_month=1)
    assert dates(series, datetime.date(2026, 3, 3), 2) == [
        datetime.date(2026, 4, 6),
        datetime.date(2026, 5, 4),
    ]


@pytest.mark.parametrize("day", [29, 30, 31])
def test_monthly_day_29_to_31_is_refused_with_a_reason(day):
    with pytest.raises(ValidationError) as info:
        series_rules.validate_rule(unsaved(recurrence="monthly_day", month_day=day))
    message = " ".join(info.value.message_dict["month_day"])
    assert f"每月{day}日并非每个月都有" in message
    assert "最后一个星期几" in message


def test_a_series_without_recurrence_is_refused():
    with pytest.raises(ValidationError) as info:
        series_rules.validate_rule(unsaved(recurrence=""))
    assert "请选择重复规则" in " ".join(info.value.message_dict["recurrence"])


def test_meeting_time_is_beijing_wall_clock_and_moves_for_a_viewer_across_dst():
    """Shanghai has no DST; a participant in Berlin sees the 09:30 meeting an hour later in winter."""
    series = unsaved(recurrence="weekly", weekday=0, first_date=datetime.date(2026, 10, 19))
    before, after = dates(series, datetime.date(2026, 10, 19), 2)  # Berlin leaves DST on 25 Oct 2026
    starts = [series_rules.starts_at_on(series, day) for day in (before, after)]
    assert [s.astimezone(SHANGHAI).time() for s in starts] == [datetime.time(9, 30)] * 2
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert [s.astimezone(berlin).time() for s in starts] == [datetime.time(3, 30), datetime.time(2, 30)]


# --- Saving a series through the page


@pytest.mark.django_db
def test_series_form_refuses_day_31_and_keeps_what_was_typed(client_for, chair):
    response = client_for(chair).post(
        reverse("meetings:series_create"),
        {
            "title": "月度经营分析会",
            "kind": "monthly",
            "recurrence": "monthly_day",
            "month_day": "31",
            "first_date": "2026-01-31",
            "start_time": "14:00",
            "duration_minutes": "120",
            "visibility": "participants",
            "create_days_ahead": "3",
            "agenda_text": "经营数据通报\n下月计划",
        },
    )
    assert response.status_code == 400
    assert "每月31日并非每个月都有" in response.text
    assert 'value="月度经营分析会"' in response.text
    assert "经营数据通报" in response.text
    assert not MeetingSeries.objects.exists()


@pytest.mark.django_db
def test_series_form_without_recurrence_gets_a_message(client_for, chair):
    response = client_for(chair).post(
        reverse("meetings:series_create"),
        {
            "title": "周例会",
            "kind": "regular",
            "first_date": "2026-01-05",
            "start_time": "09:30",
            "duration_minutes": "60",
            "visibility": "participants",
            "create_days_ahead": "3",
        },
    )
    assert response.status_code == 400
    assert "请选择重复规则" in response.text
    assert not MeetingSeries.objects.exists()


@pytest.mark.django_db
def test_series_form_creates_a_last_friday_series(client_for, chair, owner):
    response = client_for(chair).post(
        reverse("meetings:series_create"),
        {
            "title": "月度总结与计划会议",
            "kind": "monthly",
            "recurrence": "monthly_weekday",
            "weekday": "4",
            "week_of_month": "-1",
            "first_date": "2026-01-01",
            "start_time": "14:00",
            "duration_minutes": "120",
            "visibility": "participants",
            "create_days_ahead": "5",
            "chair": chair.pk,
            "participants": [owner.pk],
            "agenda_text": "本月工作总结\n\n下月工作计划",
        },
    )
    series = MeetingSeries.objects.get()
    assert response.status_code == 302
    assert (series.weekday, series.week_of_month, series.month_day) == (4, -1, None)
    assert series.template_agenda == [
        {"title": "本月工作总结", "planned_minutes": None},
        {"title": "下月工作计划", "planned_minutes": None},
    ]
    assert list(series.participants.all()) == [owner]


# --- Creating the next meeting


@pytest.mark.django_db
def test_next_meeting_copies_people_agenda_and_adds_the_review(chair, owner):
    series = make_series(chair=chair, recorder=owner)
    guest = UserFactory(name="李明")
    series.participants.set([owner, guest])
    first, created = series_rules.series_create_next_meeting(
        series=series, by=chair, today=datetime.date(2026, 1, 1)
    )
    assert created
    assert timezone.localtime(first.starts_at) == datetime.datetime(2026, 1, 5, 9, 30, tzinfo=SHANGHAI)
    assert first.ends_at - first.starts_at == datetime.timedelta(minutes=90)
    assert [i.title for i in first.agenda_items.order_by("order")] == ["各组工作汇报", "下周工作安排"]
    roles = dict(first.attendances.values_list("user__name", "role"))
    assert roles == {chair.name: "chair", owner.name: "recorder", "李明": "participant"}

    second, created = series_rules.series_create_next_meeting(
        series=series, by=chair, today=datetime.date(2026, 1, 6)
    )
    assert created
    assert timezone.localdate(second.starts_at) == datetime.date(2026, 1, 12)
    items = list(second.agenda_items.order_by("order"))
    assert (items[0].title, items[0].kind) == ("上次会议行动项回顾", AgendaItem.Kind.REVIEW)
    assert [i.title for i in items[1:]] == ["各组工作汇报", "下周工作安排"]


@pytest.mark.django_db
def test_creating_the_next_meeting_twice_returns_the_same_meeting(chair):
    series = make_series(chair=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    again, created = series_rules.series_create_next_meeting(
        series=series, today=datetime.date(2026, 1, 1), day=datetime.date(2026, 1, 5)
    )
    assert again == first and not created
    assert Meeting.objects.count() == 1


@pytest.mark.django_db
def test_beat_task_creates_meetings_within_the_lead_time_only(chair, time_machine):
    make_series(chair=chair, create_days_ahead=3)  # Mondays from 5 Jan 2026
    time_machine.move_to(datetime.datetime(2026, 1, 1, 6, 0, tzinfo=SHANGHAI))  # Thursday: 4 days ahead
    assert create_upcoming_meetings() == []
    time_machine.move_to(datetime.datetime(2026, 1, 2, 6, 0, tzinfo=SHANGHAI))  # Friday: 3 days ahead
    created = create_upcoming_meetings()
    assert len(created) == 1
    assert create_upcoming_meetings() == []  # idempotent
    assert timezone.localdate(Meeting.objects.get().starts_at) == datetime.date(2026, 1, 5)


@pytest.mark.django_db
def test_next_meeting_button(client_for, chair, outsider):
    series = make_series(chair=chair)
    url = reverse("meetings:series_next", args=[series.pk])
    assert client_for(outsider).post(url).status_code == 404
    response = client_for(chair).post(url)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()


@pytest.mark.django_db
def test_next_meeting_resolves_next_regular_meeting_deadlines(chair, owner):
    """ "下次例会前": the hook in meetings.services.meeting_create still runs for series meetings."""
    series = make_series(chair=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    waiting = make_action(
        lead=owner, meeting=first, deadline_kind=DeadlineKind.EVENT, due_date=None, deadline_text="下次例会前"
    )
    series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 6))
    waiting.refresh_from_db()
    assert waiting.due_date == datetime.date(2026, 1, 12)


# --- The carry-over review


@pytest.mark.django_db
def test_review_lists_open_items_and_those_closed_since_the_last_meeting(chair, owner):
    series = make_series(chair=chair)
    m1 = MeetingFactory(series=series, starts_at=datetime.datetime(2026, 1, 5, 9, 30, tzinfo=SHANGHAI))
    m2 = MeetingFactory(series=series, starts_at=datetime.datetime(2026, 1, 12, 9, 30, tzinfo=SHANGHAI))
    m3 = MeetingFactory(series=series, starts_at=datetime.datetime(2026, 1, 19, 9, 30, tzinfo=SHANGHAI))
    other = MeetingFactory(starts_at=datetime.datetime(2026, 1, 12, 9, 30, tzinfo=SHANGHAI))  # other series

    still_open = make_action(lead=owner, meeting=m1, title="仍在进行")
    on_hold = make_action(lead=owner, meeting=m1, title="暂时搁置", status=Status.ON_HOLD)
    closed_long_ago = make_action(lead=owner, meeting=m1, title="早已完成")
    closed_recently = make_action(lead=owner, meeting=m2, title="上周后完成")
    cancelled_recently = make_action(lead=owner, meeting=m2, title="上周后取消")
    make_action(lead=owner, meeting=other, title="别的系列")
    make_action(lead=owner, meeting=m3, title="本次会议新增")
    ActionItem.objects.filter(pk=closed_long_ago.pk).update(
        status=Status.DONE, completed_at=datetime.datetime(2026, 1, 8, tzinfo=SHANGHAI)
    )
    ActionItem.objects.filter(pk=closed_recently.pk).update(
        status=Status.DONE, completed_at=datetime.datetime(2026, 1, 14, tzinfo=SHANGHAI)
    )
    ActionItem.objects.filter(pk=cancelled_recently.pk).update(
        status=Status.CANCELLED, updated_at=datetime.datetime(2026, 1, 15, tzinfo=SHANGHAI)
    )
    picked = set(review.review_actions(m3))
    assert picked == {still_open, on_hold, closed_recently, cancelled_recently}


@pytest.mark.django_db
def test_review_update_lands_in_the_items_progress_log(client_for, chair, owner):
    series = make_series(chair=chair, recorder=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    item = make_action(lead=owner, meeting=first, title="提交渠道优化方案")
    second, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 6))
    url = reverse("meeting_actions:review_update", args=[second.pk, item.pk])
    response = client_for(chair).post(
        url, {"status": "in_progress", "progress": "60", "note": "初稿已完成"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "已更新" in response.text and "60%" in response.text
    item.refresh_from_db()
    assert (item.status, item.progress) == (Status.IN_PROGRESS, 60)
    entry = ProgressEntry.objects.filter(action=item).first()
    assert entry.note == "初稿已完成" and entry.author == chair and entry.changes["progress"] == [0, 60]

    response = client_for(chair).post(
        url, {"status": "done", "progress": "", "note": ""}, HTTP_HX_REQUEST="true"
    )
    item.refresh_from_db()
    assert item.status == Status.DONE and item.progress == 100


@pytest.mark.django_db
def test_review_update_with_bad_progress_keeps_the_typed_note(client_for, chair, owner):
    series = make_series(chair=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    item = make_action(lead=owner, meeting=first)
    second, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 6))
    response = client_for(chair).post(
        reverse("meeting_actions:review_update", args=[second.pk, item.pk]),
        {"status": "in_progress", "progress": "150", "note": "快完成了"},
        HTTP_HX_REQUEST="true",
    )
    assert "进度应在 0 到 100 之间" in response.text
    assert 'value="快完成了"' in response.text
    item.refresh_from_db()
    assert item.progress == 0


@pytest.mark.django_db
def test_review_does_not_accept_items_of_another_series(client_for, chair, owner):
    series = make_series(chair=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    second, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 6))
    foreign = make_action(lead=owner, meeting=MeetingFactory(chair=chair))
    response = client_for(chair).post(
        reverse("meeting_actions:review_update", args=[second.pk, foreign.pk]), {"status": "done"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.NOT_STARTED


# --- Postponing agenda items


@pytest.mark.django_db
def test_postponed_items_move_to_the_next_meeting_once(client_for, chair):
    series = make_series(chair=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    topic = first.agenda_items.get(title="下周工作安排")
    client = client_for(chair)
    client.post(reverse("meetings:agenda_postponed", args=[first.pk, topic.pk]), {"postponed": "1"})
    response = client.post(reverse("meetings:agenda_postpone", args=[first.pk]), follow=True)
    assert "已将 1 项议程顺延" in response.text
    second = Meeting.objects.exclude(pk=first.pk).get()
    carried = second.agenda_items.get(carried_from=topic)
    assert carried.title == "下周工作安排"
    response = client.post(reverse("meetings:agenda_postpone", args=[first.pk]), follow=True)
    assert "没有标记为“未讨论/顺延”的议程" in response.text
    assert second.agenda_items.filter(carried_from=topic).count() == 1


@pytest.mark.django_db
def test_a_meeting_created_after_postponing_carries_the_items_itself(chair):
    series = make_series(chair=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    AgendaItem.objects.filter(meeting=first, title="各组工作汇报").update(is_postponed=True)
    second, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 6))
    assert second.agenda_items.filter(carried_from__meeting=first, title="各组工作汇报").count() == 1


@pytest.mark.django_db
def test_participants_of_the_series_attend(chair, owner):
    series = make_series(chair=chair)
    series.participants.set([owner])
    meeting, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    assert Attendance.objects.filter(meeting=meeting, user=owner, role="participant").exists()


@pytest.mark.django_db
def test_review_row_left_at_its_status_only_records_progress(client_for, chair, owner):
    """The row posts the status it showed; progress alone moves 未开始 to 进行中 and that stands."""
    series = make_series(chair=chair)
    first, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 1))
    item = make_action(lead=owner, meeting=first)
    second, _ = series_rules.series_create_next_meeting(series=series, today=datetime.date(2026, 1, 6))
    client_for(chair).post(
        reverse("meeting_actions:review_update", args=[second.pk, item.pk]),
        {"status": "not_started", "was_status": "not_started", "progress": "30", "note": ""},
    )
    item.refresh_from_db()
    assert (item.status, item.progress) == (Status.IN_PROGRESS, 30)


@pytest.mark.django_db
def test_series_page_in_english_lists_people_with_commas_and_counts_days(client_for, chair, owner):
    series = make_series(chair=chair, create_days_ahead=1)
    series.participants.set([chair, owner])
    chair.language = "en"
    chair.save(update_fields=["language"])
    page = client_for(chair).get(reverse("meetings:series_detail", args=[series.pk])).text
    assert "张伟, 王芳" in page or "王芳, 张伟" in page
    assert "、" not in page
    assert "created automatically 1 day before" in page
    series.create_days_ahead = 3
    series.save(update_fields=["create_days_ahead"])
    page = client_for(chair).get(reverse("meetings:series_detail", args=[series.pk])).text
    assert "created automatically 3 days before" in page
