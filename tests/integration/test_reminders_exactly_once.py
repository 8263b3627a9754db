"""Exactly once, through failures: real worker processes on real Redis, a real SMTP server, planning
passes as beat would run them. Each test says which failure it survives."""

import datetime
import threading
import time
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions.models import Reminder, Status
from actions.reminders import planning
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.integration.conftest import Workers

pytestmark = pytest.mark.integration

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def now():
    """A moment after 09:00 in Beijing on the real date, so planning has something to do whenever the
    suite runs; the workers run on the real clock."""
    real = timezone.now()
    local = real.astimezone(SHANGHAI)
    if local.hour < 9:
        return datetime.datetime.combine(local.date(), datetime.time(9, 30), SHANGHAI)
    return real


@pytest.fixture(autouse=True)
def _every_day_no_digest(settings, now):
    """Weekends would hold back non-due reminders and Mondays add digests: keep each test to its point
    whatever day it runs on."""
    today = now.astimezone(SHANGHAI).date()
    settings.REMINDERS = {
        **settings.REMINDERS,
        "QUIET_WEEKDAYS": (),
        "DIGEST_WEEKDAY": (today.weekday() + 6) % 7,
    }


@pytest.fixture
def team(transactional_db, now):
    department = DepartmentFactory(name="信息部")
    head = UserFactory(name="张伟", email="zhangwei@example.cn", department=department)
    department.head = head
    department.save()
    owner = UserFactory(name="王芳", email="wangfang@example.cn", department=department)
    meeting = MeetingFactory(title="信息部第12次周例会", chair=head, department=department)
    return owner, meeting


def local_day(now, offset=0) -> datetime.date:
    return now.astimezone(SHANGHAI).date() + datetime.timedelta(days=offset)


def subjects(smtp_server) -> list[str]:
    return sorted(str(m["Subject"]) for m in smtp_server.handler.messages)


def settle(smtp_server, count: int, timeout: float = 30) -> list:
    """Wait for `count` messages, then a little longer so that a wrongly queued duplicate would arrive."""
    smtp_server.handler.wait_for(count, timeout=timeout)
    return smtp_server.handler.wait_for(count + 1, timeout=3)


def test_five_concurrent_planning_passes_make_one_row_and_one_message(celery_worker, smtp_server, team, now):
    owner, meeting = team
    make_action(lead=owner, meeting=meeting, title="提交复杂审批流程优化方案", due_date=local_day(now, -3))
    make_action(lead=owner, meeting=meeting, title="季度预算", due_date=local_day(now))
    make_action(lead=owner, meeting=meeting, title="渠道优化方案", due_date=local_day(now, 1))
    start = threading.Barrier(5)
    results, errors = [], []

    def one_pass():
        try:
            start.wait()
            results.append(planning.plan(now=now))
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_pass) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(len(r.new_ids) for r in results) == [0, 0, 0, 0, 3]  # one pass won every row
    assert Reminder.objects.count() == 3
    assert len(settle(smtp_server, 3)) == 3
    assert subjects(smtp_server) == [
        "【行动项提醒】今天到期:季度预算",
        "【行动项提醒】明天到期:渠道优化方案",
        "【行动项逾期】提交复杂审批流程优化方案(逾期3天)",
    ]
    deadline = time.monotonic() + 10
    while Reminder.objects.exclude(state=Reminder.State.SENT).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}
    # What the SMTP server received names the rows it was sent for: one Message-ID per row.
    received = sorted(str(m["Message-ID"]) for m in smtp_server.handler.messages)
    assert received == sorted(
        f"<reminder.{pk}@minutes.test>" for pk in Reminder.objects.values_list("pk", flat=True)
    )


