"""Reminder planning and sending at scale. Prints figures; asserts nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/minutes_bench_reminders \
        .venv/bin/python benchmarks/reminders.py [--items 100000] [--overdue 0] [--send 300]

Fills a throw-away database (the one named by BENCH_DATABASE_URL, dropped and recreated, or a temporary
SQLite file) with 100,000 open action items: 5,000 due in the next 3 days, --overdue of them overdue by
1 to 60 days (none by default) and the rest due later, one lead each and a support owner on every
third. Then it measures, for a Tuesday 09:30 in Beijing (no digest, no quiet day):
- one planning pass: wall time (target ≤ 5 s), peak Python memory (tracemalloc), SQL queries;
- handing the new rows to the broker (one send task each), timed apart;
- a second pass that finds nothing new (target ≤ 1 s), and a full pass that finds nothing new;
- send throughput to a local SMTP server (aiosmtpd) with 1 and with 4 worker processes.
Redis must be running (REDIS_URL, default redis://127.0.0.1:6379/0; the benchmark uses database 14).
"""

import argparse
import datetime
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


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
    os.environ["REDIS_URL"] = BENCH_REDIS_URL
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_day() -> datetime.date:
    """The next Tuesday: a working day without the Monday digest."""
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    return today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)


def fill(items: int, today: datetime.date, overdue: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from actions.models import ActionItem, ActionOwner, Status
    from meetings.models import Department, Meeting, User

    rng = random.Random(7)
    root = Department.objects.create(name="总部")
    departments = [Department.objects.create(name=f"部门{n:02d}", parent=root) for n in range(50)]
    password = make_password("bench")
    users = User.objects.bulk_create(
        User(
            username=f"u{n}",
            name=f"员工{n}",
            email=f"u{n}@example.cn",
            password=password,
            department=departments[n % 50],
        )
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
    due_soon = 5000

    def due(n: int) -> datetime.date:
        if n < due_soon:
            return today + datetime.timedelta(days=1 + n % 3)
        if n < due_soon + overdue:
            return today - datetime.timedelta(days=1 + n % 60)
        return today + datetime.timedelta(days=4 + n % 180)

    actions = ActionItem.objects.bulk_create(
        (
            ActionItem(
                title=f"第{n}项整改事项",
                meeting=meetings[n % 500],
                status=Status.IN_PROGRESS if n % 2 else Status.NOT_STARTED,
                due_date=due(n),
            )
            for n in range(items)
        ),
        batch_size=5000,
    )
    owners = []
    for n, action in enumerate(actions):
        lead = users[rng.randint(50, 1999)]
        owners.append(ActionOwner(action=action, user=lead, role=ActionOwner.Role.LEAD))
        if n % 3 == 0:
            support = users[rng.randint(50, 1999)]
            if support != lead:
                owners.append(ActionOwner(action=action, user=support, role=ActionOwner.Role.SUPPORT))
    ActionOwner.objects.bulk_create(owners, batch_size=5000)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measured_pass(now, **kwargs):
    from django.db import connection

    from actions.reminders import planning

    counter = QueryCounter()
    tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = planning.plan(now=now, **kwargs)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak, counter.count


class Inbox:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted for delivery"


def send_throughput(reminder_ids: list[int], concurrency: int, smtp_port: int) -> float:
    """Start a worker with `concurrency` processes, queue the rows, time until the SMTP server has
    them all. Returns messages per second."""
    from django.db import connection

    from actions.reminders import sending
    from config.celery import app

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.update(broker_url=BENCH_REDIS_URL, result_backend=BENCH_REDIS_URL, task_default_queue=queue)
    app._pool = None
    app.amqp._producer_pool = None
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{settings['NAME']}"
    else:
        database_url = (
            f"postgres://{settings.get('USER') or 'postgres'}@{settings.get('HOST') or '127.0.0.1'}:"
        )
        database_url += f"{settings.get('PORT') or 5432}/{settings['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": BENCH_REDIS_URL,
        "CELERY_QUEUE": queue,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
        + [f"--concurrency={concurrency}", "-Q", queue, "--without-gossip", "--without-mingle"]
        + ["--loglevel=WARNING", "--hostname", f"{queue}@%h"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=0.5):
            if process.poll() is not None:
                raise SystemExit("The benchmark worker did not start")
        inbox = INBOX
        before = inbox.count
        started = time.perf_counter()
        sending.enqueue_now(reminder_ids)
        while inbox.count - before < len(reminder_ids):
            if time.perf_counter() - started > 600:
                raise SystemExit(f"Only {inbox.count - before} of {len(reminder_ids)} arrived in 10 minutes")
            time.sleep(0.05)
        return len(reminder_ids) / (time.perf_counter() - started)
    finally:
        process.terminate()
        process.wait(30)


INBOX = Inbox()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=0, help="how many items are already overdue")
    parser.add_argument("--send", type=int, default=300, help="messages per throughput run")
    args = parser.parse_args()
    setup_database()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    from aiosmtpd.controller import Controller
    from django.db import connection

    from actions.models import Reminder, ReminderSweep
    from actions.reminders import sending

    today = bench_day()
    now = datetime.datetime.combine(today, datetime.time(9, 30), zoneinfo.ZoneInfo("Asia/Shanghai"))
    started = time.perf_counter()
    fill(args.items, today, args.overdue)
    print(
        f"database: {connection.vendor}; {args.items} open items "
        f"(5,000 due in 3 days, {args.overdue} overdue) "
        f"filled in {time.perf_counter() - started:.1f} s; planning for {now:%A %Y-%m-%d %H:%M} Beijing"
    )

    result, elapsed, peak, queries = measured_pass(now, enqueue=False)
    print(
        f"planning pass: {len(result.new_ids)} reminders planned in {elapsed:.2f} s (target ≤ 5 s), "
        f"peak memory {peak / 2**20:.1f} MiB, {queries} SQL queries"
    )
    started = time.perf_counter()
    queued = sending.enqueue_now(result.new_ids)
    enqueue_time = time.perf_counter() - started
    print(f"enqueue after commit: {queued} send tasks in {enqueue_time:.2f} s")
    from config.celery import app

    app.control.purge()  # these tasks were only for timing the broker; the throughput runs queue anew

    result, elapsed, peak, queries = measured_pass(now + datetime.timedelta(minutes=10))
    print(
        f"second pass (nothing new): {len(result.new_ids)} planned in {elapsed:.3f} s (target ≤ 1 s), "
        f"peak memory {peak / 2**20:.1f} MiB, {queries} SQL queries"
    )
    ReminderSweep.objects.all().delete()  # forget the day: the next pass looks at every item again
    # Still within OUTBOX_CLAIM_TIMEOUT of the first pass, so no row counts as lost and re-enqueued.
    result, elapsed, peak, queries = measured_pass(now + datetime.timedelta(minutes=12), enqueue=False)
    print(
        f"full pass that finds nothing new: {len(result.new_ids)} planned in {elapsed:.2f} s, "
        f"peak memory {peak / 2**20:.1f} MiB, {queries} SQL queries"
    )

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(INBOX, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        pending = list(
            Reminder.objects.filter(state=Reminder.State.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[: 2 * args.send]
        )
        for concurrency, chunk in ((1, pending[: args.send]), (4, pending[args.send :])):
            rate = send_throughput(chunk, concurrency, port)
            print(
                f"send throughput, 1 worker × {concurrency} process(es): "
                f"{rate:.0f} messages/s ({len(chunk)} sent)"
            )
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
