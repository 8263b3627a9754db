"""Shared fixtures: an owner, a chair, a department head and an outsider, as in every permission test."""

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import DepartmentFactory, MeetingFactory, UserFactory

# The fuzz tests (tests/fuzz/): no time limit per example (the first request of a test is slow), the
# scenario fixtures are made once per test, not per example (each example runs in a savepoint that is
# rolled back), no example database in the working tree, and the same examples every run in CI.
hypothesis_settings.register_profile(
    "fuzz",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
    database=None,
    print_blob=True,
)


@pytest.fixture(autouse=True)
def _chinese_and_fast(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db):
    return DepartmentFactory(name="市场部")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="研发一部")


@pytest.fixture
def owner(department):
    return UserFactory(username="wangfang", name="王芳", job_title="市场专员", department=department)


@pytest.fixture
def chair(department):
    user = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=department)
    department.head = user
    department.save()
    return user


@pytest.fixture
def outsider(other_department):
    return UserFactory(username="zhaolei", name="赵磊", job_title="工程师", department=other_department)


@pytest.fixture
def meeting(chair, department):
    return MeetingFactory(title="市场部第12次周例会", chair=chair, recorder=chair, department=department)


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: `client_for(owner).get(...)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
