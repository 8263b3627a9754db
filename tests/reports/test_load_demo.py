"""`manage.py load_demo`: a realistic demo organisation, dated relative to today, loaded only once."""

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from actions.models import ActionItem, ActionOwner, DeadlineKind, ProgressEntry, Status
from meetings.models import AgendaItem, Attendance, Decision, Department, Meeting, MeetingSeries, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MODELS = (
    User,
    Department,
    MeetingSeries,
    Meeting,
    Attendance,
    AgendaItem,
    Decision,
    ActionItem,
    ActionOwner,
    ProgressEntry,
)


# The month-long weekly series of the lifecycle demo has its own test (test_lifecycle_demo.py); the
# assertions here are about the minutes and items of the other six meetings.
LIFECYCLE_SERIES = "产品部周例会"


def minutes_meetings():
    return Meeting.objects.exclude(series__title=LIFECYCLE_SERIES)


def minutes_items():
    return ActionItem.objects.exclude(meeting__series__title=LIFECYCLE_SERIES)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_builds_a_department_tree_with_heads_and_people():
    load_demo()
    assert Department.objects.count() == 6
    root = Department.objects.get(parent=None)
    assert root.name == "总经理办公室"
    assert set(root.children.values_list("name", flat=True)) >= {"市场部", "研发一部", "用户运营部", "产品部"}
    assert not Department.objects.filter(head=None).exists()
    people = User.objects.exclude(username="admin")
    assert 12 <= people.count() <= 16
    assert all(p.job_title and p.department_id and p.email.endswith("@demo.example.cn") for p in people)
    assert User.objects.get(username="zhangwei").alias_list == ["张总", "老张"]


def test_logins_for_each_role_share_the_demo_password():
    load_demo()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.name == "系统管理员"
    for username in ("admin", "zhangwei", "liming", "wangfang"):
        assert User.objects.get(username=username).check_password("demo1234"), username
    manager = User.objects.get(username="zhangwei")
    assert manager.headed_departments.exists() and manager.chaired_meetings.exists()
    assert not manager.is_staff  # the manager sees what a manager sees, not the admin's view
    assert User.objects.get(username="liming").recorded_meetings.count() >= 4


def test_six_meetings_in_two_series_over_the_last_ten_weeks():
    load_demo()
    now = timezone.now()
    assert MeetingSeries.objects.count() == 3
    assert minutes_meetings().count() == 6
    assert minutes_meetings().filter(series__isnull=False).count() >= 4
    meetings = list(minutes_meetings().order_by("starts_at"))
    assert all(now - datetime.timedelta(weeks=11) < m.starts_at < now for m in meetings)
    assert [m.status for m in meetings][-1] == Meeting.Status.DRAFT
    assert all(m.status == Meeting.Status.PUBLISHED for m in meetings[:-1])
    assert Meeting.objects.filter(is_confidential=True).count() == 1
    assert Meeting.objects.exclude(summary="").exists()
    assert Attendance.objects.filter(role=Attendance.Role.GUEST).exclude(guest_name="").exists()
    assert set(Attendance.objects.values_list("status", flat=True)) == set(Attendance.Status.values)


def test_every_meeting_has_agenda_reports_and_decisions_numbered_from_one():
    load_demo()
    for meeting in minutes_meetings():
        agenda = list(meeting.agenda_items.all())
        assert 2 <= len(agenda) <= 4, meeting
        assert [item.order for item in agenda] == list(range(1, len(agenda) + 1))
        assert all(item.reports.exists() for item in agenda), meeting
        numbers = list(meeting.decisions.order_by("number").values_list("number", flat=True))
        assert 1 <= len(numbers) <= 3, meeting
        assert numbers == list(range(1, len(numbers) + 1)), meeting
        assert meeting.attendances.filter(role=Attendance.Role.CHAIR, user=meeting.chair).exists()


def test_action_items_cover_every_kind_of_deadline_and_outcome():
    load_demo()
    items = list(minutes_items())
    assert 35 <= len(items) <= 45
    assert all(item.meeting_id for item in items)
    assert all(item.owners.filter(role=ActionOwner.Role.LEAD).exists() for item in items)
    assert ActionItem.objects.filter(decisions__isnull=False).distinct().count() >= len(items) // 2
    assert ActionItem.objects.overdue().exists()
    outcomes = {item.completed_on_time for item in items if item.status == Status.DONE}
    assert outcomes == {True, False}  # some done on time, some done late
    ongoing = ActionItem.objects.filter(deadline_kind=DeadlineKind.ONGOING)
    assert ongoing.exists() and not ongoing.filter(due_date__isnull=False).exists()
    assert ongoing.filter(deadline_text="持续进行").exists()
    recurring = ActionItem.objects.filter(deadline_kind=DeadlineKind.RECURRING)
    assert recurring.filter(deadline_text="每周提交进展报告").exists()
    assert ActionItem.objects.filter(deadline_is_estimate=True).exists()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert ActionItem.objects.open().filter(due_date=tomorrow).exists()
    # Owners: a department leading, two people leading together, people supporting.
    assert ActionOwner.objects.filter(role=ActionOwner.Role.LEAD, department__isnull=False).exists()
    assert ActionOwner.objects.filter(role=ActionOwner.Role.SUPPORT).exists()
    leads = [item.owners.filter(role=ActionOwner.Role.LEAD, user__isnull=False).count() for item in items]
    assert max(leads) >= 2


