"""Server time of the meeting lifecycle at scale. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/lifecycle.py [--weeks 52] [--items 8] [--runs 10]

Fills a throw-away database (a temporary SQLite file, or the database named by BENCH_DATABASE_URL,
which is dropped and recreated) with a weekly series of `--weeks` meetings, each deciding `--items`
action items, then times:
- the carry-over review selection and rows for the newest meeting;
- publishing a meeting (snapshot + hash), rolled back after each run;
- the meeting page for a participant;
- a participant's private calendar feed.
"""

import argparse
import datetime
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
    os.environ.setdefault("SECRET_KEY", "benchmark")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(label: str, runs: int, func) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<44} median {statistics.median(samples):8.1f} ms   max {max(samples):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    setup_database()

    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from actions import review
    from actions.models import ActionItem, ActionOwner, Status
    from meetings import lifecycle
    from meetings import series as series_rules
    from meetings.calendar import build_feed
    from meetings.models import Attendance, Decision, Meeting, MeetingSeries, User

    people = [User.objects.create_user(f"u{n}", "pass", name=f"员工{n}") for n in range(12)]
    chair, recorder = people[0], people[1]
    today = timezone.localdate()
    first = today - datetime.timedelta(weeks=args.weeks)
    series = series_rules.series_save(
        series=MeetingSeries(
            title="周例会",
            recurrence="weekly",
            weekday=first.weekday(),
            first_date=first,
            start_time=datetime.time(9, 30),
            chair=chair,
            recorder=recorder,
            template_agenda=[{"title": "各组汇报"}, {"title": "下周安排"}],
        ),
        participants=people[2:],
    )
    started = time.perf_counter()
    meetings = []
    for week in range(args.weeks):
        day = first + datetime.timedelta(weeks=week)
        meeting, _ = series_rules.series_create_next_meeting(series=series, by=recorder, day=day)
        decision = Decision.objects.create(meeting=meeting, number=1, text="按计划推进")
        for n in range(args.items):
            item = ActionItem.objects.create(
                title=f"第{week}周事项{n}",
                meeting=meeting,
                due_date=day + datetime.timedelta(days=7),
                status=Status.DONE if n % 3 == 0 else Status.IN_PROGRESS,
                completed_at=timezone.now() - datetime.timedelta(weeks=args.weeks - week)
                if n % 3 == 0
                else None,
            )
            item.decisions.add(decision)
            ActionOwner.objects.create(action=item, user=people[2 + n % 10])
        meetings.append(meeting)
    elapsed = time.perf_counter() - started
    print(f"filled {args.weeks} meetings, {ActionItem.objects.count()} items in {elapsed:.1f} s")
    newest = meetings[-1]
    participant = people[3]
    assert Attendance.objects.filter(meeting=newest, user=participant).exists()

    rows = review.review_rows(newest, full=True)
    print(f"review rows for the newest meeting: {len(rows)}")
    timed("review selection + rows", args.runs, lambda: review.review_rows(newest, full=True))

    def publish_and_roll_back():
        with transaction.atomic():
            Meeting.objects.filter(pk=newest.pk).update(
                status=Meeting.Status.SUBMITTED, submitted_by=recorder
            )
            lifecycle.meeting_publish(meeting=newest, by=chair, notify=False)
            transaction.set_rollback(True)

    timed("publish (snapshot + sha256), rolled back", args.runs, publish_and_roll_back)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(participant)
    assert client.get(newest.get_absolute_url()).status_code == 200  # also warms the template cache
    timed("meeting page (participant)", args.runs, lambda: client.get(newest.get_absolute_url()))
    timed(f"calendar feed ({args.weeks} meetings)", args.runs, lambda: build_feed(user=participant))


if __name__ == "__main__":
    main()