def test_worker_killed_while_holding_a_claim_then_a_new_worker_sends_it_once(workers, smtp_server, team, now):
    owner, meeting = team
    make_action(lead=owner, meeting=meeting, title="提交复杂审批流程优化方案", due_date=local_day(now, -3))
    first = workers.start()
    smtp_server.handler.hold(1)  # the mail server hangs: the worker sits inside the send
    (reminder_id,) = planning.plan(now=now).new_ids
    assert smtp_server.handler.held.wait(30)
    assert Reminder.objects.get(pk=reminder_id).state == Reminder.State.SENDING
    first.kill()  # SIGKILL: no clean-up, no acknowledgement, the claim stays
    first.wait(10)

    workers.start()
    # The worker claimed on the real clock, which is before `now` when the suite runs before 09:00 in
    # Beijing: beat's next passes are timed from the claim.
    claimed_at = Reminder.objects.get(pk=reminder_id).claimed_at
    # A claim this recent may still be alive, so it is left alone …
    assert planning.plan(now=claimed_at + datetime.timedelta(minutes=5)).recovered_ids == []
    # … and once it is older than STALE_MINUTES it is handed to the new worker.
    assert planning.plan(now=claimed_at + datetime.timedelta(minutes=20)).recovered_ids == [reminder_id]
    (message,) = settle(smtp_server, 1)
    assert str(message["Subject"]) == "【行动项逾期】提交复杂审批流程优化方案(逾期3天)"
    deadline = time.monotonic() + 10
    while Reminder.objects.get(pk=reminder_id).state != Reminder.State.SENT and time.monotonic() < deadline:
        time.sleep(0.1)
    row = Reminder.objects.get(pk=reminder_id)
    assert row.state == Reminder.State.SENT and row.attempts == 2


def test_beat_stopped_for_three_days_sends_each_missed_reminder_once(
    celery_worker, smtp_server, team, now, settings
):
    owner, meeting = team
    # The week's digest falls on the day of the last pass before the outage, not in it.
    settings.REMINDERS = {**settings.REMINDERS, "DIGEST_WEEKDAY": local_day(now, -4).weekday()}
    make_action(lead=owner, meeting=meeting, title="渠道优化方案", due_date=local_day(now, -3))
    make_action(lead=owner, meeting=meeting, title="季度预算", due_date=local_day(now, -5))
    # Four days ago, the last pass before beat stopped: its reminders went out that day.
    before = planning.plan(now=now - datetime.timedelta(days=4), enqueue=False)
    assert Reminder.objects.filter(pk__in=before.new_ids, action__isnull=False).count() == 2
    Reminder.objects.filter(pk__in=before.new_ids).update(state=Reminder.State.SENT)
    # Beat was down for three days: a due-today and two overdue slots passed unplanned.
    result = planning.plan(now=now)
    assert len(result.new_ids) == 2  # one per item, not one per missed day
    assert planning.plan(now=now + datetime.timedelta(minutes=10)).new_ids == []
    assert len(settle(smtp_server, 2)) == 2
    rows = Reminder.objects.filter(pk__in=result.new_ids).select_related("action")
    assert sorted((r.action.title, r.kind, r.slot) for r in rows) == [
        ("季度预算", "overdue", local_day(now, -1)),  # overdue since day -4: slots at -4 and -1
        ("渠道优化方案", "overdue", local_day(now, -2)),  # due day -3 (missed), overdue day -2 (missed)
    ]


def test_redis_down_while_the_owner_marks_done_and_reminders_catch_up(
    smtp_server, team, now, private_redis, client
):
    owner, meeting = team
    done_item = make_action(lead=owner, meeting=meeting, title="季度预算", due_date=local_day(now))
    open_item = make_action(lead=owner, meeting=meeting, title="渠道优化方案", due_date=local_day(now))
    pool = Workers(smtp_server.port, redis_url=private_redis.url)
    try:
        pool.start()
        private_redis.stop()
        # Planning while the broker is down: the rows are kept, nothing is queued, nothing breaks.
        assert len(planning.plan(now=now).new_ids) == 2
        assert set(Reminder.objects.values_list("state", flat=True)) == {"pending"}

        client.force_login(owner)
        response = client.post(reverse("actions:complete", args=[done_item.pk]), {"note": "已提交"})
        assert response.status_code in (200, 302)
        done_item.refresh_from_db()
        assert done_item.status == Status.DONE
        assert Reminder.objects.get(action=done_item).state == Reminder.State.CANCELLED

        private_redis.start()
        later = now + datetime.timedelta(minutes=20)
        recovered = planning.plan(now=later).recovered_ids
        assert recovered == [Reminder.objects.get(action=open_item).pk]
        (message,) = settle(smtp_server, 1, timeout=60)
        assert str(message["Subject"]) == "【行动项提醒】今天到期:渠道优化方案"
    finally:
        pool.stop_all()
