"""Real components: a Celery worker process on real Redis, and a real SMTP server (aiosmtpd)."""

import asyncio
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every message it receives.

    `hold(n)` makes it stall the next n messages without accepting them, as a hung mail server would:
    the sender sits in the middle of sending until it gives up or is killed; `held` is set meanwhile.
    """

    def __init__(self):
        self.messages = []
        self._hold = 0
        self.held = threading.Event()

    def hold(self, count: int = 1) -> None:
        self._hold = count

    async def handle_DATA(self, server, session, envelope):
        if self._hold:
            self._hold -= 1
            self.held.set()
            await asyncio.sleep(120)
            return "451 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def database_url_for_worker(settings_dict) -> str:
    """The test database (already created by pytest-django) as a URL for another process."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


class Workers:
    """Start real `celery worker` processes on one test queue; each sends through the same SMTP server."""

    def __init__(self, smtp_port: int, redis_url: str = TEST_REDIS_URL):
        from django.db import connection

        from config.celery import app

        self.app = app
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        app.conf.update(broker_url=redis_url, result_backend=redis_url, task_default_queue=self.queue)
        # Publish through the broker just configured, not a connection pooled for an earlier one (the
        # same reset Celery does after a fork).
        app._pool = None
        app.amqp._producer_pool = None
        # And the result backend (Redis too), built at first use from the configuration of that time.
        app._backend_cache = None
        vars(app._local).pop("backend", None)
        # Read when a worker starts, so that fixtures may still set environment variables for it.
        self.env = {
            "DATABASE_URL": database_url_for_worker(connection.settings_dict),
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": self.queue,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "SITE_URL": "http://minutes.test",
        }
        self.started: list[tuple[subprocess.Popen, object, Path]] = []
        self.groups: set[int] = set()

    def start(
        self, pool: str = "solo", concurrency: int = 1, *, own_group: bool = False, timeout: float = 60
    ) -> subprocess.Popen:
        """Start a worker and wait until it answers a ping. With `own_group` it leads a process group of
        its own, prefork children included, so that a test can kill the lot with os.killpg."""
        name = f"{self.queue}-{len(self.started)}"
        log_path = ROOT / "var" / f"celery-{name}.log"
        log = open(log_path, "w")  # noqa: SIM115 - closed in stop_all
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "-Q",
                self.queue,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
        self.started.append((process, log, log_path))
        if own_group:
            self.groups.add(process.pid)
        deadline = time.monotonic() + timeout
        while not self.app.control.ping(destination=[f"{name}@{socket.gethostname()}"], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("Celery worker did not start:\n" + log_path.read_text())
        return process

    def stop_all(self) -> None:
        for process, log, log_path in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
            if process.pid in self.groups:
                # A worker leading its own group: prefork children may outlive a killed parent.
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            log.close()
            log_path.unlink(missing_ok=True)


@pytest.fixture
def workers(transactional_db, smtp_server):
    """Start workers as the test needs them (a second one after killing the first, say)."""
    pool = Workers(smtp_server.port)
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def celery_worker(workers):
    """A real `celery worker` process, on its own Redis database and queue, sending through smtp_server."""
    return workers.start()


class PrivateRedis:
    """A redis-server of the test's own, so that the test can stop it ("Redis is down") and start it
    again on the same port without disturbing anything else on the machine."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()
