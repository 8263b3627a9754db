"""Playwright driving Debian's Chromium, headless, against pytest-django's live server."""

import os
from pathlib import Path

import pytest

from tests.factories import DepartmentFactory, UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(tmp_path):
    """Save a full-page screenshot; SCREENSHOT_DIR keeps them for a person to look at."""
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, username: str, password: str = "pass-1234") -> None:
    """Sign in through the login form as a person would, and wait until the app shows its first page.
    Cookies are cleared first, so a test can switch from one person to another."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def people(db):
    """市场部: its head 张伟 (who chairs), the recorder 陈静 and two owners, 王芳 and 李明."""
    department = DepartmentFactory(name="市场部")
    chair = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=department)
    department.head = chair
    department.save()
    recorder = UserFactory(username="chenjing", name="陈静", job_title="市场助理", department=department)
    owner = UserFactory(username="wangfang", name="王芳", job_title="市场专员", department=department)
    helper = UserFactory(username="liming", name="李明", job_title="渠道经理", department=department)
    return {"department": department, "chair": chair, "recorder": recorder, "owner": owner, "helper": helper}
