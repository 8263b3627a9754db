"""The demo's month-long weekly 例会 as a user sees it: the second meeting's review, and a published
meeting with its versions."""

from io import StringIO

import pytest
from django.core.management import call_command

from meetings.models import MeetingSeries

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_weekly_series_review_and_published_minutes(page, screenshot):
    call_command("load_demo", stdout=StringIO())
    meetings = list(MeetingSeries.objects.get(title="产品部周例会").meetings.order_by("starts_at"))
    page.goto("/")
    page.get_by_label("登录名").fill("huangting")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的行动项").wait_for()

    page.goto(meetings[1].get_absolute_url())
    review = page.locator("#review")
    assert review.get_by_text("输出会员中心原型(一期)").is_visible()
    assert review.get_by_text("与用户运营部统一工单分类口径").is_visible()
    assert review.locator("tr", has_text="与用户运营部统一工单分类口径").get_by_text("进行中").is_visible()
    review.scroll_into_view_if_needed()
    screenshot(page, "lifecycle-demo-01-second-meeting-review")

    page.goto(meetings[-1].get_absolute_url())
    assert page.locator("#published-banner").get_by_text("纪要已签发发布,内容已锁定。").is_visible()
    assert not page.locator("#agenda_form").count()
    screenshot(page, "lifecycle-demo-02-published")

    page.goto(meetings[0].series.get_absolute_url())
    assert page.get_by_text("每周一 10:00").is_visible()
    screenshot(page, "lifecycle-demo-03-series")
