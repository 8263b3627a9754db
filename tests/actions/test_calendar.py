"""The private calendar feed (.ics) of a user's own deadlines, and its settings page."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from actions import services
from actions.models import CalendarFeed, DeadlineKind, Status
from tests.factories import MeetingFactory, UserFactory, make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def feed_url(user):
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return reverse("actions:calendar_feed", args=[feed.token])


def fetch(client, user) -> Calendar:
    response = client.get(feed_url(user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


@pytest.mark.django_db
def test_feed_lists_my_open_dated_items_and_nothing_else(client, owner, meeting):
    due = TODAY + datetime.timedelta(days=3)
    make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=due)
    make_action(lead=owner, title="已完成的事项", due_date=due, status=Status.DONE)
    make_action(lead=owner, title="已搁置的事项", due_date=due, status=Status.ON_HOLD)
    make_action(lead=owner, title="持续推进", due_date=None, deadline_kind=DeadlineKind.ONGOING)
    make_action(lead=UserFactory(), title="别人的事项", due_date=due)

    cal = fetch(client, owner)
    assert set(events(cal)) == {"提交渠道优化方案"}
    assert str(cal["x-wr-calname"]) == "我的行动项"
    assert str(cal["x-wr-timezone"]) == "Asia/Shanghai"


@pytest.mark.django_db
def test_event_is_all_day_on_the_due_date_with_meeting_wording_and_link(client, owner, meeting, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    action = make_action(
        lead=owner,
        meeting=meeting,
        title="提交渠道优化方案(第二版)",
        due_date=datetime.date(2026, 3, 30),
        deadline_text="两周内",
    )
    event = events(fetch(client, owner))["提交渠道优化方案(第二版)"]
    assert event.decoded("dtstart") == datetime.date(2026, 3, 30)
    assert event.decoded("dtend") == datetime.date(2026, 3, 31)
    assert str(event["uid"]) == f"action-{action.pk}@minutes.example.cn"
    description = str(event["description"])
    assert "来源会议:市场部第12次周例会" in description
    assert "完成时限:2026年3月30日 (周一)" in description and "时限原文:两周内" in description
    assert f"https://minutes.example.cn/actions/{action.pk}/" in description


@pytest.mark.django_db
def test_uid_stays_the_same_when_the_item_changes(client, owner):
    action = make_action(lead=owner, title="更新产品手册", due_date=TODAY + datetime.timedelta(days=2))
    before = str(events(fetch(client, owner))["更新产品手册"]["uid"])
    services.action_update_progress(action=action, by=owner, progress=50)
    assert str(events(fetch(client, owner))["更新产品手册"]["uid"]) == before


@pytest.mark.django_db
def test_department_head_gets_the_departments_items(client, chair, department):
    make_action(lead_department=department, title="市场部整改", due_date=TODAY)
    assert set(events(fetch(client, chair))) == {"市场部整改"}


@pytest.mark.django_db
def test_recurring_item_shows_its_coming_occurrences_once_each(client, owner):
    services.action_create(
        title="每周提交进展报告",
        owners=[(owner, "lead")],
        by=owner,
        meeting=MeetingFactory(),  # yesterday's
        deadline_text="每周五",
    )
    cal = fetch(client, owner)
    starts = sorted(e.decoded("dtstart") for e in cal.walk("VEVENT"))
    assert starts[0] == datetime.date(2026, 3, 20)  # the first Friday
    assert all(
        later - earlier == datetime.timedelta(weeks=1)
        for earlier, later in zip(starts, starts[1:], strict=False)
    )
    assert starts[-1] <= TODAY + datetime.timedelta(days=90) and len(starts) == 13
    assert len({str(e["uid"]) for e in cal.walk("VEVENT")}) == len(starts)


@pytest.mark.django_db
def test_feed_cost_does_not_grow_with_items(client, owner, django_assert_max_num_queries):
    for _ in range(2):
        make_action(lead=owner, due_date=TODAY)
    url = feed_url(owner)
    with django_assert_max_num_queries(6) as small:
        client.get(url)
    for _ in range(15):
        make_action(lead=owner, due_date=TODAY, meeting=MeetingFactory())
    with django_assert_max_num_queries(len(small)):
        assert len(Calendar.from_ical(client.get(url).content).walk("VEVENT")) == 17


@pytest.mark.django_db
def test_unknown_token_gets_404(client, owner):
    feed_url(owner)
    assert client.get(reverse("actions:calendar_feed", args=["not-a-token"])).status_code == 404


@pytest.mark.django_db
def test_deactivated_users_feed_stops(client, owner):
    url = feed_url(owner)
    owner.is_active = False
    owner.save()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_settings_page_requires_login(client):
    response = client.get(reverse("actions:calendar"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_settings_page_shows_the_same_subscription_url_each_visit(client_for, owner, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    client = client_for(owner)
    first = client.get(reverse("actions:calendar"))
    feed = CalendarFeed.objects.get(user=owner)
    url = f"https://minutes.example.cn/actions/calendar/{feed.token}.ics"
    assert url in first.text and "webcal://minutes.example.cn/actions/calendar/" in first.text
    assert "Outlook" in first.text and "钉钉" in first.text and "飞书" in first.text
    assert url in client.get(reverse("actions:calendar")).text


@pytest.mark.django_db
def test_reset_replaces_the_url_and_the_old_one_stops_working(client_for, owner):
    old_url = feed_url(owner)
    client = client_for(owner)
    response = client.post(reverse("actions:calendar"), follow=True)
    assert "订阅链接已重置,旧链接已失效" in response.text
    assert client.get(old_url).status_code == 404
    new_url = feed_url(owner)
    assert new_url != old_url and new_url.replace(".ics", "") in response.text
    assert client.get(new_url).status_code == 200


@pytest.mark.django_db
def test_feeds_are_per_user(client, owner, outsider):
    make_action(lead=owner, title="王芳的事项", due_date=TODAY)
    make_action(lead=outsider, title="赵磊的事项", due_date=TODAY)
    assert feed_url(owner) != feed_url(outsider)
    assert set(events(fetch(client, outsider))) == {"赵磊的事项"}
