""" "May the recorder still change this meeting's items?" has one answer, on every path.

The recorder edits the minutes (and the items in them) until the minutes are submitted; from then on
the approvers decide. The editor, the item page and 部门行动项's bulk actions all ask
actions.policy.ActionAccess, which asks meetings.policy.edits_minutes. The editor's writes to an item go
through actions.services, so a re-dated item drops the reminders planned for its old date.
"""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import policy
from actions.models import ActionItem, Reminder, Status
from meetings import lifecycle
from meetings import policy as meeting_policy
from meetings.models import Attendance, Meeting
from tests.factories import MeetingFactory, UserFactory, make_action


@pytest.fixture
def recorder():
    return UserFactory(name="陈静", username="chenjing")


@pytest.fixture
def minutes(chair, department, recorder):
    meeting = MeetingFactory(
        title="市场部周例会",
        chair=chair,
        recorder=recorder,
        department=department,
        status=Meeting.Status.IN_PROGRESS,
    )
    Attendance.objects.create(meeting=meeting, user=recorder, role=Attendance.Role.RECORDER)
    return meeting


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(Meeting.Status.values))
def test_the_editor_and_the_item_policy_give_the_recorder_the_same_answer(minutes, recorder, owner, status):
    item = make_action(lead=owner, meeting=minutes)
    Meeting.objects.filter(pk=minutes.pk).update(status=status)
    item = ActionItem.objects.select_related("meeting").get(pk=item.pk)
    assert policy.access(recorder, item).can_edit == meeting_policy.can_edit_meeting(recorder, item.meeting)
    assert policy.access(recorder, item).can_edit == (status in ("draft", "in_progress"))


@pytest.mark.django_db
def test_after_submission_the_recorder_can_no_longer_cancel_from_the_department_list(
    client_for, minutes, recorder, owner
):
    item = make_action(lead=owner, meeting=minutes, title="整理渠道费用明细")
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    response = client_for(recorder).post(
        reverse("actions:status", args=[item.pk]), {"status": "cancelled", "reason": "不做了"}
    )
    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert item.status != Status.CANCELLED


@pytest.mark.django_db
def test_re_dating_in_the_editor_drops_the_reminders_planned_for_the_old_date(
    client_for, minutes, recorder, owner
):
    item = make_action(
        lead=owner, meeting=minutes, due_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    planned = Reminder.objects.create(
        action=item,
        recipient=owner,
        kind=Reminder.Kind.UPCOMING,
        slot=item.due_date - datetime.timedelta(days=1),
        due_date=item.due_date,
    )
    new_date = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client_for(recorder).post(
        reverse("meetings:editor_save", args=[minutes.pk]),
        json.dumps(
            {
                "entity": "action",
                "pk": item.pk,
                "field": "due_date",
                "base": item.due_date.isoformat(),
                "value": new_date,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.due_date.isoformat() == new_date
    planned.refresh_from_db()
    assert planned.state == Reminder.State.CANCELLED
    assert item.progress_entries.filter(changes__has_key="due_date", author=recorder).exists()
