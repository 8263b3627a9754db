"""The thin path through the product, as a user clicks it: log in, create a meeting, add an action item,
mark it done from 我的行动项, download the PDF."""

import datetime

import pytest
from django.utils import timezone

from actions.models import ActionItem, Status
from meetings.models import Meeting
from tests.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_minutes_to_done_action_to_pdf(page, screenshot):
    department = DepartmentFactory(name="市场部")
    UserFactory(username="wangfang", name="王芳", job_title="市场专员", department=department)
    UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=department)

    page.goto("/")
    assert "/login/" in page.url
    page.get_by_label("登录名").fill("wangfang")
    page.get_by_label("密码").fill("pass-1234")
    screenshot(page, "01-login")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的行动项").wait_for()
    assert "您目前没有待完成的行动项" in page.content()

    page.get_by_role("link", name="会议", exact=True).click()
    page.get_by_role("link", name="新建会议").first.click()
    page.get_by_label("会议名称").fill("市场部第12次周例会")
    page.get_by_label("会议类型").select_option(label="例会")
    start = timezone.localtime() - datetime.timedelta(hours=1)
    page.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("会议地点").fill("3楼大会议室")
    page.get_by_label("主持人").select_option(label="张伟(市场部经理)")
    page.get_by_label("组织部门").select_option(label="市场部")
    page.get_by_label("会议背景与目的").fill("回顾上周推广进展,部署下周工作。")
    screenshot(page, "02-new-meeting")
    page.get_by_role("button", name="创建会议").click()
    page.get_by_role("heading", name="市场部第12次周例会").wait_for()
    meeting = Meeting.objects.get()

    page.locator("#action_form summary").click()
    form = page.locator("#action_form form")
    form.get_by_label("事项").fill("两周内提交渠道优化方案")
    form.get_by_label("牵头人").select_option(label="王芳(市场专员)")
    form.get_by_label("完成时限", exact=True).fill(
        (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    )
    form.get_by_label("时限原文").fill("两周内")
    form.get_by_role("button", name="添加行动项").click()
    page.get_by_text("已添加行动项。").wait_for()
    assert page.get_by_role("link", name="两周内提交渠道优化方案").is_visible()
    screenshot(page, "03-meeting-with-action")

    page.get_by_role("link", name="我的行动项").click()
    row = page.locator(".action-row", has_text="两周内提交渠道优化方案")
    assert row.get_by_text("还有14天").is_visible()
    screenshot(page, "04-my-actions")
    row.get_by_placeholder("完成说明(可选)").fill("方案已提交张总")
    row.get_by_role("button", name="标记完成").click()
    page.get_by_text("已标记为完成").wait_for()
    assert page.locator("#completed").is_visible()
    screenshot(page, "05-marked-done")
    action = ActionItem.objects.get()
    assert action.status == Status.DONE
    assert action.progress_entries.filter(note="方案已提交张总").exists()

    page.goto(meeting.get_absolute_url())
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载PDF").click()
    path = download_info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
