"""Planning: which rows each pass inserts, day by day, in Beijing time with the server in UTC."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from actions import services
from actions.models import (
    ActionItem,
    ActionOwner,
    DeadlineKind,
    ProgressEntry,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    ReminderSweep,
    Status,
)
from actions.reminders import planning, sending
from tests.actions.reminder_helpers import beijing, day, plan_at, rows
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

pytestmark = pytest.mark.django_db
Kind = Reminder.Kind


@pytest.fixture
def boss(department):
    """The head of the department above 市场部."""
    head = UserFactory(name="刘总")
    top = DepartmentFactory(name="总经办", head=head)
    department.parent = top
    department.save()
    return head


@pytest.fixture
def due_thursday(owner, chair, meeting):
    helper = UserFactory(name="李明")
    return make_action(
        lead=owner, supports=[helper], meeting=meeting, title="提交渠道优化方案", due_date=day(3)
    )


def test_nothing_is_planned_before_nine_in_beijing(due_thursday):
    assert plan_at(day(0), 8, 59).new_ids == []
    assert plan_at(day(0), 9, 0).new_ids != []


def test_walk_through_the_life_of_an_overdue_item(due_thursday, owner, chair, boss):
    """Every 10-minute pass from Monday to the Thursday two weeks later; each row appears once."""
    planned_on = {}
    for offset in range(0, 18):
        for hour, minute in ((9, 0), (9, 10), (15, 30)):
            result = plan_at(day(offset), hour, minute)
            for row in Reminder.objects.filter(pk__in=result.new_ids).select_related("recipient"):
                assert (row.kind, row.recipient.name, row.slot) not in planned_on
                planned_on[(row.kind, row.recipient.name, row.slot)] = day(offset)
    assert planned_on == {
        (Kind.UPCOMING, "王芳", day(0)): day(0),  # 3 days before
        (Kind.UPCOMING, "王芳", day(2)): day(2),  # 1 day before
        (Kind.DUE_TODAY, "王芳", day(3)): day(3),
        (Kind.OVERDUE, "王芳", day(4)): day(4),  # 1 day overdue (Friday)
        (Kind.OVERDUE, "王芳", day(7)): day(7),
        (Kind.OVERDUE, "王芳", day(10)): day(10),
        # 7 days overdue: the owner's department head, who also chairs the meeting (once).
        (Kind.ESCALATION, "张伟", day(10)): day(10),
        # Sunday's overdue slot waits for Monday.
        (Kind.OVERDUE, "王芳", day(13)): day(14),
        (Kind.OVERDUE, "王芳", day(16)): day(16),
        (Kind.ESCALATION, "张伟", day(17)): day(17),  # level 2 at 14 days
        # Monday digests: everyone with open items, the support owner too.
        (Kind.DIGEST, "王芳", day(0)): day(0),
        (Kind.DIGEST, "李明", day(0)): day(0),
        (Kind.DIGEST, "王芳", day(7)): day(7),
        (Kind.DIGEST, "李明", day(7)): day(7),
        (Kind.DIGEST, "王芳", day(14)): day(14),
        (Kind.DIGEST, "李明", day(14)): day(14),
    }
    assert boss.name == "刘总"  # the head above is not bothered: 张伟 heads the owner's department


def test_escalation_goes_to_the_department_head_and_the_chair(owner, chair, boss):
    other_chair = UserFactory(name="陈主任")
    meeting = MeetingFactory(chair=other_chair)
    make_action(lead=owner, meeting=meeting, due_date=day(-7))
    plan_at(day(0))
    assert rows(kind=Kind.ESCALATION) == [
        (Kind.ESCALATION, "张伟", day(0)),
        (Kind.ESCALATION, "陈主任", day(0)),
    ]


def test_a_heads_own_overdue_item_escalates_to_the_head_above(chair, boss):
    make_action(lead=chair, due_date=day(-7))
    plan_at(day(0))
    assert rows(kind=Kind.ESCALATION) == [(Kind.ESCALATION, "刘总", day(0))]


def test_a_lead_department_is_answered_by_its_head(department, chair, boss):
    make_action(lead_department=department, due_date=day(-7))
    plan_at(day(0))
    assert (Kind.OVERDUE, "张伟", day(0)) in rows()
    assert rows(kind=Kind.ESCALATION) == [(Kind.ESCALATION, "刘总", day(0))]


def test_quiet_weekend_only_due_today_goes_out(owner):
    make_action(lead=owner, title="周六到期", due_date=day(5))
    make_action(lead=owner, title="周五逾期", due_date=day(4))
    make_action(lead=owner, title="下周一到期", due_date=day(7))
    for offset in (5, 6):
        plan_at(day(offset))
    assert [(r.kind, r.action.title) for r in Reminder.objects.all()] == [(Kind.DUE_TODAY, "周六到期")]


def test_a_department_can_send_on_weekends(owner, department):
    ReminderPolicy.objects.create(department=department, quiet_weekdays="-", upcoming_days="2")
    make_action(lead=owner, due_date=day(7))
    owner.department = department
    owner.save()
    plan_at(day(5))
    assert rows() == [(Kind.UPCOMING, "王芳", day(5))]


def test_digest_only_owners_get_no_individual_reminders(owner):
    ReminderPreference.objects.create(user=owner, mode=ReminderPreference.Mode.DIGEST)
    make_action(lead=owner, due_date=day(0))
    plan_at(day(0))
    assert rows() == [(Kind.DIGEST, "王芳", day(0))]


def test_support_owner_gets_individual_reminders_only_after_opting_in(owner):
    helper = UserFactory(name="李明")
    make_action(lead=owner, supports=[helper], due_date=day(1))
    plan_at(day(1))
    assert rows() == [(Kind.DUE_TODAY, "王芳", day(1))]
    ReminderPreference.objects.create(user=helper, support_reminders=True)
    make_action(lead=owner, supports=[helper], due_date=day(2))
    plan_at(day(1), 10)
    assert (Kind.UPCOMING, "李明", day(1)) in rows()


def test_checkin_for_ongoing_items_without_progress(owner):
    with time_machine.travel(beijing(day(-14), 11), tick=False):
        action = make_action(
            lead=owner, title="渠道巡检", due_date=None, deadline_kind=DeadlineKind.ONGOING, checkin_days=14
        )
    plan_at(day(-1))
    assert rows(kind=Kind.CHECKIN) == []
    plan_at(day(0))
    assert rows(kind=Kind.CHECKIN) == [(Kind.CHECKIN, "王芳", day(0))]
    with time_machine.travel(beijing(day(3), 11), tick=False):
        ProgressEntry.objects.create(action=action, author=owner, note="已巡检华东区")
    plan_at(day(14))
    assert rows(kind=Kind.CHECKIN) == [(Kind.CHECKIN, "王芳", day(0))]  # 11 days since the note
    plan_at(day(17))
    assert rows(kind=Kind.CHECKIN)[-1] == (Kind.CHECKIN, "王芳", day(17))


def test_recipient_gets_reminders_at_nine_in_their_own_time_zone(owner):
    ReminderPreference.objects.create(user=owner, time_zone="Europe/London")
    make_action(lead=owner, due_date=day(1))
    plan_at(day(1), 9)  # 01:00 in London
    assert rows() == []
    plan_at(day(1), 17)  # 09:00 in London (GMT in March)
    assert rows() == [(Kind.DUE_TODAY, "王芳", day(1))]


def test_a_second_pass_finds_nothing_new_but_sees_items_changed_since(owner, chair):
    action = make_action(lead=owner, due_date=day(5))
    assert plan_at(day(0)).new_ids  # the Monday digest
    assert plan_at(day(0), 9, 10).new_ids == []
    with time_machine.travel(beijing(day(0), 9, 15), tick=False):
        services.deadline_change_request(
            action=action, by=chair, new_due_date=day(1), reason="提前", approved=True
        )
    new = plan_at(day(0), 9, 20).new_ids
    assert rows(pk__in=new) == [(Kind.UPCOMING, "王芳", day(0))]


def test_a_reassigned_item_reaches_its_new_lead_the_same_morning(owner, chair):
    action = make_action(lead=owner, due_date=day(1))
    plan_at(day(0))  # the day-before reminder for 王芳
    newcomer = UserFactory(name="赵敏")
    with time_machine.travel(beijing(day(0), 9, 15), tick=False):
        lead = [(newcomer, ActionOwner.Role.LEAD)]
        services.owners_set(action=action, by=chair, owners=lead, reason="转交")
    new = plan_at(day(0), 9, 20).new_ids
    assert rows(pk__in=new) == [(Kind.UPCOMING, "赵敏", day(0))]


def test_inactive_people_and_closed_items_get_nothing(owner):
    gone = UserFactory(name="离职员工", is_active=False)
    make_action(lead=gone, due_date=day(0))
    make_action(lead=owner, due_date=day(0), status=Status.DONE)
    make_action(lead=owner, due_date=day(0), status=Status.ON_HOLD)
    plan_at(day(1))
    assert rows() == []


def test_planning_cost_does_not_grow_with_the_number_of_items(owner, chair, meeting):
    """A full pass (the day's first) at two data sizes: batches, not a query per item."""

    def queries_for(count: int) -> int:
        ActionItem.objects.all().delete()
        ReminderSweep.objects.all().delete()
        for n in range(count):
            make_action(lead=owner, supports=[chair], meeting=meeting, due_date=day(n % 5))
        with CaptureQueriesContext(connection) as captured:
            result = plan_at(day(0))
        assert len(result.new_ids) >= min(count, 2)
        return len(captured)

    assert queries_for(5) == queries_for(60)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda a, by: services.action_complete(action=a, by=by), "事项已完成"),
        (
            lambda a, by: services.action_set_status(action=a, by=by, status=Status.ON_HOLD, reason="等预算"),
            "已搁置",
        ),
        (
            lambda a, by: services.deadline_change_request(
                action=a, by=by, new_due_date=day(9), reason="客户延期", approved=True
            ),
            "完成时限已修改",
        ),
    ],
)
def test_completing_holding_or_redating_cancels_pending_reminders(owner, chair, meeting, change, reason):
    action = make_action(lead=owner, meeting=meeting, due_date=day(0))
    plan_at(day(0))
    pending = Reminder.objects.get(action=action)
    assert pending.state == Reminder.State.PENDING
    change(action, chair)
    pending.refresh_from_db()
    assert pending.state == Reminder.State.CANCELLED and reason in pending.note


