"""Meeting notices are rows of the outbox: claimed, sent and recorded once, and dropped when they are no
longer current when their turn comes (the minutes were reopened or published again, the meeting moved)."""

import datetime

import pytest
import time_machine
from django.core import mail

from config import outbox
from meetings import lifecycle, notifications
from meetings.models import Attendance, MeetingNotice
from tests.factories import DecisionFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db
State = MeetingNotice.State


@pytest.fixture
def minutes(chair, owner, department):
    recorder = UserFactory(name="陈静", department=department, email="chenjing@example.cn")
    meeting = MeetingFactory(
        title="市场部第12次周例会", chair=chair, recorder=recorder, department=department
    )
    for user, role in ((chair, "chair"), (recorder, "recorder"), (owner, "participant")):
        Attendance.objects.create(meeting=meeting, user=user, role=role)
    DecisionFactory(meeting=meeting, number=1, text="同意第四季度渠道调整方案")
    lifecycle.meeting_submit(meeting=meeting, by=recorder)
    return meeting


def publish(meeting):
    version = lifecycle.meeting_publish(meeting=meeting, by=meeting.chair)
    return list(MeetingNotice.objects.filter(meeting=meeting, key=f"v{version.number}").order_by("pk"))


def test_a_notice_is_sent_once_and_recorded(minutes):
    notices = publish(minutes)
    assert len(notices) == 3
    assert notifications.send_notice(notices[0].pk) is True
    assert notifications.send_notice(notices[0].pk) is False  # a second task for the same row
    notices[0].refresh_from_db()
    assert notices[0].state == State.SENT and notices[0].attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<meeting-notice.{notices[0].pk}@")


def test_publication_notice_for_minutes_reopened_meanwhile_is_dropped(minutes):
    notices = publish(minutes)
    lifecycle.meeting_reopen(meeting=minutes, by=minutes.chair, reason="决议一的金额有误")
    for notice in notices:
        assert notifications.send_notice(notice.pk) is False
    assert mail.outbox == []
    assert set(MeetingNotice.objects.values_list("state", flat=True)) == {State.DROPPED}
    assert "重新打开" in MeetingNotice.objects.first().note


def test_publication_notice_of_an_older_version_is_dropped_for_the_new_one(minutes):
    first = publish(minutes)
    lifecycle.meeting_reopen(meeting=minutes, by=minutes.chair, reason="补充列席人员")
    lifecycle.meeting_submit(meeting=minutes, by=minutes.recorder)
    second = publish(minutes)
    assert {n.key for n in first} == {"v1"} and {n.key for n in second} == {"v2"}
    assert [notifications.send_notice(n.pk) for n in first] == [False] * 3
    assert [notifications.send_notice(n.pk) for n in second] == [True] * 3
    assert len(mail.outbox) == 3


def test_invitation_to_a_meeting_that_moved_is_dropped(minutes):
    (notice, *_rest) = notifications.enqueue_invitation(minutes)
    minutes.starts_at += datetime.timedelta(days=1)
    minutes.ends_at += datetime.timedelta(days=1)
    minutes.save()
    assert notifications.send_notice(notice) is False
    assert MeetingNotice.objects.get(pk=notice).state == State.DROPPED


