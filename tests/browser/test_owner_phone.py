"""An owner on a phone (390×844): acts on items from 我的行动项 in place (htmx), and from an item's
link in two taps."""

import datetime

import pytest
from django.utils import timezone

from actions.models import ProgressEntry, Status
from tests.browser.conftest import log_in
from tests.factories import DecisionFactory, DepartmentFactory, MeetingFactory, UserFactory, make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def owner_items():
    department = DepartmentFactory(name="市场部")
    owner = UserFactory(username="wangfang", name="王芳", job_title="市场专员", department=department)
    head = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=department)
    meeting = MeetingFactory(title="市场部第12次周例会", chair=head, department=department)
    decision = DecisionFactory(meeting=meeting, number=1, text="加大线上渠道投入")
    today = timezone.localdate()
    report = make_action(
        lead=owner, supports=[head], meeting=meeting, title="提交渠道优化方案", due_date=today
    )
    report.decisions.add(decision)
    campaign = make_action(
        lead=owner, meeting=meeting, title="策划3场行业直播", due_date=today + datetime.timedelta(days=20)
    )
    late = make_action(
        lead=owner, meeting=meeting, title="更新产品手册", due_date=today - datetime.timedelta(days=3)
    )
    return owner, report, campaign, late


def test_owner_marks_done_and_sets_progress_in_place_on_a_phone(phone, owner_items, screenshot):
    owner, report, campaign, late = owner_items
    log_in(phone, "wangfang")
    assert phone.locator("#overdue").get_by_text("逾期3天").is_visible()
    screenshot(phone, "phone-01-my-actions")
    # A full page load would drop this marker: the rows must change in place.
    phone.evaluate("window.stillSamePage = true")

    row = phone.locator(f"#action-{report.pk}")
    row.get_by_placeholder("完成说明(可选)").fill("方案已发张总")
    row.get_by_role("button", name="标记完成").tap()
    row.get_by_text("已标记为完成").wait_for()
    assert row.get_by_text("已完成", exact=True).is_visible()
    assert row.get_by_role("button", name="标记完成").count() == 0
    report.refresh_from_db()
    assert report.status == Status.DONE
    assert ProgressEntry.objects.filter(action=report, note="方案已发张总").exists()

    row = phone.locator(f"#action-{campaign.pk}")
    row.get_by_text("更新进度").tap()
    row.get_by_label("进度(%)").fill("150")
    row.get_by_role("button", name="保存进度").tap()
    row.get_by_text("进度应在 0 到 100 之间").wait_for()
    assert row.get_by_label("进度(%)").input_value() == "150"  # what was typed stays
    screenshot(phone, "phone-02-progress-error")
    campaign.refresh_from_db()
    assert campaign.progress == 0

    row.get_by_label("进度(%)").fill("60")
    row.get_by_role("button", name="保存进度").tap()
    row.get_by_text("进度已更新为 60%").wait_for()
    assert row.locator(".progress-value").inner_text() == "60%"
    campaign.refresh_from_db()
    assert campaign.progress == 60 and campaign.status == Status.IN_PROGRESS
    assert phone.evaluate("window.stillSamePage") is True
    assert phone.url.endswith("/actions/")
    screenshot(phone, "phone-03-after-changes")


def test_owner_completes_from_the_item_link_in_two_taps(phone, owner_items, screenshot):
    owner, report, campaign, late = owner_items
    log_in(phone, "wangfang")
    phone.goto(late.get_absolute_url())
    button = phone.get_by_role("button", name="标记完成")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], "the main action must show without scrolling"
    screenshot(phone, "phone-04-item-page")

    phone.get_by_text("更新进度").tap()  # first tap opens the form …
    phone.get_by_label("进度(%)").fill("80")
    phone.get_by_role("button", name="保存进度").tap()  # … the second saves
    phone.get_by_text("进度已更新为 80%").wait_for()
    button = phone.get_by_role("button", name="标记完成")
    button.tap()
    phone.get_by_text("已标记为完成").wait_for()
    screenshot(phone, "phone-05-item-done")
    late.refresh_from_db()
    assert late.status == Status.DONE and late.completed_by == owner
    assert late.completed_on_time is False
