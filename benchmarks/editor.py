"""Server time of the minutes editor for a large meeting. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/editor.py [--runs 30]

Fills a throw-away database (a temporary SQLite file, or the database named by BENCH_DATABASE_URL,
e.g. postgres://postgres@127.0.0.1:5432/minutes_bench_editor, which is dropped and recreated) with a
meeting of 40 agenda items, 80 speaker reports, 60 decisions and 200 action items, then prints the
median and p95 server time and the query count of:
- the editor page (target ≤ 200 ms median, ≤ 15 queries);
- one autosave of a decision's text (target ≤ 20 ms median).
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database():
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill():
    """The large meeting of the issue, with 60 people and 8 departments to choose owners from."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from actions.models import ActionItem, ActionOwner
    from meetings.models import AgendaItem, Attendance, Decision, Department, Meeting, SpeakerReport, User

    departments = [Department.objects.create(name=f"部门{n}") for n in range(8)]
    password = make_password("bench")
    people = User.objects.bulk_create(
        [
            User(
                username=f"u{n}",
                name=f"员工{n}",
                job_title="专员",
                department=departments[n % 8],
                password=password,
            )
            for n in range(60)
        ]
    )
    chair = people[0]
    meeting = Meeting.objects.create(
        title="季度运营会议",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        chair=chair,
        recorder=people[1],
        department=departments[0],
    )
    Attendance.objects.bulk_create([Attendance(meeting=meeting, user=p) for p in people[:30]])
    items = AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, order=n, day=1 + n // 20, title=f"议题{n}", presenter=people[n % 60])
            for n in range(40)
        ]
    )
    SpeakerReport.objects.bulk_create(
        [
            SpeakerReport(
                agenda_item=items[n % 40],
                speaker=people[n % 60],
                content=f"**第{n}项汇报**\n- 本周完成情况良好\n- 下周计划推进渠道优化\n" * 3,
            )
            for n in range(80)
        ]
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                meeting=meeting,
                number=n + 1,
                agenda_item=items[n % 40] if n % 4 else None,
                problem="预算不足",
                discussion="与会人员讨论后一致同意",
                text=f"决定{n}",
            )
            for n in range(60)
        ]
    )
    actions = ActionItem.objects.bulk_create(
        [
            ActionItem(
                meeting=meeting, title=f"行动项{n}", deadline_text="两周内", due_date=timezone.localdate()
            )
            for n in range(200)
        ]
    )
    ActionOwner.objects.bulk_create(
        [ActionOwner(action=a, user=people[n % 60]) for n, a in enumerate(actions)]
        + [
            ActionOwner(action=a, department=departments[n % 8], role=ActionOwner.Role.SUPPORT)
            for n, a in enumerate(actions)
            if n % 2
        ]
    )
    through = ActionItem.decisions.through
    through.objects.bulk_create(
        [through(actionitem_id=a.pk, decision_id=decisions[n % 60].pk) for n, a in enumerate(actions)]
    )
    return meeting, chair, decisions[0]


def timed(request, runs):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    request()  # warm up templates and caches
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        request()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        request()
    times.sort()
    p95 = times[min(len(times) - 1, round(len(times) * 0.95) - 1)]
    return statistics.median(times) * 1000, p95 * 1000, len(captured), statistics.median(cpu) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_database()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    meeting, chair, decision = fill()
    client = Client()
    client.force_login(chair)
    page_url = reverse("meetings:editor", args=[meeting.pk])
    save_url = reverse("meetings:editor_save", args=[meeting.pk])

    def page():
        response = client.get(page_url)
        assert response.status_code == 200, response.status_code

    counter = {"n": 0}

    def autosave():
        # Each save is based on the text the previous one left, as a typing user's saves are.
        base = f"决定0 修改{counter['n']}" if counter["n"] else "决定0"
        counter["n"] += 1
        body = {"entity": "decision", "pk": decision.pk, "field": "text", "base": base}
        body["value"] = f"决定0 修改{counter['n']}"
        response = client.post(save_url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content

    print(f"database: {connection.vendor}; meeting: 40 agenda items, 80 reports, 60 decisions, 200 actions")
    # Wall time includes waiting for the database and for a busy CPU; the process's own CPU time
    # is printed too, since a shared machine's load shows in the first and not in the second.
    median, p95, queries, cpu = timed(page, args.runs)
    print(
        f"editor page:  median {median:6.1f} ms, p95 {p95:6.1f} ms, median CPU {cpu:6.1f} ms, "
        f"{queries} queries (target ≤ 200 ms, ≤ 15)"
    )
    median, p95, queries, cpu = timed(autosave, args.runs * 3)
    print(
        f"one autosave: median {median:6.1f} ms, p95 {p95:6.1f} ms, median CPU {cpu:6.1f} ms, "
        f"{queries} queries (target ≤ 20 ms)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
