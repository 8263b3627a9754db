import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import services
from actions.models import ActionItem, ActionOwner, ProgressEntry, Status
from tests.factories import make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_overdue_is_derived_from_due_date_and_status(owner):
    late = make_action(lead=owner, due_date=datetime.date(2026, 3, 19))
    today = make_action(lead=owner, due_date=datetime.date(2026, 3, 20))
    done_late = make_action(lead=owner, due_date=datetime.date(2026, 3, 1), status=Status.DONE)
    on_hold = make_action(lead=owner, due_date=datetime.date(2026, 3, 1), status=Status.ON_HOLD)
    no_date = make_action(lead=owner, due_date=None)

    assert late.is_overdue and late.days_overdue == 1
    assert not today.is_overdue and today.days_left == 0
    assert not done_late.is_overdue
    assert not on_hold.is_overdue
    assert not no_date.is_overdue
    # The queryset form agrees with the property.
    assert set(ActionItem.objects.overdue()) == {late}


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 3, 20, 0, 30, tzinfo=SHANGHAI), tick=False)
def test_overdue_uses_beijing_date_not_utc(owner):
    # 00:30 in Shanghai is still the 19th in UTC: an item due on the 19th is overdue in Shanghai.
    action = make_action(lead=owner, due_date=datetime.date(2026, 3, 19))
    assert action.is_overdue


@pytest.mark.django_db
def test_create_requires_a_lead(owner, meeting):
    with pytest.raises(ValidationError):
        services.action_create(
            title="整理资料", owners=[(owner, ActionOwner.Role.SUPPORT)], by=owner, meeting=meeting
        )
    assert not ActionItem.objects.exists()


@pytest.mark.django_db
def test_create_with_person_and_department_owners_logs_creation(owner, chair, department, meeting):
    action = services.action_create(
        title="两周内提交渠道优化方案",
        owners=[
            (owner, ActionOwner.Role.LEAD),
            (department, ActionOwner.Role.LEAD),
            (chair, ActionOwner.Role.SUPPORT),
        ],
        by=chair,
        meeting=meeting,
        due_date=datetime.date(2030, 1, 1),
        deadline_text="两周内",
    )
    owners = {(o.owner_name, o.role) for o in action.owners.all()}
    assert owners == {("王芳", "lead"), ("市场部", "lead"), ("张伟", "support")}
    assert action.progress_entries.count() == 1
    # The department owner is answered for by its head.
    assert {o.answering_user for o in action.owners.all()} == {owner, chair}


@pytest.mark.django_db
def test_complete_records_who_when_and_logs_the_change(owner):
    action = make_action(lead=owner, status=Status.IN_PROGRESS, progress=40)
    services.action_complete(action=action, by=owner, note="报告已提交")
    action.refresh_from_db()
    assert action.status == Status.DONE and action.progress == 100
    assert action.completed_by == owner and action.completed_at is not None
    entry = ProgressEntry.objects.get(action=action)
    assert entry.author == owner
    assert entry.changes == {"status": ["in_progress", "done"], "progress": [40, 100]}
    assert entry.note == "报告已提交"
    assert entry.status_labels == ("进行中", "已完成")


@pytest.mark.django_db
def test_completing_twice_logs_once(owner):
    action = make_action(lead=owner)
    services.action_complete(action=action, by=owner)
    services.action_complete(action=action, by=owner)
    assert action.progress_entries.count() == 1


@pytest.mark.django_db
def test_cancelled_item_cannot_be_completed(owner):
    action = make_action(lead=owner, status=Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.action_complete(action=action, by=owner)


@pytest.mark.django_db
def test_completion_records_on_time_by_the_local_date(owner):
    # 23:30 on the 10th in Shanghai is 15:30 UTC: still on time; 00:30 on the 11th is late.
    on_time = make_action(lead=owner, due_date=datetime.date(2026, 3, 10))
    services.action_complete(
        action=on_time, by=owner, completed_at=datetime.datetime(2026, 3, 10, 23, 30, tzinfo=SHANGHAI)
    )
    late = make_action(lead=owner, due_date=datetime.date(2026, 3, 10))
    services.action_complete(
        action=late, by=owner, completed_at=datetime.datetime(2026, 3, 11, 0, 30, tzinfo=SHANGHAI)
    )
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.completed_on_time is True
    assert late.completed_on_time is False
    assert timezone.is_aware(late.completed_at)


@pytest.mark.django_db
def test_completion_date_in_the_future_is_refused(owner):
    action = make_action(lead=owner)
    with pytest.raises(ValidationError):
        services.action_complete(
            action=action, by=owner, completed_at=timezone.now() + datetime.timedelta(days=2)
        )
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_progress_outside_0_100_is_rejected_by_the_database(owner):
    from django.db import IntegrityError, transaction

    action = make_action(lead=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=action.pk).update(progress=150)


@pytest.mark.django_db
def test_latest_progress_is_a_report_on_the_work_not_the_reason_for_a_change(owner, chair, meeting):
    """progress_notes_q (SQL) and ProgressEntry.is_progress_note (Python) are one rule."""
    from actions.models import progress_notes_q
    from actions.services import action_update_progress, deadline_change_request, progress_log

    due = datetime.date(2030, 4, 1)
    action = make_action(lead=owner, meeting=meeting, title="输出竞品简报", due_date=due)
    progress_log(action=action, by=owner, changes={"status": [None, "not_started"]}, note="创建行动项")
    action_update_progress(action=action, by=owner, progress=40, note="完成初稿")
    progress_log(action=action, by=owner, note="已约客户下周评审")
    deadline_change_request(
        action=action, by=owner, new_due_date=due.replace(month=5), reason="客户审核需要时间", approved=True
    )
    progress_log(action=action, by=chair, changes={"owners": [["王芳"], ["张伟"]]}, note="改由张伟牵头")
    progress_log(action=action, by=chair, changes={"title": ["a", "b"]}, note="会议记录中修改")

    entries = list(ProgressEntry.objects.filter(action=action).order_by("created_at", "pk"))
    notes = ProgressEntry.objects.filter(progress_notes_q(), action=action).values_list("note", flat=True)
    in_sql = set(notes)
    in_python = {entry.note for entry in entries if entry.is_progress_note}
    assert in_sql == in_python == {"完成初稿", "已约客户下周评审"}
