"""The fault harness: real processes, really broken.

- `stack.redis`: a redis-server of the test's own on a free port of 127.0.0.1, not started until the test
  says so, stopped and started again on the same port. Nothing else on the machine is used or touched.
- `stack.start_worker()`, `stack.start_beat()`: real `celery worker` and `celery beat` processes on the
  test's queue, each leading a process group of its own (a kill takes the prefork children too). Beat
  sweeps the outbox every SWEEP_SECONDS and the workers take back claims older than CLAIM_TIMEOUT, both
  through the settings' environment variables. Beat runs the product's schedule without the crontab
  entries (tests/faults/beat.py): the tests stand for the planning pass.
- `inbox`: an SMTP server (aiosmtpd). `inbox.kill_after(n, worker)` SIGKILLs the worker's process group
  once message n has been received and before the server answers 250: the server has the message, the
  row is not marked.

Every wait is bounded. Every process a test started is stopped at teardown, failed test or not, and the
teardown fails if any of them is still there.
"""

import asyncio
import datetime
import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from collections.abc import Callable

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from tests.integration.conftest import ROOT, Inbox, PrivateRedis, Workers, free_port

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SWEEP_SECONDS = 2
# Far beyond one send (a few milliseconds), short enough for a test: a claim this old is a dead worker's.
CLAIM_TIMEOUT = 6


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    """Poll `condition` until it holds or `timeout` seconds have passed; returns whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def shanghai_today() -> datetime.date:
    return timezone.now().astimezone(SHANGHAI).date()


class KillingInbox(Inbox):
    """Keeps every message it accepts; can kill a worker's process group in the middle of the exchange."""

    def __init__(self):
        super().__init__()
        self._kill_after: int | None = None
        self._victim: subprocess.Popen | None = None
        self.killed = threading.Event()

    def kill_after(self, count: int, worker: subprocess.Popen) -> None:
        self._victim, self._kill_after = worker, count

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        if (
            self._kill_after is not None
            and len(self.messages) >= self._kill_after
            and not self.killed.is_set()
        ):
            # Received, not yet answered: the sender never learns that the server has it.
            try:
                os.killpg(self._victim.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.killed.set()
            await asyncio.sleep(0.5)
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox():
    handler = KillingInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


class Stack:
    """Redis, workers and beat for one test, on a queue of its own."""

    def __init__(self, smtp_port: int, directory):
        from config.celery import app

        self.app = app
        self._saved_conf = {
            key: app.conf[key] for key in ("broker_url", "result_backend", "task_default_queue")
        }
        self.directory = directory
        self.redis = PrivateRedis()
        # Points this process's Celery app (what the product's nudge publishes through) at the private Redis.
        self.workers = Workers(smtp_port, redis_url=self.redis.url)
        _forget_result_backend(app)
        self.workers.env.update(
            {"OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS), "OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT)}
        )
        self.beat: subprocess.Popen | None = None
        self.beat_log = directory / "beat.log"
        self.schedule = directory / "celerybeat-schedule"

    def start_worker(self, pool: str = "solo", concurrency: int = 1) -> subprocess.Popen:
        return self.workers.start(pool, concurrency, own_group=True, timeout=30)

    def start_beat(self) -> subprocess.Popen:
        log = open(self.beat_log, "a")  # noqa: SIM115 - closed below: beat writes through its own copy
        self.beat = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "--scheduler",
                "tests.faults.beat:OutboxOnlyScheduler",
                "--schedule",
                str(self.schedule),
                "--pidfile",
                str(self.directory / "beat.pid"),
            ],
            cwd=ROOT,
            env={**os.environ, **self.workers.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_until(lambda: "beat: Starting" in self.beat_log.read_text(), timeout=20):
            pytest.fail("celery beat did not start:\n" + self.beat_log.read_text())
        return self.beat

    def stop_beat(self) -> None:
        if self.beat is not None:
            _stop_group(self.beat)

    def sweeps_sent(self) -> int:
        """How many outbox sweeps beat has handed to the broker so far."""
        text = self.beat_log.read_text() if self.beat_log.exists() else ""
        return text.count("Sending due task outbox-sweep")

    def logs(self) -> str:
        parts = []
        for process, log, path in self.workers.started:
            log.flush()
            if path.exists():
                parts.append(f"--- worker {process.pid} ---\n" + path.read_text()[-6000:])
        if self.beat_log.exists():
            parts.append("--- beat ---\n" + self.beat_log.read_text()[-30000:])
        return "\n".join(parts)

    def close(self) -> None:
        markers = [self.workers.queue, str(self.schedule)]
        print(self.logs())  # shown with a failed test's report only
        try:
            self.stop_beat()
            self.workers.stop_all()
            self.redis.stop()
        finally:
            self.app.conf.update(self._saved_conf)
            self.app._pool = None
            self.app.amqp._producer_pool = None
            _forget_result_backend(self.app)
        strays = _strays(markers, self.redis.port)
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert strays == [], f"processes left behind by the test: {strays}"


def _forget_result_backend(app) -> None:
    """The app keeps its result backend, made from the configuration at first use: make the next use build
    one for the Redis configured now, not for an earlier test's (the result backend is Redis too)."""
    app._backend_cache = None
    vars(app._local).pop("backend", None)


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL to whatever is left after a few seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _strays(markers: list[str], redis_port: int) -> list[int]:
    found = set()
    patterns = [*markers, f"redis-server .*:{redis_port}"]
    for pattern in patterns:
        result = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, timeout=10)
        found.update(int(pid) for pid in result.stdout.split())
    found.discard(os.getpid())
    return sorted(found)


@pytest.fixture
def stack(transactional_db, inbox, tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    harness = Stack(inbox.port, tmp_path)
    try:
        yield harness
    finally:
        harness.close()


@pytest.fixture
def every_day(settings):
    """Planning in this process (the tests stand for beat's pass) on any weekday: no quiet days, so the
    suite plans the same whatever day it runs on."""
    settings.REMINDERS = {**settings.REMINDERS, "QUIET_WEEKDAYS": ()}
    return settings.REMINDERS
