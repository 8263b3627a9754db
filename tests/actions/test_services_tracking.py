"""Deadlines, occurrences, postponements and reassignments: the rules behind action tracking."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import services
from actions.models import ActionOwner, DeadlineChange, DeadlineKind, Recurrence, Status
from meetings import services as meeting_services
from meetings.models import MeetingSeries
from tests.factories import MeetingFactory, UserFactory, make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def lead(user):
    return [(user, ActionOwner.Role.LEAD)]


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_weekly_item_plans_occurrences_and_is_due_at_the_next_one(owner):
    action = services.action_create(
        title="每周提交进展报告",
        owners=lead(owner),
        by=owner,
        meeting=MeetingFactory(starts_at=datetime.datetime(2026, 3, 3, 9, 30, tzinfo=SHANGHAI)),
        deadline_text="每周五",
    )
    assert (action.recurrence, action.recurrence_weekday) == (Recurrence.WEEKLY, 4)
    dates = list(action.occurrences.values_list("due_date", flat=True))
    assert dates[0] == datetime.date(2026, 3, 6)  # the first Friday after the meeting
    assert all(d.weekday() == 4 for d in dates)
    assert len(dates) == 26  # half a year of weekly reports
    action.refresh_from_db()
    assert action.due_date == datetime.date(2026, 3, 6)

    services.occurrence_deliver(occurrence=action.occurrences.first(), by=owner)
    action.refresh_from_db()
    assert action.due_date == datetime.date(2026, 3, 13)
    assert action.occurrences.filter(delivered_at__isnull=False).count() == 1


def test_monthly_occurrences_keep_the_day_or_use_the_months_last_day():
    dates = list(
        services.occurrence_dates(
            start=datetime.date(2026, 1, 31),
            recurrence=Recurrence.MONTHLY,
            weekday=None,
            until=datetime.date(2026, 4, 30),
        )
    )
    assert dates == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 30),
    ]


def test_biweekly_occurrences_skip_a_week():
    dates = list(
        services.occurrence_dates(
            start=datetime.date(2026, 3, 2),
            recurrence=Recurrence.BIWEEKLY,
            weekday=0,
            until=datetime.date(2026, 4, 1),
        )
    )
    assert dates == [datetime.date(2026, 3, 2), datetime.date(2026, 3, 16), datetime.date(2026, 3, 30)]


@pytest.mark.django_db
def test_a_cycle_with_no_rhythm_of_its_own_is_not_a_recurring_item(owner):
    """每季度: the words are kept, but there is no rhythm to plan; the item waits for a date."""
    action = services.action_create(
        title="定期汇报", owners=lead(owner), by=owner, deadline_text="每季度一次"
    )
    assert (action.deadline_kind, action.recurrence, action.due_date) == (DeadlineKind.DATE, "", None)
    assert action.deadline_text == "每季度一次" and not action.occurrences.exists()


@pytest.mark.django_db
def test_ongoing_item_has_no_due_date_and_is_never_overdue(owner):
    action = services.action_create(
        title="持续优化官网SEO",
        owners=lead(owner),
        by=owner,
        deadline_text="持续进行",
        checkin_days=14,
    )
    assert action.deadline_kind == DeadlineKind.ONGOING
    assert action.due_date is None and not action.is_overdue


@pytest.mark.django_db
def test_next_meeting_of_the_series_resolves_before_next_meeting_deadlines(owner, chair):
    series = MeetingSeries.objects.create(title="市场部每周例会")
    first = MeetingFactory(series=series, starts_at=datetime.datetime(2026, 3, 3, 9, 30, tzinfo=SHANGHAI))
    waiting = services.action_create(
        title="评估MA工具二期工作量",
        owners=lead(owner),
        by=chair,
        meeting=first,
        deadline_text="下次例会前",
    )
    assert (waiting.deadline_kind, waiting.due_date) == (DeadlineKind.EVENT, None)
    other_series = services.action_create(
        title="别的系列",
        owners=lead(owner),
        by=chair,
        meeting=MeetingFactory(),
        deadline_text="下次例会前",
    )
    meeting_services.meeting_create(
        by=chair,
        title="市场部每周例会(3月10日)",
        series=series,
        starts_at=datetime.datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI),
    )
    waiting.refresh_from_db()
    other_series.refresh_from_db()
    assert waiting.due_date == datetime.date(2026, 3, 10)
    assert waiting.deadline_text == "下次例会前"  # the original wording is kept
    assert other_series.due_date is None


@pytest.mark.django_db
def test_deadline_request_by_an_owner_waits_and_keeps_the_original_date(owner, chair):
    action = make_action(lead=owner, due_date=datetime.date(2030, 3, 10))
    change = services.deadline_change_request(
        action=action,
        by=owner,
        new_due_date=datetime.date(2030, 3, 24),
        reason="供应商延迟交付",
        approved=False,
    )
    action.refresh_from_db()
    assert change.state == DeadlineChange.State.PENDING
    assert action.due_date == datetime.date(2030, 3, 10)

    services.deadline_change_decide(change=change, by=chair, approve=True, note="同意")
    action.refresh_from_db()
    change.refresh_from_db()
    assert action.due_date == datetime.date(2030, 3, 24)
    assert change.state == DeadlineChange.State.APPROVED and change.decided_by == chair
    assert change.days == 14
    with pytest.raises(ValidationError):
        services.deadline_change_decide(change=change, by=chair, approve=False)


@pytest.mark.django_db
def test_rejected_request_leaves_the_date(owner, chair):
    action = make_action(lead=owner, due_date=datetime.date(2030, 3, 10))
    change = services.deadline_change_request(
        action=action, by=owner, new_due_date=datetime.date(2030, 4, 10), reason="人手不足", approved=False
    )
    services.deadline_change_decide(change=change, by=chair, approve=False, note="请按期完成")
    action.refresh_from_db()
    assert action.due_date == datetime.date(2030, 3, 10)


@pytest.mark.django_db
def test_postponements_are_counted_with_their_days(owner, chair):
    action = make_action(lead=owner, due_date=datetime.date(2030, 3, 10))
    for new, reason in ((datetime.date(2030, 3, 17), "等待数据"), (datetime.date(2030, 3, 26), "评审推迟")):
        services.deadline_change_request(
            action=action, by=chair, new_due_date=new, reason=reason, approved=True
        )
    approved = action.deadline_changes.filter(state=DeadlineChange.State.APPROVED)
    assert approved.count() == 2
    assert sum(change.days for change in approved) == 16  # "已延期 2 次,累计 16 天"


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_deadline_change_needs_a_reason(owner, chair, reason):
    action = make_action(lead=owner, due_date=datetime.date(2030, 3, 10))
    with pytest.raises(ValidationError):
        services.deadline_change_request(
            action=action, by=chair, new_due_date=datetime.date(2030, 4, 1), reason=reason, approved=True
        )
    assert not DeadlineChange.objects.exists()


@pytest.mark.django_db
def test_only_one_request_waits_at_a_time(owner):
    action = make_action(lead=owner, due_date=datetime.date(2030, 3, 10))
    services.deadline_change_request(
        action=action, by=owner, new_due_date=datetime.date(2030, 3, 20), reason="原因一", approved=False
    )
    with pytest.raises(ValidationError):
        services.deadline_change_request(
            action=action, by=owner, new_due_date=datetime.date(2030, 3, 30), reason="原因二", approved=False
        )


@pytest.mark.django_db
def test_reassignment_is_logged_and_counted(owner, chair, outsider):
    action = make_action(lead=owner)
    services.owners_set(action=action, by=chair, owners=lead(outsider), reason="工作调整")
    services.owners_set(action=action, by=chair, owners=lead(owner), reason="退回原责任人")
    reassignments = action.progress_entries.filter(changes__has_key="owners")
    assert reassignments.count() == 2
    latest = reassignments.first()
    assert latest.changes["owners"] == [["赵磊(牵头)"], ["王芳(牵头)"]]


@pytest.mark.django_db
def test_removing_the_last_lead_is_refused(owner, chair, outsider):
    action = make_action(lead=owner)
    with pytest.raises(ValidationError):
        services.owners_set(action=action, by=chair, owners=[(outsider, ActionOwner.Role.SUPPORT)])
    assert list(action.owners.values_list("user__name", "role")) == [("王芳", "lead")]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.ON_HOLD, Status.CANCELLED])
def test_hold_and_cancel_need_a_reason(owner, status):
    action = make_action(lead=owner)
    with pytest.raises(ValidationError):
        services.action_set_status(action=action, by=owner, status=status, reason="")
    services.action_set_status(action=action, by=owner, status=status, reason="预算冻结")
    action.refresh_from_db()
    assert action.status == status and action.status_reason == "预算冻结"
    assert not action.is_overdue


@pytest.mark.django_db
@pytest.mark.parametrize("progress", [-1, 101])
def test_progress_outside_0_100_is_refused(owner, progress):
    action = make_action(lead=owner)
    with pytest.raises(ValidationError):
        services.action_update_progress(action=action, by=owner, progress=progress)
    action.refresh_from_db()
    assert action.progress == 0 and not action.progress_entries.exists()


@pytest.mark.django_db
def test_progress_starts_the_item_and_is_logged(owner):
    action = make_action(lead=owner)
    services.action_update_progress(action=action, by=owner, progress=85, note="进度达到85%")
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS and action.progress == 85
    entry = action.progress_entries.get()
    assert entry.changes == {"progress": [0, 85], "status": ["not_started", "in_progress"]}


@pytest.mark.django_db
def test_completing_closes_a_pending_deadline_request(owner):
    action = make_action(lead=owner, due_date=datetime.date(2030, 3, 10))
    services.deadline_change_request(
        action=action, by=owner, new_due_date=datetime.date(2030, 3, 20), reason="等待", approved=False
    )
    services.action_complete(action=action, by=owner)
    assert not action.deadline_changes.filter(state=DeadlineChange.State.PENDING).exists()


@pytest.mark.django_db
def test_reopening_clears_the_completion(owner):
    action = make_action(lead=owner, due_date=timezone.localdate())
    services.action_complete(action=action, by=owner)
    services.action_set_status(action=action, by=owner, status=Status.IN_PROGRESS)
    action.refresh_from_db()
    assert action.completed_at is None and action.completed_on_time is None


@pytest.mark.django_db
def test_department_head_manages_sub_departments(department, chair):
    from meetings.models import Department

    team = Department.objects.create(name="品牌组", parent=department)
    unit = Department.objects.create(name="视频小组", parent=team)
    assert Department.managed_by(chair) == {department.pk, team.pk, unit.pk}
    assert Department.managed_by(UserFactory()) == set()


@pytest.mark.django_db
def test_occurrence_of_a_cancelled_item_cannot_be_delivered(owner, meeting):
    action = services.action_create(
        title="每周提交进展报告",
        owners=lead(owner),
        by=owner,
        meeting=meeting,
        deadline_text="每周",
    )
    services.action_set_status(action=action, by=owner, status=Status.CANCELLED, reason="项目终止")
    with pytest.raises(ValidationError):
        services.occurrence_deliver(occurrence=action.occurrences.first(), by=owner)
    assert not action.occurrences.filter(delivered_at__isnull=False).exists()