def test_a_failed_send_leaves_the_row_pending_for_the_retry(minutes, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.meetings.test_notices_current.RefusingBackend"}}
    (notice, *_rest) = publish(minutes)
    with pytest.raises(ConnectionRefusedError):
        notifications.send_notice(notice.pk)
    notice.refresh_from_db()
    assert notice.state == State.PENDING and "ConnectionRefusedError" in notice.error


def test_a_permanent_refusal_fails_the_row_at_once(minutes, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.meetings.test_notices_current.RejectingBackend"}}
    (notice, *_rest) = publish(minutes)
    assert notifications.send_notice(notice.pk) is False
    notice.refresh_from_db()
    assert notice.state == State.FAILED and "550" in notice.error


def test_the_sweep_leaves_a_notice_waiting_for_its_retry_alone(minutes, settings, monkeypatch):
    queued = []
    monkeypatch.setattr(notifications, "enqueue_now", lambda ids: queued.extend(ids) or len(ids))
    (notice, *_rest) = publish(minutes)
    later = notice.created_at + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 1)
    notifications.retry_at(notice.pk, later)  # the task's backoff runs it again then
    notifications.recover_notices(now=later)
    assert notice.pk not in queued and len(queued) == 2


def test_the_sweep_takes_back_a_dead_workers_claim_and_what_was_never_queued(minutes, settings, monkeypatch):
    queued = []
    monkeypatch.setattr(notifications, "enqueue_now", lambda ids: queued.extend(ids) or len(ids))
    notices = publish(minutes)
    assert notifications.claim(notices[0].pk)  # a worker claimed it and died
    later = notices[0].created_at + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 1)
    assert notifications.recover_notices(now=later) == 3
    assert sorted(queued) == [n.pk for n in notices]
    assert MeetingNotice.objects.get(pk=notices[0].pk).state == State.PENDING
    # Too recent to call lost: a worker may be on it.
    queued.clear()
    assert notifications.recover_notices(now=notices[0].created_at) == 0


def test_every_app_sends_through_the_one_outbox_sweep():
    assert outbox.sources() == ["meeting notices", "reminders", "robot deliveries"]


def test_the_nudge_never_raises_when_the_broker_is_down(settings):
    from config.celery import app
    from meetings.tasks import send_meeting_notice

    def forget_connections():
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    forget_connections()
    try:
        assert outbox.enqueue(send_meeting_notice, [(1,), (2,)]) == 0
    finally:
        app.conf.broker_url = original
        forget_connections()


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server refused the connection")


class RejectingBackend(RefusingBackend):
    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPDataError(550, "mailbox unavailable")


def test_inviting_again_sends_what_failed_or_was_dropped_for_that_time(minutes):
    starts = minutes.starts_at
    (notice, *_rest) = notifications.enqueue_invitation(minutes)
    MeetingNotice.objects.filter(pk=notice).update(state=State.FAILED, error="SMTPServerDisconnected")
    again = notifications.enqueue_invitation(minutes)
    assert notice in again and MeetingNotice.objects.get(pk=notice).state == State.PENDING
    assert minutes.starts_at == starts


def test_invitation_held_back_until_the_meeting_was_over_is_dropped(minutes):
    with time_machine.travel(minutes.starts_at - datetime.timedelta(days=1), tick=False):
        (notice, *_rest) = notifications.enqueue_invitation(minutes)
    with time_machine.travel(minutes.ends_at + datetime.timedelta(minutes=5), tick=False):
        assert notifications.send_notice(notice) is False
    assert MeetingNotice.objects.get(pk=notice).state == State.DROPPED


def test_invitation_asked_for_after_the_meeting_still_goes_out(minutes):
    with time_machine.travel(minutes.ends_at + datetime.timedelta(hours=1), tick=False):
        (notice, *_rest) = notifications.enqueue_invitation(minutes)
        assert notifications.send_notice(notice) is True


def test_the_sweep_records_notices_too_old_to_send_as_dropped(minutes, monkeypatch):
    monkeypatch.setattr(notifications, "enqueue_now", lambda ids: len(ids))
    notices = publish(minutes)
    later = notices[0].created_at + notifications.RECOVER_WITHIN + datetime.timedelta(minutes=1)
    assert notifications.recover_notices(now=later) == 0
    assert set(MeetingNotice.objects.values_list("state", flat=True)) == {State.DROPPED}


def test_the_sweep_leaves_a_claim_made_since_its_select_alone(minutes, settings, monkeypatch):
    monkeypatch.setattr(notifications, "enqueue_now", lambda ids: len(ids))
    (notice, *_rest) = publish(minutes)
    later = notice.created_at + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 1)
    with time_machine.travel(later, tick=False):
        assert notifications.claim(notice.pk)  # a live worker, claiming just now
        notifications.recover_notices(now=later)
    assert MeetingNotice.objects.get(pk=notice.pk).state == State.SENDING
