"""An owner who was not invited does the work, but does not read the confidential decision behind it.

Everywhere an item shows the decisions it serves (the item page, 我的行动项, the reminder e-mail), a
decision that is confidential for this reader reads "(保密决议)"; people with full access to the
meeting read its text.
"""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from actions.models import Reminder
from actions.reminders import sending
from meetings.models import AgendaItem, Attendance, Decision, Meeting
from tests.actions.reminder_helpers import beijing, day, plan_at
from tests.factories import MeetingFactory, UserFactory, make_action

SECRET = "撤销苏州办事处,人员分流安置"


@pytest.fixture
def scene(chair, department, owner):
    meeting = MeetingFactory(
        title="华东区组织调整会",
        chair=chair,
        recorder=chair,
        department=department,
        visibility=Meeting.Visibility.ORGANISATION,
    )
    item = AgendaItem.objects.create(meeting=meeting, title="办事处调整", order=1, is_confidential=True)
    secret = Decision.objects.create(meeting=meeting, number=1, text=SECRET, agenda_item=item)
    plain = Decision.objects.create(meeting=meeting, number=2, text="同意渠道费用方案")
    outside_lead = UserFactory(name="李明", email="liming@example.cn")
    action = make_action(lead=outside_lead, meeting=meeting, title="制定人员安置方案")
    action.decisions.add(secret, plain)
    Attendance.objects.create(meeting=meeting, user=owner, role=Attendance.Role.PARTICIPANT)
    return {"meeting": meeting, "action": action, "lead": outside_lead}


@pytest.mark.django_db
def test_an_uninvited_owner_reads_the_decision_as_confidential_on_item_page_and_my_actions(client_for, scene):
    client = client_for(scene["lead"])
    for url in (reverse("actions:detail", args=[scene["action"].pk]), reverse("actions:my")):
        page = client.get(url).text
        assert "制定人员安置方案" in page, url
        assert SECRET not in page, url
        assert "(保密决议)" in page and "同意渠道费用方案" in page, url


@pytest.mark.django_db
def test_a_participant_reads_the_confidential_decision(client_for, scene, owner):
    from actions.models import ActionOwner

    ActionOwner.objects.create(action=scene["action"], user=owner, role=ActionOwner.Role.SUPPORT)
    page = client_for(owner).get(reverse("actions:my")).text
    assert SECRET in page and "(保密决议)" not in page


@pytest.mark.django_db
def test_the_row_cache_does_not_hand_one_readers_text_to_another(client_for, scene, owner):
    """Rows of 我的行动项 are cached under a hash of what they show: two readers, two keys."""
    from actions.models import ActionOwner

    ActionOwner.objects.create(action=scene["action"], user=owner, role=ActionOwner.Role.SUPPORT)
    assert SECRET in client_for(owner).get(reverse("actions:my")).text
    assert SECRET not in client_for(scene["lead"]).get(reverse("actions:my")).text


@pytest.mark.django_db
def test_the_reminder_e_mail_keeps_the_decision_from_an_uninvited_owner(scene):
    action = scene["action"]
    type(action).objects.filter(pk=action.pk).update(due_date=day(-3))
    plan_at(day(0))
    reminder = Reminder.objects.get(kind=Reminder.Kind.OVERDUE, recipient=scene["lead"])
    with time_machine.travel(beijing(day(0), 9, 5), tick=False):
        assert sending.send_reminder(reminder.pk)
    (message,) = [m for m in mail.outbox if m.to == [scene["lead"].email]]
    for text in (message.body, message.alternatives[0][0]):
        assert SECRET not in text
        assert "(保密决议)" in text and "同意渠道费用方案" in text


@pytest.mark.django_db
def test_no_other_surface_an_uninvited_owner_or_manager_reads_shows_the_decision(
    client_for, scene, other_department
):
    """The calendar feed, the department list and its exports, and the group robot's text carry the item,
    never the confidential decision: for the lead and for the head of the lead's department, who
    manages the item without having been at the meeting."""
    from actions import calendar as action_calendar
    from actions import channels
    from meetings.models import Department

    lead = scene["lead"]
    lead.department = other_department
    lead.save()
    head = UserFactory(name="周总")
    Department.objects.filter(pk=other_department.pk).update(head=head)
    feed = action_calendar.calendar_feed_for(user=lead)
    ics = client_for(lead).get(reverse("actions:calendar_feed", args=[feed.token])).content.decode()
    assert "制定人员安置方案" in ics and SECRET not in ics
    manager = client_for(head)
    page = manager.get(reverse("actions:department")).text
    assert "制定人员安置方案" in page and SECRET not in page
    for fmt in ("csv", "xlsx"):
        response = manager.get(reverse("actions:export", args=[fmt]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert SECRET.encode() not in body
    type(scene["action"]).objects.filter(pk=scene["action"].pk).update(due_date=day(-3))
    plan_at(day(0))
    message = channels.robot_message_for(list(Reminder.objects.filter(kind=Reminder.Kind.OVERDUE)))
    assert "制定人员安置方案" in str(vars(message)) and SECRET not in str(vars(message))


@pytest.mark.django_db
def test_every_decision_of_a_confidential_meeting_is_kept_from_an_uninvited_owner(client_for, chair, owner):
    """In a 机密 meeting nobody marks decisions one by one: the whole meeting is confidential."""
    meeting = MeetingFactory(title="并购项目保密会", chair=chair, is_confidential=True)
    decision = Decision.objects.create(meeting=meeting, number=1, text="同意并购报价区间")
    lead = UserFactory(name="李明")
    action = make_action(lead=lead, meeting=meeting, title="整理尽调清单")
    action.decisions.add(decision)
    Attendance.objects.create(meeting=meeting, user=owner, role=Attendance.Role.PARTICIPANT)
    for url in (reverse("actions:detail", args=[action.pk]), reverse("actions:my")):
        page = client_for(lead).get(url).text
        assert "整理尽调清单" in page and "同意并购报价区间" not in page and "(保密决议)" in page, url
    from actions.models import ActionOwner

    ActionOwner.objects.create(action=action, user=owner, role=ActionOwner.Role.SUPPORT)
    assert "同意并购报价区间" in client_for(owner).get(reverse("actions:my")).text
