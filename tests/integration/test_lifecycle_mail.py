"""Meeting e-mails end to end: enqueued on commit, sent by a real Celery worker to a real SMTP server."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.db import transaction
from icalendar import Calendar

from meetings import lifecycle, notifications
from meetings.models import AgendaItem, Attendance, Decision, MeetingNotice
from tests.factories import MeetingFactory, UserFactory

pytestmark = pytest.mark.integration

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def weekly(transactional_db):
    chair = UserFactory(name="张伟", email="zhangwei@example.cn")
    recorder = UserFactory(name="陈静", email="chenjing@example.cn")
    english = UserFactory(name="Anna Schmidt", email="anna@example.de", language="en")
    meeting = MeetingFactory(
        title="市场部第12次周例会",
        chair=chair,
        recorder=recorder,
        location="3楼大会议室",
        starts_at=datetime.datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2026, 11, 30, 11, 0, tzinfo=SHANGHAI),
    )
    for user, role in ((chair, "chair"), (recorder, "recorder"), (english, "participant")):
        Attendance.objects.create(meeting=meeting, user=user, role=role)
    AgendaItem.objects.create(meeting=meeting, title="渠道费用复盘", order=1)
    AgendaItem.objects.create(meeting=meeting, title="人事调整", order=2, is_confidential=True)
    Decision.objects.create(meeting=meeting, number=1, text="同意渠道费用方案")
    return meeting


def test_invitation_carries_the_ics_and_goes_out_once(celery_worker, smtp_server, weekly):
    with transaction.atomic():
        queued = notifications.enqueue_invitation(weekly)
    assert len(queued) == 3
    messages = smtp_server.handler.wait_for(3)
    assert len(messages) == 3
    message = next(m for m in messages if str(m["To"]) == "zhangwei@example.cn")
    assert str(message["Subject"]).startswith("【会议通知】市场部第12次周例会")
    attachment = next(
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    )
    event = Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI)
    assert "TZID=Asia/Shanghai" in attachment.get_payload(decode=True).decode()
    assert "渠道费用复盘" in str(event["description"]) and "人事调整" in str(event["description"])
    # Inviting again for the same time sends nothing more: each notice is a row with a unique key.
    with transaction.atomic():
        assert notifications.enqueue_invitation(weekly) == []
    assert MeetingNotice.objects.filter(state=MeetingNotice.State.SENT).count() == 3


def test_publication_mails_each_participant_in_their_language(celery_worker, smtp_server, weekly):
    lifecycle.meeting_submit(meeting=weekly, by=weekly.recorder)
    lifecycle.meeting_publish(meeting=weekly, by=weekly.chair)
    messages = smtp_server.handler.wait_for(3)
    assert sorted(str(m["To"]) for m in messages) == [
        "anna@example.de",
        "chenjing@example.cn",
        "zhangwei@example.cn",
    ]
    chinese = next(m for m in messages if str(m["To"]) == "zhangwei@example.cn")
    assert str(chinese["Subject"]) == "【纪要已发布】市场部第12次周例会"
    text = chinese.get_body(("plain",)).get_content()
    html = chinese.get_body(("html",)).get_content()
    assert "2026年11月30日" in text and "同意渠道费用方案" in text
    assert f"/meetings/{weekly.pk}/" in text and f"/meetings/{weekly.pk}/" in html
    english = next(m for m in messages if str(m["To"]) == "anna@example.de")
    assert "2026年" not in english.get_body(("plain",)).get_content()


@pytest.mark.parametrize("action", ["approve", "invite"])
def test_redis_down_publishing_or_inviting_answers_at_once_and_the_mail_follows(
    smtp_server, weekly, private_redis, client, action
):
    """Stop the broker for real: the request still answers quickly and without error, the notices wait
    as rows, and once Redis is back the recovery pass queues them and a real worker sends each once."""
    import time

    from django.urls import reverse
    from django.utils import timezone

    from tests.integration.conftest import Workers

    if action == "approve":
        lifecycle.meeting_submit(meeting=weekly, by=weekly.recorder)
    pool = Workers(smtp_server.port, redis_url=private_redis.url)
    try:
        pool.start()
        private_redis.stop()
        client.force_login(weekly.chair)
        started = time.monotonic()
        response = client.post(reverse(f"meetings:{action}", args=[weekly.pk]))
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        print(f"{action} with Redis down answered in {elapsed:.2f} s")
        assert MeetingNotice.objects.filter(state=MeetingNotice.State.PENDING).count() == 3
        private_redis.start()
        later = timezone.now() + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 1)
        assert notifications.recover_notices(now=later) == 3
        messages = smtp_server.handler.wait_for(3, timeout=60)
        assert len(messages) == 3
        assert len({str(m["Message-ID"]) for m in messages}) == 3
        time.sleep(1)
        assert len(smtp_server.handler.messages) == 3  # nothing twice
    finally:
        pool.stop_all()
