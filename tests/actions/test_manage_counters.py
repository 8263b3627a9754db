"""The counters above 部门行动项: 未完成, 已逾期, 本周到期, 本月完成, and the 按时完成率 of the items due this
month (the period report's figure for this month, actions.figures)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions import selectors
from actions.models import Status
from tests.factories import make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
TODAY = NOW.date()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def done(owner, completed_at, on_time, dated=True):
    return make_action(
        lead=owner,
        status=Status.DONE,
        progress=100,
        due_date=day(-10) if dated else None,
        completed_at=completed_at,
        completed_on_time=on_time,
    )


@pytest.fixture
def known_items(owner, outsider):
    make_action(lead=owner, due_date=day(-1))  # overdue
    make_action(lead=owner, due_date=day(0), status=Status.IN_PROGRESS)  # due today
    make_action(lead=owner, due_date=day(4))  # Sunday: still this week
    make_action(lead=owner, due_date=day(5))  # next Monday
    # Paused: not counted as open; due this month and past, so judged (neither on time nor late).
    make_action(lead=owner, due_date=day(-3), status=Status.ON_HOLD)
    # The completed ones are due on 8 November.
    done(owner, datetime.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI), True)
    done(owner, datetime.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI), False)
    done(owner, datetime.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI), None, dated=False)  # never judged
    # Just after midnight on 1 November in Shanghai (still 31 October in UTC): this month.
    done(owner, datetime.datetime(2026, 11, 1, 0, 10, tzinfo=SHANGHAI), True)
    # Completed last month, but due this month: on time this month.
    done(owner, datetime.datetime(2026, 10, 31, 23, 50, tzinfo=SHANGHAI), True)
    make_action(lead=outsider, due_date=day(-9))  # another department


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_counters_for_known_data(known_items, department, django_assert_num_queries):
    scope = selectors.actions_in_departments({department.pk})
    with django_assert_num_queries(1):
        summary = selectors.scope_summary(scope, TODAY)
    assert summary.total == 10  # four open, one on hold, five completed (one of them last month)
    assert summary.counters == {
        "open": 4,
        "overdue": 1,
        "due_this_week": 2,
        "done_this_month": 4,
        # Due this month and judged: the overdue one, the paused one and four completed (the undated one
        # is never judged); three of them on time.
        "due_this_month": 6,
        "on_time_this_month": 3,
        "on_time_rate": 50.0,
    }


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_counters_show_on_the_page_before_filters(known_items, client_for, chair):
    response = client_for(chair).get(reverse("actions:department"), {"priority": "low"})
    assert response.context["page"].paginator.count == 0
    text = response.text
    assert 'data-counter="open">4<' in text
    assert 'data-counter="overdue">1<' in text
    assert 'data-counter="on_time_rate">50.0%<' in text
    assert "按时完成率(本月到期)" in text
    assert 'data-counter="on_time_of_due">3 / 6 项按时完成<' in text


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_ten_overdue_items_and_one_on_time_completion_are_not_100_percent(client_for, chair, owner):
    """Counted over the items due this month, as the period report counts: not over those completed."""
    for _n in range(10):
        make_action(lead=owner, due_date=day(-2))
    done(owner, datetime.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI), True)
    response = client_for(chair).get(reverse("actions:department"))
    assert response.context["counters"]["on_time_rate"] == 9.1  # 1 / 11
    assert 'data-counter="on_time_rate">9.1%<' in response.text


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_on_time_rate_is_a_dash_when_nothing_is_due_this_month(client_for, chair, owner):
    make_action(lead=owner)
    make_action(lead=owner, due_date=day(20))  # December
    response = client_for(chair).get(reverse("actions:department"))
    assert response.context["counters"]["on_time_rate"] is None
    assert 'data-counter="on_time_rate">—<' in response.text


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_open_and_overdue_counters_link_to_the_filtered_list(client_for, chair, owner):
    make_action(lead=owner)
    text = client_for(chair).get(reverse("actions:department")).text
    assert 'href="?status=not_started&amp;status=in_progress"' in text
    assert 'href="?overdue=on"' in text
