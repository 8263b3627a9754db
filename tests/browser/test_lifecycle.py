"""The meeting lifecycle as people click it:
1. create a weekly series, create the next meeting, update two carried-over items in the review;
2. submit for approval, approve and publish, and see that the minutes are locked."""

import datetime

import pytest
from django.utils import timezone

from actions.models import ActionItem, ProgressEntry, Status
from meetings.models import Attendance, Decision, Meeting, MeetingSeries
from tests.browser.conftest import log_in
from tests.factories import MeetingFactory, make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_weekly_series_next_meeting_and_review(page, screenshot, people):
    log_in(page, "chenjing")
    page.goto("/meetings/series/new/")
    page.get_by_label("名称").fill("市场部周例会")
    page.get_by_label("组织部门").select_option(label="市场部")
    page.get_by_label("默认主持人").select_option(label="张伟(市场部经理)")
    page.get_by_label("默认记录人").select_option(label="陈静(市场助理)")
    page.get_by_label("默认参会人员").select_option(label=["王芳(市场专员)", "李明(渠道经理)"])
    page.get_by_label("重复规则").select_option(label="每周")
    page.get_by_label("星期几").select_option(label="周一")
    today = timezone.localdate()
    first_monday = today + datetime.timedelta(days=7 - today.weekday())
    page.get_by_label("首次会议日期").fill(first_monday.isoformat())
    page.get_by_label("默认开始时间").fill("09:30")
    page.get_by_label("默认地点").fill("3楼大会议室")
    page.get_by_label("模板议程").fill("各组工作汇报\n下周工作安排")
    screenshot(page, "lifecycle-01-new-series")
    page.get_by_role("button", name="保存系列").click()
    page.get_by_text("会议系列已创建").wait_for()
    assert page.get_by_text("每周一 09:30").is_visible()

    page.get_by_role("button", name="创建下次会议").click()
    page.get_by_text("已创建下次会议").wait_for()
    first = Meeting.objects.get()
    # A week passes: the first meeting has been held.
    held = timezone.localtime(first.starts_at - datetime.timedelta(days=7))
    Meeting.objects.filter(pk=first.pk).update(
        starts_at=held,
        ends_at=held + datetime.timedelta(hours=1),
        title=f"市场部周例会({held.month}月{held.day}日)",
    )
    # What the first meeting decided: two items that carry into the next one.
    make_action(lead=people["owner"], meeting=first, title="两周内提交渠道优化方案")
    make_action(lead=people["helper"], meeting=first, title="完成经销商培训计划")

    page.goto(MeetingSeries.objects.get().get_absolute_url())
    page.get_by_role("button", name="创建下次会议").click()
    page.get_by_text("已创建下次会议").wait_for()
    second = Meeting.objects.exclude(pk=first.pk).get()
    assert page.url.endswith(second.get_absolute_url())
    review = page.locator("#review")
    assert review.get_by_text("两周内提交渠道优化方案").is_visible()
    assert review.get_by_text("完成经销商培训计划").is_visible()

    row = page.locator("tr", has_text="两周内提交渠道优化方案")
    row.get_by_label("进度(%)").fill("60")
    row.get_by_label("最新进展").fill("初稿已完成,待部门评审")
    row.get_by_role("button", name="更新").click()
    page.locator("tr", has_text="两周内提交渠道优化方案").get_by_text(
        "已更新,记入该事项的进展记录"
    ).wait_for()

    row = page.locator("tr", has_text="完成经销商培训计划")
    row.get_by_label("状态").select_option(label="已完成")
    row.get_by_label("最新进展").fill("培训计划已发布")
    row.get_by_role("button", name="更新").click()
    page.locator("tr", has_text="完成经销商培训计划").get_by_text("已更新").wait_for()
    screenshot(page, "lifecycle-02-review")

    first_item = ActionItem.objects.get(title="两周内提交渠道优化方案")
    second_item = ActionItem.objects.get(title="完成经销商培训计划")
    assert (first_item.status, first_item.progress) == (Status.IN_PROGRESS, 60)
    assert second_item.status == Status.DONE
    assert ProgressEntry.objects.filter(action=first_item, note="初稿已完成,待部门评审").exists()
    assert ProgressEntry.objects.filter(action=second_item, note="培训计划已发布").exists()
    # The page, reloaded, still shows the closed item: closed since the last meeting.
    page.reload()
    assert page.locator("tr", has_text="完成经销商培训计划").get_by_text("已完成").first.is_visible()


def test_submit_approve_publish_and_locked(page, screenshot, people):
    meeting = MeetingFactory(
        title="市场部第12次周例会",
        chair=people["chair"],
        recorder=people["recorder"],
        department=people["department"],
        status=Meeting.Status.IN_PROGRESS,
    )
    for role in ("chair", "recorder", "owner"):
        Attendance.objects.create(
            meeting=meeting, user=people[role], role="participant" if role == "owner" else role
        )
    Decision.objects.create(meeting=meeting, number=1, text="同意第四季度渠道调整方案")

    log_in(page, "chenjing")
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="提交审批").click()
    page.get_by_text("纪要已提交审批").first.wait_for()
    assert not page.locator("#agenda_form").count()  # the recorder can no longer edit

    log_in(page, "zhangwei")
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="批准并签发").click()
    page.get_by_text("纪要已签发发布(版本 v1)").wait_for()
    banner = page.locator("#published-banner")
    assert banner.get_by_text("纪要已签发发布,内容已锁定。").is_visible()
    assert "张伟" in banner.inner_text()
    assert not page.locator("#agenda_form").count()
    assert not page.get_by_role("button", name="提交审批").count()
    assert page.get_by_role("link", name="发布版本").is_visible()
    screenshot(page, "lifecycle-03-published")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.versions.get().published_by == people["chair"]
