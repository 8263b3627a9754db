"""我的行动项 and the item page cost the same number of queries with 50 items as with 5,000."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import (
    ActionItem,
    ActionOwner,
    DeadlineChange,
    DeadlineKind,
    Occurrence,
    ProgressEntry,
    Recurrence,
    Status,
)
from tests.factories import DecisionFactory, MeetingFactory, UserFactory

KINDS = [
    DeadlineKind.DATE,
    DeadlineKind.DATE,
    DeadlineKind.EVENT,
    DeadlineKind.ONGOING,
    DeadlineKind.RECURRING,
]


def add_items(owner, supporter, count: int) -> list[ActionItem]:
    """`count` items of every kind the page shows, with owners, decisions, notes, occurrences and
    pending requests, in a handful of bulk inserts."""
    today = timezone.localdate()
    meetings = [MeetingFactory() for _ in range(3)]
    decisions = [DecisionFactory(meeting=m, number=1) for m in meetings]
    items = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        done = i % 7 == 0
        items.append(
            ActionItem(
                title=f"事项{i}",
                meeting=meetings[i % 3],
                deadline_kind=kind,
                due_date=None
                if kind in (DeadlineKind.EVENT, DeadlineKind.ONGOING)
                else today + datetime.timedelta(days=i % 30 - 10),
                recurrence=Recurrence.WEEKLY if kind == DeadlineKind.RECURRING else "",
                status=Status.DONE if done else (Status.ON_HOLD if i % 11 == 0 else Status.IN_PROGRESS),
                completed_at=timezone.now() if done else None,
                progress=i % 100,
            )
        )
    items = ActionItem.objects.bulk_create(items)
    ActionOwner.objects.bulk_create(
        [ActionOwner(action=a, user=owner, role=ActionOwner.Role.LEAD) for a in items]
        + [ActionOwner(action=a, user=supporter, role=ActionOwner.Role.SUPPORT) for a in items[::2]]
    )
    ActionItem.decisions.through.objects.bulk_create(
        [ActionItem.decisions.through(actionitem=a, decision=decisions[n % 3]) for n, a in enumerate(items)]
    )
    ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(action=a, author=owner, note=f"进展{n}", changes={"progress": [0, 10]})
            for n, a in enumerate(items)
        ]
    )
    recurring = [a for a in items if a.deadline_kind == DeadlineKind.RECURRING]
    Occurrence.objects.bulk_create(
        [
            Occurrence(action=a, due_date=today + datetime.timedelta(days=d))
            for a in recurring
            for d in (-7, 0, 7)
        ]
    )
    DeadlineChange.objects.bulk_create(
        [
            DeadlineChange(
                action=a, requested_by=owner, new_due_date=today + datetime.timedelta(days=40), reason="晚"
            )
            for a in items[1::10]
        ]
    )
    return items


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def people(db):
    return UserFactory(name="王芳"), UserFactory(name="李明")


@pytest.mark.django_db
def test_my_actions_costs_the_same_at_50_and_5000_items(client, people):
    owner, supporter = people
    add_items(owner, supporter, 50)
    client.force_login(owner)
    url = reverse("actions:my")
    small = count_queries(client, url)
    add_items(owner, supporter, 4_950)
    response = client.get(url)
    rows = sum(len(group) for group in response.context["groups"].values())
    assert rows > 4_000
    assert count_queries(client, url) == small


@pytest.mark.django_db
def test_item_page_costs_the_same_at_50_and_5000_items(client, people):
    owner, supporter = people
    items = add_items(owner, supporter, 50)
    item = items[4]  # recurring, with occurrences
    client.force_login(supporter)  # a support owner: the page asks more of the policy
    url = item.get_absolute_url()
    small = count_queries(client, url)
    add_items(owner, supporter, 4_950)
    ProgressEntry.objects.bulk_create(
        [ProgressEntry(action=item, author=owner, note=f"第{n}次") for n in range(200)]
    )
    Occurrence.objects.bulk_create(
        [
            Occurrence(action=item, due_date=timezone.localdate() + datetime.timedelta(days=14 * n))
            for n in range(1, 20)
        ]
    )
    assert count_queries(client, url) == small
