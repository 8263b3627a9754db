"""The robot rate limiter on real Redis, shared between threads the way workers share it."""

import threading
import time
import uuid

import pytest
import redis

from actions.ratelimit import RateLimiter

TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def client():
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    connection.ping()
    return connection


def test_allows_up_to_the_limit_then_says_how_long_to_wait(client):
    limiter = RateLimiter(f"test-{uuid.uuid4().hex}", ((3, 1_000),), client=client)
    assert [limiter.try_acquire() for _ in range(3)] == [0, 0, 0]
    wait = limiter.try_acquire()
    assert 0 < wait <= 1.0
    time.sleep(wait + 0.05)
    assert limiter.try_acquire() == 0


def test_every_window_must_have_room(client):
    limiter = RateLimiter(f"test-{uuid.uuid4().hex}", ((5, 200), (6, 60_000)), client=client)
    assert [limiter.try_acquire() for _ in range(5)] == [0] * 5
    short_wait = limiter.try_acquire()
    assert 0 < short_wait <= 0.2  # the 200 ms window is full
    time.sleep(short_wait + 0.05)
    assert limiter.try_acquire() == 0  # sixth send
    # The short window has room again, but the per-minute window does not.
    assert limiter.try_acquire() > 50


def test_limit_holds_across_concurrent_workers(client):
    name = f"test-{uuid.uuid4().hex}"
    granted = []

    def worker():
        limiter = RateLimiter(name, ((20, 60_000),), client=redis.Redis.from_url(TEST_REDIS_URL))
        for _ in range(10):
            if limiter.try_acquire() == 0:
                granted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 20
