"""Who chairs and who records is for the chair, the organising department's head or an administrator:
the recorder, whose rights end at submission, cannot name themselves chair to keep them."""

import json

import pytest
from django.urls import reverse

from meetings.models import Attendance, Meeting
from tests.factories import UserFactory


def _save(client, meeting, name, person):
    base = str(getattr(meeting, f"{name}_id") or "")
    payload = {"entity": "meeting", "pk": meeting.pk, "field": name, "base": base, "value": str(person.pk)}
    url = reverse("meetings:editor_save", args=[meeting.pk])
    return client.post(url, json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_the_recorder_cannot_make_themselves_chair(client_for, meeting, chair):
    recorder = UserFactory(name="陈静")
    Meeting.objects.filter(pk=meeting.pk).update(recorder=recorder, status=Meeting.Status.IN_PROGRESS)
    meeting.refresh_from_db()
    Attendance.objects.create(meeting=meeting, user=recorder, role=Attendance.Role.RECORDER)
    client = client_for(recorder)
    page = client.get(reverse("meetings:editor", args=[meeting.pk])).text
    assert "由主持人或部门负责人指定" in page
    response = _save(client, meeting, "chair", recorder)
    assert response.status_code == 403
    assert "只有会议主持人" in response.json()["error"]
    meeting.refresh_from_db()
    assert meeting.chair == chair


@pytest.mark.django_db
def test_the_chair_hands_the_recording_to_someone_else(client_for, meeting, chair):
    other = UserFactory(name="李明")
    client = client_for(chair)
    assert "由主持人或部门负责人指定" not in client.get(reverse("meetings:editor", args=[meeting.pk])).text
    response = _save(client, meeting, "recorder", other)
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert meeting.recorder == other