def test_cancel_reason_is_one_sentence_in_the_language_of_the_change(owner, chair, meeting):
    action = make_action(lead=owner, meeting=meeting, due_date=day(0))
    plan_at(day(0))
    with translation.override("en"):
        services.action_set_status(action=action, by=chair, status=Status.ON_HOLD, reason="等预算")
    assert Reminder.objects.get(action=action).note == "The item's status changed to “On hold”"


def test_recovery_requeues_stale_claims_and_lost_rows(owner):
    make_action(lead=owner, due_date=day(0))
    make_action(lead=owner, due_date=day(0))
    first, second = plan_at(day(0), 9).new_ids[:2]
    with time_machine.travel(beijing(day(0), 9, 1), tick=False):
        assert sending.claim(first)  # a worker took it … and died
    assert plan_at(day(0), 9, 10).recovered_ids == []  # too recent to call it lost
    result = plan_at(day(0), 9, 30)
    assert set(result.recovered_ids) >= {first, second}
    assert Reminder.objects.get(pk=first).state == Reminder.State.PENDING
    assert plan_at(day(0), 9, 40).recovered_ids == []  # queued again just now


def test_dry_run_keeps_nothing(owner):
    make_action(lead=owner, due_date=day(0))
    with time_machine.travel(beijing(day(0)), tick=False):
        result = planning.plan(dry_run=True)
    assert sorted(p.kind for p in result.planned) == [Kind.DIGEST, Kind.DUE_TODAY]
    assert Reminder.objects.count() == 0
    assert plan_at(day(0)).new_ids  # a real pass afterwards still plans them


def test_an_item_whose_lead_has_left_still_escalates(department, chair):
    gone = UserFactory(name="离职员工", is_active=False, department=department)
    make_action(lead=gone, due_date=day(-7))
    plan_at(day(0))
    assert rows() == [(Kind.ESCALATION, "张伟", day(0))]


@pytest.mark.parametrize(
    ("field", "value"),
    [("upcoming_days", "3,x"), ("escalation_days", "七天"), ("quiet_weekdays", "5,7")],
)
def test_department_rules_with_bad_day_lists_are_refused_in_the_admin(department, field, value):
    from django.core.exceptions import ValidationError

    policy = ReminderPolicy(department=department, **{field: value})
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert field in refused.value.message_dict
