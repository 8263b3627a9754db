"""The permission rules as people meet them in the browser.

1. The carry-over review: the recorder of this week's meeting may not change last week's published
   items, and the row says who may; the chair, who manages them, records one done.
2. A refused comment keeps every character typed, with the reason beside the box.
"""

import datetime

import pytest
from django.utils import timezone

from actions.models import ActionItem, Status
from meetings import lifecycle
from meetings import series as series_rules
from meetings.models import Decision, Meeting, MeetingSeries
from tests.browser.conftest import log_in
from tests.factories import make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def weekly(people):
    department, chair, recorder, owner = (people[k] for k in ("department", "chair", "recorder", "owner"))
    today = timezone.localdate()
    series = MeetingSeries.objects.create(
        title="市场部周例会",
        recurrence="weekly",
        weekday=today.weekday(),
        first_date=today - datetime.timedelta(days=7),
        start_time=datetime.time(9, 30),
        chair=chair,
        recorder=recorder,
        department=department,
    )
    series.participants.add(owner)
    first, _ = series_rules.series_create_next_meeting(
        series=series, by=recorder, day=today - datetime.timedelta(days=7)
    )
    decision = Decision.objects.create(meeting=first, number=1, text="同意第四季度渠道调整方案")
    item = make_action(lead=owner, meeting=first, title="两周内提交渠道优化方案")
    item.decisions.add(decision)
    lifecycle.meeting_start(meeting=first, by=recorder)
    lifecycle.meeting_submit(meeting=first, by=recorder)
    lifecycle.meeting_publish(meeting=first, by=chair, notify=False)
    second, _ = series_rules.series_create_next_meeting(series=series, by=recorder, day=today)
    Meeting.objects.filter(pk=second.pk).update(status=Meeting.Status.IN_PROGRESS)
    return {"second": second, "item": item}


def test_the_review_offers_each_person_only_what_the_item_allows(page, screenshot, weekly):
    second, item = weekly["second"], weekly["item"]
    log_in(page, "chenjing")
    page.goto(second.get_absolute_url() + "#review")
    row = page.locator("#review tr", has_text="两周内提交渠道优化方案")
    row.wait_for()
    assert row.get_by_text("由责任人或会议主持人更新").is_visible()
    assert not row.get_by_role("button", name="更新").count()
    screenshot(page, "trust-01-review-as-recorder")

    log_in(page, "zhangwei")
    page.goto(second.get_absolute_url() + "#review")
    row = page.locator("#review tr", has_text="两周内提交渠道优化方案")
    options = row.get_by_label("状态").locator("option").all_inner_texts()
    assert "已完成" in options and "已取消" in options
    row.get_by_label("状态").select_option(label="已完成")
    row.get_by_label("最新进展").fill("方案已提交,例会确认")
    row.get_by_role("button", name="更新").click()
    page.locator("#review tr", has_text="两周内提交渠道优化方案").get_by_text("已更新").wait_for()
    screenshot(page, "trust-02-review-as-chair")
    assert ActionItem.objects.get(pk=item.pk).status == Status.DONE


def test_a_refused_comment_keeps_what_was_typed(page, screenshot, weekly):
    second = weekly["second"]
    log_in(page, "wangfang")
    page.goto(second.get_absolute_url())
    text = "建议补充渠道费用明细。" * 220  # 2,420 characters
    box = page.get_by_label("发表评论")
    box.fill(text)
    page.get_by_role("button", name="发表").click()
    page.get_by_text("内容过长:最多 2000 字,当前 2420 字。").wait_for()
    assert page.get_by_label("发表评论").input_value() == text
    page.get_by_label("发表评论").scroll_into_view_if_needed()
    screenshot(page, "trust-03-comment-too-long")
