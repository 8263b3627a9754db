"""Server time of the action lists at scale. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/actions.py [--items 100000] [--runs 20]

Fills a throw-away database (a temporary SQLite file, or the database named by BENCH_DATABASE_URL,
e.g. postgres://postgres@127.0.0.1:5432/minutes_bench, which is dropped and recreated) with
100,000 action items across 50 departments and 2,000 users, then times:
- 我的行动项 for a user with 60 open items (target ≤ 80 ms median);
- the department view with 5,000 items, first page (target ≤ 150 ms median);
- the xlsx export of those 5,000 rows (target ≤ 3 s).
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


def fill(items: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from actions.models import ActionItem, ActionOwner, ProgressEntry, Status
    from meetings.models import Department, Meeting, User

    rng = random.Random(7)
    root = Department.objects.create(name="总部")
    departments = [Department.objects.create(name=f"部门{n:02d}", parent=root) for n in range(50)]
    password = make_password("bench")
    users = User.objects.bulk_create(
        User(username=f"u{n}", name=f"员工{n}", password=password, department=departments[n % 50])
        for n in range(2000)
    )
    for department, head in zip(departments, users[:50], strict=True):
        department.head = head
    Department.objects.bulk_update(departments, ["head"])
    meetings = Meeting.objects.bulk_create(
        Meeting(
            title=f"例会{n}",
            starts_at=timezone.now() - datetime.timedelta(days=n % 200),
            department=departments[n % 50],
            chair=users[n % 50],
        )
        for n in range(500)
    )
    today = timezone.localdate()
    statuses = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.DONE, Status.CANCELLED]
    actions = ActionItem.objects.bulk_create(
        (
            ActionItem(
                title=f"第{n}项整改事项",
                meeting=meetings[n % 500],
                status=rng.choice(statuses),
                progress=rng.randint(0, 100),
                due_date=today + datetime.timedelta(days=rng.randint(-60, 90)),
            )
            for n in range(items)
        ),
        batch_size=5000,
    )
    # The benchmark user (users[100]) owns 60 open items; department 0 (head users[0]) owns 5,000.
    owners, entries = [], []
    me = users[100]
    for index, action in enumerate(actions):
        if index < 60:
            action.status = Status.IN_PROGRESS
            owner = me
        elif index < 60 + 5000:
            owner = users[(index % 37 + 3) * 50]  # members of department 0, not the benchmark user
        else:
            owner = users[rng.randint(51, 1999)]
            while owner.department_id == departments[0].pk:
                owner = users[rng.randint(51, 1999)]
        owners.append(ActionOwner(action=action, user=owner, role=ActionOwner.Role.LEAD))
        if index >= 60 + 5000 and index % 10 == 7:
            # Departments own items too (协助: 市场部): one item in ten outside department 0.
            department = departments[1 + index % 49]
            owners.append(ActionOwner(action=action, department=department, role=ActionOwner.Role.SUPPORT))
        entries.append(ProgressEntry(action=action, author=owner, note="进展更新", changes={}))
    ActionItem.objects.bulk_update(actions[:60], ["status"])
    ActionOwner.objects.bulk_create(owners, batch_size=5000)
    ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    # A production database has planner statistics; freshly bulk-loaded tables have none until
    # autovacuum gets to them, and the plans chosen without them are not the ones users get.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return me, users[0]


def timed(client, url, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95) - 1] * 1000


def profile(client, url):
    """The 25 functions with the most cumulative time in one request, to see where a page spends it."""
    import cProfile
    import pstats

    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print the hottest functions per page")
    args = parser.parse_args()
    setup_database()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    owner, head = fill(args.items)
    print(
        f"database: {connection.vendor}; filled {args.items} items in {time.perf_counter() - started:.1f} s"
    )

    client = Client()
    client.force_login(owner)
    median, p95 = timed(client, reverse("actions:my"), args.runs)
    print(f"我的行动项 (60 open items): median {median:.0f} ms, p95 {p95:.0f} ms (target ≤ 80 ms median)")
    if args.profile:
        profile(client, reverse("actions:my"))

    client.force_login(head)
    median, p95 = timed(client, reverse("actions:department"), args.runs)
    print(
        f"department view (5,000 items, first page): median {median:.0f} ms, p95 {p95:.0f} ms "
        f"(target ≤ 150 ms median)"
    )
    if args.profile:
        profile(client, reverse("actions:department"))

    started = time.perf_counter()
    response = client.get(reverse("actions:export", args=["xlsx"]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    print(
        f"xlsx export of the department's items: {time.perf_counter() - started:.2f} s, "
        f"{len(body) / 1024:.0f} KB (target ≤ 3 s)"
    )


if __name__ == "__main__":
    main()
