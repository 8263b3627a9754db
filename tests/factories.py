import datetime

import factory
from django.utils import timezone

from actions.models import ActionItem, ActionOwner
from meetings.models import AgendaItem, Decision, Department, Meeting, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"员工{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.django.Password("pass-1234")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"市场部第{n}次周例会")
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + datetime.timedelta(hours=2))
    location = "3楼大会议室"
    # Most tests are about an ordinary meeting that the organisation may read; the model's default
    # (participants only) is tested on its own in tests/meetings/test_policy.py.
    visibility = Meeting.Visibility.ORGANISATION


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"议题{n}")
    order = factory.Sequence(lambda n: n)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "同意按方案推进"


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    title = factory.Sequence(lambda n: f"完成第{n}项整改")
    meeting = factory.SubFactory(MeetingFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


def make_action(*, lead=None, lead_department=None, supports=(), **fields) -> ActionItem:
    """An action item with its owners, the way tests usually need one."""
    action = ActionItemFactory(**fields)
    if lead is not None:
        ActionOwner.objects.create(action=action, user=lead, role=ActionOwner.Role.LEAD)
    if lead_department is not None:
        ActionOwner.objects.create(action=action, department=lead_department, role=ActionOwner.Role.LEAD)
    for user in supports:
        ActionOwner.objects.create(action=action, user=user, role=ActionOwner.Role.SUPPORT)
    return action
