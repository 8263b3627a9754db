"""Redis stops for real while people work: the chair approves the minutes (publication notices), another
chair invites to a meeting, an owner marks an item done, the recorder's editor autosaves. Every request
answers, none with an error. Redis comes back on the same port; the worker and beat that ran through the
outage reconnect, and beat's outbox sweep sends every notice exactly once, with nobody calling recovery.

The time each request took is printed, not asserted (no timed assertions in this project)."""

import datetime
import json
import time
from collections import Counter

import pytest
from django.urls import reverse

from actions.models import Status
from meetings import lifecycle
from meetings.models import Attendance, MeetingNotice
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.faults.conftest import SHANGHAI, SWEEP_SECONDS, shanghai_today, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.integration]


@pytest.fixture
def office(transactional_db):
    market = DepartmentFactory(name="市场部")
    finance = DepartmentFactory(name="财务部")
    people = {
        login: UserFactory(name=name, username=login, email=f"{login}@example.cn", department=department)
        for name, login, department in (
            ("张伟", "zhangwei", market),
            ("陈静", "chenjing", market),
            ("王芳", "wangfang", market),
            ("李娜", "lina", market),
            ("刘洋", "liuyang", market),
            ("周杰", "zhoujie", finance),
            ("吴霞", "wuxia", finance),
        )
    }
    market.head, finance.head = people["zhangwei"], people["zhoujie"]
    market.save()
    finance.save()
    weekly = MeetingFactory(
        title="市场部第12次周例会",
        chair=people["zhangwei"],
        recorder=people["chenjing"],
        department=market,
    )
    for login in ("zhangwei", "chenjing", "wangfang", "lina", "liuyang"):
        Attendance.objects.create(meeting=weekly, user=people[login])
    item = make_action(
        lead=people["wangfang"],
        meeting=weekly,
        title="提交华东区渠道费用复盘报告",
        due_date=shanghai_today() + datetime.timedelta(days=2),
    )
    lifecycle.meeting_submit(meeting=weekly, by=people["chenjing"])
    tomorrow = datetime.datetime.combine(
        shanghai_today() + datetime.timedelta(days=1), datetime.time(14, 0), SHANGHAI
    )
    budget = MeetingFactory(
        title="2027年度预算评审会",
        chair=people["zhoujie"],
        recorder=people["wuxia"],
        department=finance,
        starts_at=tomorrow,
        ends_at=tomorrow + datetime.timedelta(hours=2),
        location="5楼第一会议室",
    )
    for login in ("zhoujie", "wuxia", "zhangwei", "wangfang"):
        Attendance.objects.create(meeting=budget, user=people[login])
    return people, weekly, budget, item


def test_redis_down_every_request_answers_and_each_notice_goes_out_once_when_it_is_back(
    stack, inbox, office, client
):
    people, weekly, budget, item = office
    stack.redis.start()
    stack.start_beat()
    stack.start_worker(pool="prefork", concurrency=2)
    stack.redis.stop()

    timings = {}

    def timed(label, user, method, *args, **kwargs):
        client.force_login(user)
        started = time.monotonic()
        response = getattr(client, method)(*args, **kwargs)
        timings[label] = time.monotonic() - started
        assert 200 <= response.status_code < 400, (label, response.status_code, response.content[:500])
        return response

    timed("approve (publish)", people["zhangwei"], "post", reverse("meetings:approve", args=[weekly.pk]))
    timed("invite", people["zhoujie"], "post", reverse("meetings:invite", args=[budget.pk]))
    timed(
        "mark done",
        people["wangfang"],
        "post",
        reverse("actions:complete", args=[item.pk]),
        {"note": "报告已提交张总审阅"},
    )
    response = timed(
        "editor autosave",
        people["wuxia"],
        "post",
        reverse("meetings:editor_save", args=[budget.pk]),
        json.dumps(
            {
                "entity": "meeting",
                "pk": budget.pk,
                "field": "title",
                "base": budget.title,
                "value": "2027年度预算评审会(第一轮)",
            }
        ),
        content_type="application/json",
    )
    assert response.json()["value"] == "2027年度预算评审会(第一轮)"
    weekly.refresh_from_db()
    item.refresh_from_db()
    assert weekly.status == "published" and item.status == Status.DONE

    notices = MeetingNotice.objects.all()
    kinds = Counter(notices.values_list("kind", flat=True))
    assert kinds == {MeetingNotice.Kind.PUBLISHED: 5, MeetingNotice.Kind.INVITATION: 4}
    assert set(notices.values_list("state", flat=True)) == {MeetingNotice.State.PENDING}
    assert inbox.messages == []
    expected = {f"<meeting-notice.{pk}@minutes.test>" for pk in notices.values_list("pk", flat=True)}

    sweeps_before = stack.sweeps_sent()
    stack.redis.start()
    arrived = wait_until(
        lambda: (
            not notices.exclude(state=MeetingNotice.State.SENT).exists()
            and len(inbox.messages) >= len(expected)
        ),
        timeout=60,
    )
    # Later sweeps must find nothing left to send.
    wait_until(lambda: False, timeout=2 * SWEEP_SECONDS + 1)
    messages = list(inbox.messages)
    slowest = max(timings, key=timings.get)
    print(
        f"\nRedis down: messages expected {len(expected)}, arrived {len(messages)}; slowest request while "
        f"Redis was down: {slowest} {timings[slowest]:.3f} s; "
        + ", ".join(f"{label} {seconds:.3f} s" for label, seconds in timings.items())
    )
    assert arrived, Counter(notices.values_list("state", flat=True))
    assert Counter(str(m["Message-ID"]) for m in messages) == Counter(expected)  # each exactly once
    assert stack.sweeps_sent() > sweeps_before
    # Each notice went out at its first claim: queued by a sweep once Redis was back, not retried.
    assert set(notices.values_list("attempts", flat=True)) == {1}
    subjects = Counter(str(m["Subject"]).split("】")[0] + "】" for m in messages)
    assert subjects == {"【纪要已发布】": 5, "【会议通知】": 4}
