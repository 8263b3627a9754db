"""The editor page and one autosave cost a fixed number of queries, whatever the meeting's size."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import ActionItem, ActionOwner
from meetings.models import AgendaItem, Attendance, Decision, SpeakerReport
from tests.factories import MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

# Seven queries are the editor's own (meeting, agenda, reports, decisions, actions, owners, attendance);
# the rest is what every page pays: session, user, permissions, the meeting policy and the navigation.
MAX_PAGE_QUERIES = 15
# One save: a locked read of the row, the published check, its history line and one UPDATE (plus the
# savepoint pair the test transaction adds), after the same per-request overhead as the page.
MAX_SAVE_QUERIES = 14


def fill(meeting, *, items: int, reports: int, decisions: int, actions: int, people) -> None:
    """A meeting of the given size, built in bulk (the factories would take minutes at 200 actions)."""
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, user=p) for p in people if p.pk not in (meeting.chair_id,)]
    )
    agenda = AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, order=i, title=f"议题{i}", presenter=people[i % len(people)])
            for i in range(items)
        ]
    )
    SpeakerReport.objects.bulk_create(
        [
            SpeakerReport(
                agenda_item=agenda[i % items], speaker=people[i % len(people)], content=f"- 要点{i}\n**重点**"
            )
            for i in range(reports)
        ]
    )
    made = Decision.objects.bulk_create(
        [
            Decision(
                meeting=meeting,
                number=i + 1,
                agenda_item=agenda[i % items] if i % 3 else None,
                text=f"决定{i}",
            )
            for i in range(decisions)
        ]
    )
    created = ActionItem.objects.bulk_create(
        [ActionItem(meeting=meeting, title=f"行动项{i}", deadline_text="两周内") for i in range(actions)]
    )
    ActionOwner.objects.bulk_create(
        [ActionOwner(action=a, user=people[i % len(people)]) for i, a in enumerate(created)]
        + [
            ActionOwner(action=a, department=meeting.department, role=ActionOwner.Role.SUPPORT)
            for a in created[::2]
        ]
    )
    through = ActionItem.decisions.through
    through.objects.bulk_create(
        [
            through(actionitem_id=a.pk, decision_id=made[i % decisions].pk)
            for i, a in enumerate(created)
            if i % 4
        ]
    )


@pytest.fixture
def staff(db):
    return UserFactory(name="管理员", is_staff=True)


SMALL = {"items": 3, "reports": 4, "decisions": 2, "actions": 5}
LARGE = {"items": 40, "reports": 80, "decisions": 60, "actions": 200}


def page_queries(client, meeting) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("meetings:editor", args=[meeting.pk]))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
def test_editor_page_query_count_is_pinned(client_for, chair, meeting, size, django_assert_max_num_queries):
    people = [chair] + [UserFactory(name=f"员工{i}") for i in range(12)]
    fill(meeting, people=people, **size)
    client = client_for(chair)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(reverse("meetings:editor", args=[meeting.pk]))
    html = response.content.decode()
    assert html.count('data-block="action"') == size["actions"]
    assert html.count('data-block="report"') == size["reports"]


def test_editor_page_costs_the_same_for_a_small_and_a_large_meeting(client_for, chair, department):
    people = [chair] + [UserFactory(name=f"员工{i}") for i in range(12)]
    counts = []
    for size in (SMALL, LARGE):
        meeting = MeetingFactory(chair=chair, recorder=chair, department=department)
        fill(meeting, people=people, **size)
        counts.append(page_queries(client_for(chair), meeting))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("actions", [5, 200], ids=["small", "large"])
def test_autosave_query_count_is_fixed(client_for, chair, meeting, actions, django_assert_max_num_queries):
    people = [chair] + [UserFactory(name=f"员工{i}") for i in range(6)]
    fill(meeting, people=people, items=4, reports=4, decisions=4, actions=actions)
    decision = meeting.decisions.first()
    client = client_for(chair)
    body = {
        "entity": "decision",
        "pk": decision.pk,
        "field": "text",
        "base": decision.text,
        "value": "新的决定",
    }
    with django_assert_max_num_queries(MAX_SAVE_QUERIES):
        response = client.post(
            reverse("meetings:editor_save", args=[meeting.pk]),
            json.dumps(body),
            content_type="application/json",
        )
    assert response.status_code == 200