def test_items_in_progress_carry_a_progress_log():
    load_demo()
    started = ActionItem.objects.filter(status=Status.IN_PROGRESS)
    assert started.count() >= 3
    assert len(set(started.values_list("progress", flat=True))) >= 2
    for item in started:
        assert 0 < item.progress < 100
        assert item.progress_entries.filter(changes__has_key="progress").exists()
    for item in ActionItem.objects.filter(status=Status.DONE):
        assert item.progress == 100 and item.completed_by_id
        assert item.completed_at <= timezone.now()


@pytest.mark.parametrize("username", ["wangfang", "zhangwei"])
def test_owner_and_manager_have_overdue_and_due_tomorrow_items(username):
    load_demo()
    today = timezone.localdate()
    mine = list(ActionItem.objects.owned_by(User.objects.get(username=username)).open())
    assert len(mine) >= 3
    assert any(item.is_overdue for item in mine)
    assert any(item.due_date == today + datetime.timedelta(days=1) for item in mine)


def test_second_run_changes_nothing_and_says_so():
    first = load_demo()
    before = counts()
    second = load_demo()
    assert counts() == before
    assert "演示数据已存在,未做任何更改。" in second
    assert "演示数据已存在" not in first
    for text in ("zhangwei", "liming", "wangfang", "admin", "demo1234", "http://127.0.0.1:8000/"):
        assert text in first and text in second


def test_does_not_load_next_to_an_existing_demo_user():
    UserFactory(username="zhangwei", name="张伟")
    output = load_demo()
    assert "演示数据已存在" in output
    assert Meeting.objects.count() == 0 and ActionItem.objects.count() == 0


def test_dates_follow_a_frozen_clock():
    frozen = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
    with time_machine.travel(frozen, tick=False):
        load_demo()
        today = timezone.localdate()
        assert today == datetime.date(2026, 3, 2)
        for meeting in Meeting.objects.all():
            assert frozen - datetime.timedelta(weeks=11) < meeting.starts_at < frozen
            assert timezone.localtime(meeting.starts_at).weekday() < 5
        assert ActionItem.objects.overdue(today).exists()
        assert ActionItem.objects.open().filter(due_date=datetime.date(2026, 3, 3)).exists()
        assert not ActionItem.objects.filter(completed_at__gt=frozen).exists()


@pytest.mark.django_db
def test_demo_has_postponements_and_a_waiting_request():
    from actions.models import DeadlineChange

    call_command("load_demo", stdout=StringIO())
    states = list(DeadlineChange.objects.values_list("state", flat=True))
    assert states.count(DeadlineChange.State.APPROVED) == 2
    assert states.count(DeadlineChange.State.PENDING) == 1


def test_every_published_meeting_has_its_signed_version_dated_after_the_meeting():
    load_demo()
    for meeting in Meeting.objects.filter(status=Meeting.Status.PUBLISHED):
        version = meeting.versions.order_by("number").first()
        assert version is not None, meeting.title
        assert meeting.starts_at < version.published_at <= timezone.now()
        assert version.content["meeting"]["title"] == meeting.title


def test_completed_items_are_on_time_or_late_as_of_their_completion_day():
    load_demo()
    done = ActionItem.objects.filter(status=Status.DONE, due_date__isnull=False)
    assert done.exists()
    for action in done:
        assert action.completed_on_time == action.was_on_time(action.completed_at), action.title


def test_a_recurring_item_recurs_on_the_weekday_its_wording_names():
    load_demo()
    weekly = ActionItem.objects.get(title="每周输出《竞品动态简报》")
    assert weekly.deadline_text == "每周一提交" and weekly.recurrence_weekday == 0
    assert weekly.due_date.weekday() == 0


def test_every_demo_series_can_create_its_next_meeting():
    from meetings import series as series_rules

    load_demo()
    for series in MeetingSeries.objects.all():
        latest = series.meetings.order_by("-starts_at").first()
        meeting, created = series_rules.series_create_next_meeting(series=series, by=series.chair)
        assert created, series.title
        assert meeting.starts_at > latest.starts_at
        assert meeting.agenda_items.filter(kind="review").exists()  # 上次会议行动项回顾
