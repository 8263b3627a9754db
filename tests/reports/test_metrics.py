"""The period report's figures against hand counts, including the seeds' own arithmetic."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from actions import services
from actions.models import DeadlineChange, Occurrence, ProgressEntry, Status, local_today
from meetings.models import MeetingKind
from reports import metrics
from reports.templatetags import period_report
from reports.templatetags.period_report import pct, pp
from tests.factories import DecisionFactory, DepartmentFactory, MeetingFactory, UserFactory, make_action

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = metrics.Period(metrics.MONTH, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
TODAY = datetime.date(2026, 4, 15)
ORG = metrics.Scope(metrics.ORGANISATION, "全公司")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A moment on a Beijing calendar day."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def done(action, when: datetime.datetime):
    """Complete through the service, so completed_on_time is judged the way the product judges it."""
    services.action_complete(action=action, by=None, completed_at=when)
    action.refresh_from_db()
    return action


def figures(period=MARCH, today=TODAY, scope=ORG):
    return metrics.action_figures(scope.actions(), period, today)


# The seeds' arithmetic -------------------------------------------------------------------------


def test_rates_are_percentages_with_one_decimal():
    assert metrics.rate(19, 20) == 95.0
    assert metrics.rate(8, 23) == 34.8
    assert metrics.rate(0, 0) is None
    assert metrics.rate(2, 3) == 66.7
    assert metrics.change_pp(5.0, 15.0) == -10.0
    assert metrics.change_pp(95.0, None) is None


def test_change_reads_as_percentage_points_with_a_minus_sign():
    assert pp(-10.0) == "−10.0 个百分点"
    assert pp(5.0) == "+5.0 个百分点"
    assert pct(95.0) == "95.0%"
    assert pct(None) == "—"


def test_days_read_as_one_day_or_several_in_english():
    assert period_report.days(1) == "1 天" and period_report.days(3) == "3 天"
    with translation.override("en"):
        assert period_report.days(1) == "1 day"
        assert period_report.days(3) == "3 days"
        assert period_report.days(1.5) == "1.5 days"
        assert period_report.days(None) == "—"


@pytest.mark.django_db
def test_nineteen_of_twenty_due_items_done_on_time_is_95_percent(owner):
    for n in range(20):
        item = make_action(lead=owner, due_date=datetime.date(2026, 3, 10))
        done(item, at(datetime.date(2026, 3, 10) if n < 19 else datetime.date(2026, 3, 12)))
    result = figures()
    assert (result.due, result.on_time, result.late) == (20, 19, 1)
    assert result.on_time_rate == 95.0
    assert result.late_rate == 5.0


@pytest.mark.django_db
def test_eight_of_twenty_three_is_34_8_percent(owner):
    for n in range(23):
        item = make_action(lead=owner, due_date=datetime.date(2026, 3, 20))
        if n < 8:
            done(item, at(datetime.date(2026, 3, 19)))
    result = figures()
    assert (result.due, result.on_time, result.late) == (23, 8, 15)
    assert result.on_time_rate == 34.8
    assert result.late_rate == 65.2


@pytest.mark.django_db
def test_late_rate_falling_from_15_to_5_percent_is_minus_10_points(owner):
    february = MARCH.previous()
    assert (february.start, february.end) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    for period, late_count in ((february, 3), (MARCH, 1)):
        for n in range(20):
            item = make_action(lead=owner, due_date=period.start + datetime.timedelta(days=5))
            late = n < late_count
            done(item, at(item.due_date + datetime.timedelta(days=2 if late else 0)))
    report = metrics.build_report(scope=ORG, period=MARCH, today=TODAY)
    assert report.previous.late_rate == 15.0
    assert report.current.late_rate == 5.0
    assert report.late_change_pp == -10.0
    assert report.on_time_change_pp == 10.0


# Boundaries ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_item_due_on_the_last_day_belongs_to_that_period(owner):
    item = make_action(lead=owner, due_date=datetime.date(2026, 3, 31))
    done(item, at(datetime.date(2026, 3, 31), hour=23))
    assert item.completed_on_time is True
    assert figures().due == 1
    april = MARCH.shifted(1)
    assert figures(period=april).due == 0


@pytest.mark.django_db
def test_completed_exactly_on_the_due_date_is_on_time_and_a_day_later_is_not(owner):
    on_day = done(
        make_action(lead=owner, due_date=datetime.date(2026, 3, 10)), at(datetime.date(2026, 3, 10), 23)
    )
    next_day = done(
        make_action(lead=owner, due_date=datetime.date(2026, 3, 10)), at(datetime.date(2026, 3, 11), 0)
    )
    assert on_day.completed_on_time is True
    assert next_day.completed_on_time is False
    result = figures()
    assert (result.on_time, result.late, result.max_delay) == (1, 1, 1.0)


@pytest.mark.django_db
def test_beijing_dates_decide_with_the_server_clock_in_utc(owner):
    # 2026-03-31 16:30 UTC is already 1 April, 00:30, in Beijing.
    utc_moment = datetime.datetime(2026, 3, 31, 16, 30, tzinfo=datetime.UTC)
    item = make_action(lead=owner, due_date=datetime.date(2026, 3, 31))
    done(item, utc_moment)
    assert item.completed_on_time is False  # completed on 1 April, Beijing time
    with time_machine.travel(utc_moment, tick=False):
        assert local_today() == datetime.date(2026, 4, 1)
    march, april = figures(), figures(period=MARCH.shifted(1))
    assert (march.completed, april.completed) == (0, 1)
    assert (march.due, march.late, march.max_delay) == (1, 1, 1.0)
    # Created at 17:00 UTC on 28 February: 1 March in Beijing.
    created = make_action(lead=owner, due_date=datetime.date(2026, 5, 1))
    type(created).objects.filter(pk=created.pk).update(
        created_at=datetime.datetime(2026, 2, 28, 17, tzinfo=datetime.UTC)
    )
    assert figures().created == 1
    assert figures(period=MARCH.previous()).created == 0


@pytest.mark.django_db
def test_items_due_today_or_later_are_not_judged_yet_and_cancelled_ones_never(owner):
    make_action(lead=owner, due_date=datetime.date(2026, 4, 15))  # due today, open
    make_action(lead=owner, due_date=datetime.date(2026, 4, 20))  # due later, open
    make_action(lead=owner, due_date=datetime.date(2026, 4, 3), status=Status.CANCELLED)
    make_action(lead=owner, due_date=datetime.date(2026, 4, 14))  # overdue by one day
    april = MARCH.shifted(1)
    result = figures(period=april)
    assert (result.due, result.on_time, result.late) == (1, 0, 1)
    assert result.avg_delay == 1.0


# The other figures -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_delays_are_averaged_over_late_items_done_or_still_open(owner):
    done(
        make_action(lead=owner, due_date=datetime.date(2026, 3, 10)), at(datetime.date(2026, 3, 13))
    )  # 3 days
    make_action(lead=owner, due_date=datetime.date(2026, 3, 31))  # open: 15 days late on 15 April
    done(
        make_action(lead=owner, due_date=datetime.date(2026, 3, 5)), at(datetime.date(2026, 3, 5))
    )  # on time
    result = figures()
    assert result.late == 2
    assert result.avg_delay == 9.0
    assert result.max_delay == 15.0


@pytest.mark.django_db
def test_median_time_to_complete(owner):
    for days in (1, 2, 4, 10):
        item = make_action(lead=owner, due_date=datetime.date(2026, 3, 30))
        type(item).objects.filter(pk=item.pk).update(created_at=at(datetime.date(2026, 3, 1)))
        done(item, at(datetime.date(2026, 3, 1 + days)))
    assert figures().median_days_to_complete == 3.0  # (2 + 4) / 2
    item = make_action(lead=owner, due_date=datetime.date(2026, 3, 30))
    type(item).objects.filter(pk=item.pk).update(created_at=at(datetime.date(2026, 3, 1)))
    done(item, at(datetime.date(2026, 3, 21)))
    assert figures().median_days_to_complete == 4.0


@pytest.mark.django_db
def test_postponements_count_approved_changes_decided_in_the_period(owner):
    item = make_action(lead=owner, due_date=datetime.date(2026, 3, 10))
    for state, decided in (
        (DeadlineChange.State.APPROVED, at(datetime.date(2026, 3, 5))),
        (DeadlineChange.State.APPROVED, at(datetime.date(2026, 4, 2))),
        (DeadlineChange.State.REJECTED, at(datetime.date(2026, 3, 6))),
    ):
        DeadlineChange.objects.create(
            action=item,
            new_due_date=datetime.date(2026, 3, 20),
            reason="等待数据",
            state=state,
            decided_at=decided,
        )
    assert figures().postponements == 1


@pytest.mark.django_db
def test_stale_items_have_no_update_for_14_days(owner):
    now = at(TODAY)
    quiet = make_action(lead=owner, due_date=datetime.date(2026, 5, 1))
    recent = make_action(lead=owner, due_date=datetime.date(2026, 5, 1))
    never = make_action(lead=owner, due_date=datetime.date(2026, 5, 1))
    finished = make_action(lead=owner, due_date=datetime.date(2026, 5, 1), status=Status.DONE)
    ProgressEntry.objects.create(action=quiet, created_at=now - datetime.timedelta(days=15), note="进度50%")
    ProgressEntry.objects.create(action=recent, created_at=now - datetime.timedelta(days=13), note="进度80%")
    type(never).objects.filter(pk__in=[never.pk, finished.pk]).update(
        created_at=now - datetime.timedelta(days=30)
    )
    snapshot = metrics.snapshot_figures(ORG.actions(), TODAY)
    assert snapshot["stale"] == 2  # quiet, never
    assert snapshot["open"] == 3


@pytest.mark.django_db
def test_recurring_compliance_reads_24_of_26(owner):
    weekly = make_action(lead=owner, title="每周提交进展报告", due_date=None, recurrence="weekly")
    first = datetime.date(2025, 10, 6)
    for week in range(26):
        due = first + datetime.timedelta(weeks=week)
        Occurrence.objects.create(
            action=weekly, due_date=due, delivered_at=None if week in (3, 17) else at(due)
        )
    half_year = metrics.Period(
        metrics.CUSTOM, first, first + datetime.timedelta(weeks=26) - datetime.timedelta(days=1)
    )
    recurring = metrics.recurring_figures(ORG.actions(), half_year, TODAY)
    assert (recurring["delivered"], recurring["owed"]) == (24, 26)
    assert recurring["rows"] == [{"title": "每周提交进展报告", "owed": 26, "delivered": 24, "rate": 92.3}]


@pytest.mark.django_db
def test_meetings_held_by_kind_and_their_decisions(chair):
    for kind, decisions in ((MeetingKind.REGULAR, 2), (MeetingKind.REGULAR, 1), (MeetingKind.REVIEW, 3)):
        meeting = MeetingFactory(kind=kind, chair=chair, starts_at=at(datetime.date(2026, 3, 9), 14))
        for n in range(decisions):
            DecisionFactory(meeting=meeting, number=n + 1)
    MeetingFactory(starts_at=at(datetime.date(2026, 4, 1), 9))  # next period
    result = metrics.meeting_figures(ORG, MARCH, timezone.now())
    assert (result["meetings"], result["decisions"]) == (3, 6)
    assert [(row["label"], row["meetings"], row["decisions"]) for row in result["by_kind"]] == [
        ("例会", 2, 3),
        ("复盘会议", 1, 3),
    ]


@pytest.mark.django_db
def test_department_scope_includes_sub_departments_and_tables_split_them():
    market = DepartmentFactory(name="市场部")
    east = DepartmentFactory(name="华东区", parent=market)
    research = DepartmentFactory(name="研发一部")
    wangfang = UserFactory(name="王芳", department=market)
    liuyang = UserFactory(name="刘洋", department=east)
    zhaolei = UserFactory(name="赵磊", department=research)
    done(make_action(lead=wangfang, due_date=datetime.date(2026, 3, 3)), at(datetime.date(2026, 3, 2)))
    make_action(lead=liuyang, due_date=datetime.date(2026, 3, 4))  # overdue
    make_action(lead=zhaolei, due_date=datetime.date(2026, 3, 4))  # another department
    scope = metrics.Scope(metrics.DEPARTMENT, "市场部", department_ids=frozenset({market.pk, east.pk}))
    report = metrics.build_report(scope=scope, period=MARCH, today=TODAY, target=90)
    assert (report.current.due, report.current.on_time) == (2, 1)
    assert report.current.on_time_rate == 50.0
    assert report.target_met is False
    rows = {row["name"]: row for row in report.departments}
    assert set(rows) == {"市场部", "华东区"}
    assert (rows["市场部"]["on_time_rate"], rows["华东区"]["overdue"], rows["华东区"]["avg_delay"]) == (
        100.0,
        1,
        42.0,
    )
    assert {row["name"] for row in report.owners} == {"王芳", "刘洋"}
    overdue = list(metrics.overdue_items(scope.actions(), TODAY))
    assert [item.leads[0].owner_name for item in overdue] == ["刘洋"]


@pytest.mark.django_db
def test_overdue_list_puts_the_longest_overdue_first(owner):
    for day in (10, 2, 25):
        make_action(lead=owner, title=f"3月{day}日到期", due_date=datetime.date(2026, 3, day))
    titles = [item.title for item in metrics.overdue_items(ORG.actions(), TODAY)]
    assert titles == ["3月2日到期", "3月10日到期", "3月25日到期"]


@pytest.mark.django_db
def test_the_trend_covers_twelve_periods_oldest_first(owner):
    done(make_action(lead=owner, due_date=datetime.date(2025, 5, 10)), at(datetime.date(2025, 5, 9)))
    done(make_action(lead=owner, due_date=datetime.date(2026, 3, 10)), at(datetime.date(2026, 3, 12)))
    points = metrics.trend(ORG.actions(), MARCH, TODAY)
    assert len(points) == 12
    assert (points[0]["label"], points[-1]["label"]) == ("2025-04", "2026-03")
    assert points[1]["rate"] == 100.0 and points[-1]["rate"] == 0.0
    assert points[5]["rate"] is None


def test_periods():
    day = datetime.date(2026, 11, 22)  # a Sunday
    week = metrics.Period.containing(metrics.WEEK, day)
    assert (week.start, week.end) == (datetime.date(2026, 11, 16), day)
    quarter = metrics.Period.containing(metrics.QUARTER, day)
    assert (quarter.start, quarter.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert quarter.label == "2026年第4季度"
    assert quarter.previous().start == datetime.date(2026, 7, 1)
    year = metrics.Period.containing(metrics.YEAR, day)
    assert year.previous() == metrics.Period(
        metrics.YEAR, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    )
    custom = metrics.Period(metrics.CUSTOM, datetime.date(2026, 3, 1), datetime.date(2026, 3, 10))
    assert custom.previous() == metrics.Period(
        metrics.CUSTOM, datetime.date(2026, 2, 19), datetime.date(2026, 2, 28)
    )
    assert metrics.Period.containing(metrics.MONTH, datetime.date(2026, 1, 31)).shifted(
        -1
    ).end == datetime.date(2025, 12, 31)


@pytest.mark.django_db
def test_every_figure_has_a_definition():
    for metric in metrics.METRICS.values():
        assert metric.label and len(metric.help) > 8
    assert "14 天" in metrics.METRICS["stale"].help


# Query counts: the report costs the same number of queries however much data there is.


def _org_with(size: int):
    departments = [DepartmentFactory(name=f"部门{n}") for n in range(3)]
    people = [UserFactory(department=departments[n % 3]) for n in range(size)]
    for n in range(size):
        item = make_action(lead=people[n], due_date=datetime.date(2026, 3, 1 + n % 28))
        if n % 2:
            done(item, at(datetime.date(2026, 3, 1 + n % 28)))
        Occurrence.objects.create(action=item, due_date=datetime.date(2026, 3, 2))


@pytest.mark.django_db
@pytest.mark.parametrize("size", [4, 40])
def test_the_report_costs_a_fixed_number_of_queries(size, django_assert_max_num_queries):
    _org_with(size)
    # meetings 1; this period and the last: aggregate, median, postponements (3 + 3); snapshot 1;
    # recurring 1; by department 2; by owner 1; trend 1.
    with django_assert_max_num_queries(13):
        report = metrics.build_report(scope=ORG, period=MARCH, today=TODAY)
    assert report.current.due == size
    assert len(report.owners) == size
