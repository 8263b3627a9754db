"""部门行动项 costs the same number of queries at 50 items as at 5,000."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem, ActionOwner, DeadlineChange, ProgressEntry
from tests.factories import MeetingFactory


def add_items(count: int, *, owners, meeting) -> None:
    today = timezone.localdate()
    items = ActionItem.objects.bulk_create(
        ActionItem(
            title=f"批量事项{n}", meeting=meeting, due_date=today + datetime.timedelta(days=n % 40 - 20)
        )
        for n in range(count)
    )
    ActionOwner.objects.bulk_create(
        ActionOwner(action=item, user=owners[n % len(owners)], role=ActionOwner.Role.LEAD)
        for n, item in enumerate(items)
    )
    ProgressEntry.objects.bulk_create(
        ProgressEntry(action=item, changes={"owners": [["甲"], ["乙"]]}) for item in items[::3]
    )
    DeadlineChange.objects.bulk_create(
        DeadlineChange(action=item, new_due_date=today, reason="等待", state=DeadlineChange.State.APPROVED)
        for item in items[::4]
    )


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("actions:department"), params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_department_view_query_count_does_not_grow_with_items(client_for, chair, owner, meeting):
    client = client_for(chair)
    filters = {"status": ["not_started", "in_progress"], "owner": owner.pk, "sort": "-postponements"}
    add_items(50, owners=[owner, chair], meeting=meeting)
    small = count_queries(client, {})
    small_filtered = count_queries(client, filters)
    assert small <= 16

    add_items(4950, owners=[owner, chair], meeting=MeetingFactory())
    assert count_queries(client, {}) == small
    assert count_queries(client, filters) == small_filtered
    assert count_queries(client, {**filters, "page": 40}) == small_filtered
