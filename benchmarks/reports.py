"""End-to-end time of the monthly organisation report (工作落实报告) at scale. Prints figures; asserts
nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/minutes_bench_reports \\
        .venv/bin/python benchmarks/reports.py [--items 100000] [--runs 3]

Fills a throw-away database (the one named by BENCH_DATABASE_URL, dropped and recreated; a temporary
SQLite file without it) with 100,000 action items over 14 months across 50 departments and 2,000
people, with completions, postponements, progress entries and weekly occurrences, then times the render
the background job runs (reports.jobs.job_run): figures, charts, web page, PDF and .xlsx, written to
storage. Target: ≤ 10 s end to end, charts included.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database(reuse: bool):
    url = os.environ.get("BENCH_DATABASE_URL")
    if url and reuse:
        os.environ["DATABASE_URL"] = url
    elif url:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(items: int, today: datetime.date):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from actions.models import ActionItem, ActionOwner, DeadlineChange, Occurrence, ProgressEntry, Status
    from meetings.models import Decision, Department, Meeting, MeetingKind, User

    rng = random.Random(7)
    tz = timezone.get_current_timezone()
    root = Department.objects.create(name="总部")
    departments = [Department.objects.create(name=f"部门{n:02d}", parent=root) for n in range(50)]
    password = make_password("bench")
    users = User.objects.bulk_create(
        User(username=f"u{n}", name=f"员工{n}", password=password, department=departments[n % 50])
        for n in range(2000)
    )
    kinds = [k for k, _label in MeetingKind.choices]
    meetings = Meeting.objects.bulk_create(
        Meeting(
            title=f"例会{n}",
            kind=kinds[n % len(kinds)],
            starts_at=datetime.datetime.combine(
                today - datetime.timedelta(days=n % 420), datetime.time(14), tz
            ),
            department=departments[n % 50],
            chair=users[n % 50],
        )
        for n in range(2000)
    )
    Decision.objects.bulk_create(
        Decision(meeting=meeting, number=k + 1, text="同意按方案推进")
        for meeting in meetings
        for k in range(3)
    )
    actions = []
    for n in range(items):
        due = today + datetime.timedelta(days=rng.randint(-420, 60))
        status = rng.choices(
            [Status.DONE, Status.IN_PROGRESS, Status.NOT_STARTED, Status.CANCELLED, Status.ON_HOLD],
            weights=[70, 15, 8, 4, 3],
        )[0]
        completed_at = on_time = None
        if status == Status.DONE:
            late = rng.random() < 0.2
            day = due + datetime.timedelta(days=rng.randint(1, 20) if late else -rng.randint(0, 5))
            completed_at = datetime.datetime.combine(day, datetime.time(16), tz)
            on_time = not late
        actions.append(
            ActionItem(
                title=f"第{n}项整改事项",
                meeting=meetings[n % 2000],
                status=status,
                due_date=due,
                completed_at=completed_at,
                completed_on_time=on_time,
                progress=100 if status == Status.DONE else rng.randint(0, 90),
            )
        )
    actions = ActionItem.objects.bulk_create(actions, batch_size=5000)
    # created_at is auto_now_add: set it afterwards, in one statement per batch.
    owners, entries, changes, occurrences = [], [], [], []
    for index, action in enumerate(actions):
        owners.append(
            ActionOwner(action=action, user=users[rng.randint(0, 1999)], role=ActionOwner.Role.LEAD)
        )
        if index % 4 == 0:
            owners.append(
                ActionOwner(action=action, department=departments[index % 50], role=ActionOwner.Role.SUPPORT)
            )
        stamp = datetime.datetime.combine(action.due_date - datetime.timedelta(days=3), datetime.time(11), tz)
        entries.append(ProgressEntry(action=action, note="进展更新", changes={}, created_at=stamp))
        if index % 10 == 0:
            changes.append(
                DeadlineChange(
                    action=action,
                    old_due_date=action.due_date - datetime.timedelta(days=7),
                    new_due_date=action.due_date,
                    reason="等待外部数据",
                    state=DeadlineChange.State.APPROVED,
                    decided_at=stamp,
                )
            )
        if index % 200 == 0:
            for week in range(26):
                due = today - datetime.timedelta(weeks=week)
                delivered = (
                    None if rng.random() < 0.1 else datetime.datetime.combine(due, datetime.time(9), tz)
                )
                occurrences.append(Occurrence(action=action, due_date=due, delivered_at=delivered))
    ActionOwner.objects.bulk_create(owners, batch_size=5000)
    ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    DeadlineChange.objects.bulk_create(changes, batch_size=5000)
    Occurrence.objects.bulk_create(occurrences, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        # created_at: 5–40 days before the due date, as the items were created.
        table = ActionItem._meta.db_table
        if connection.vendor == "postgresql":
            days_before = "((id % 36) + 5) * INTERVAL '1 day'"
            cursor.execute(f"UPDATE {table} SET created_at = (due_date - {days_before})::timestamptz")
        else:
            cursor.execute(
                f"UPDATE {table} SET created_at = datetime(due_date, '-' || ((id % 36) + 5) || ' days')"
            )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the database a previous run filled")
    args = parser.parse_args()
    setup_database(args.reuse)
    from django.db import connection
    from django.utils import timezone, translation

    from reports import jobs, metrics, period
    from reports.models import RenderJob

    today = timezone.localdate()
    started = time.perf_counter()
    if not args.reuse:
        fill(args.items, today)
    print(
        f"database: {connection.vendor}; filled {args.items} items in {time.perf_counter() - started:.1f} s"
    )

    last = metrics.Period.containing(metrics.MONTH, today).previous()
    params = {
        "scope": metrics.ORGANISATION,
        "department": None,
        "series": None,
        "period": last.kind,
        "start": last.start.isoformat(),
        "end": last.end.isoformat(),
        "target": 90.0,
        "language": "zh-hans",
        "today": today.isoformat(),
    }

    # Where the time goes, step by step, once.
    with translation.override("zh-hans"):
        steps, mark = [], [time.perf_counter()]

        def progress(percent, step):
            now = time.perf_counter()
            steps.append((step, now - mark[0]))
            mark[0] = now

        period.render_period_report(params, progress)
        progress(100, "")
    print("steps (each: time since the previous step began):")
    previous = "开始"
    for step, seconds in steps:
        print(f"  {previous:<12} {seconds * 1000:7.0f} ms")
        previous = str(step)

    # End to end, as the worker runs it: claim the job, compute, draw, render, store.
    times, cpu_times, sizes = [], [], {}
    for run in range(args.runs):
        # A row of its own, not job_request(): nothing goes to a broker that a real worker might read.
        job = RenderJob.objects.create(
            kind=period.KIND, params=params, cache_key=f"bench-{run}-{time.time()}"
        )
        started, cpu = time.perf_counter(), time.process_time()
        state = jobs.job_run(job_id=job.pk)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
        job = RenderJob.objects.get(pk=job.pk)
        assert state == RenderJob.State.DONE, job.error
        sizes = {name: meta["size"] for name, meta in job.outputs.items()}
    report = metrics.build_report(
        scope=metrics.Scope(metrics.ORGANISATION, "全公司"), period=last, today=today
    )
    print(
        f"monthly organisation report ({last.label}, {report.current.due} items due, "
        f"{sum(1 for _ in report.departments)} departments, {len(report.owners)} owners): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {args.runs} runs "
        f"(target ≤ 10 s, charts included)"
    )
    print("files: " + ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in sizes.items()))
    # The machine may be shared: the CPU time of this process (PostgreSQL's share not included) and the
    # load average say how much of the wall time was waiting for a core.
    print(
        f"CPU time of the render process: median {statistics.median(cpu_times):.2f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
