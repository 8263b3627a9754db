"""A department head finds what is overdue in their department and downloads it as an Excel file."""

import datetime

import openpyxl
import pytest
from django.utils import timezone

from actions.models import DeadlineChange, Status
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_filters_overdue_items_and_exports_them(page, screenshot):
    today = timezone.localdate()
    market = DepartmentFactory(name="市场部")
    east = DepartmentFactory(name="华东区", parent=market)
    research = DepartmentFactory(name="研发一部")
    head = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=market)
    market.head = head
    market.save()
    wangfang = UserFactory(username="wangfang", name="王芳", department=market)
    liuyang = UserFactory(username="liuyang", name="刘洋", department=east)
    zhaolei = UserFactory(username="zhaolei", name="赵磊", department=research)
    meeting = MeetingFactory(title="市场部第12次周例会", chair=head)

    late = make_action(
        lead=wangfang, title="提交竞品分析", meeting=meeting, due_date=today - datetime.timedelta(days=5)
    )
    DeadlineChange.objects.create(
        action=late, new_due_date=late.due_date, reason="数据未到", state=DeadlineChange.State.APPROVED
    )
    make_action(
        lead=liuyang, title="华东区渠道走访", meeting=meeting, due_date=today - datetime.timedelta(days=1)
    )
    make_action(
        lead=wangfang, title="下周的推广计划", meeting=meeting, due_date=today + datetime.timedelta(days=6)
    )
    make_action(
        lead=wangfang, title="已完成的物料", due_date=today - datetime.timedelta(days=9), status=Status.DONE
    )
    make_action(lead=zhaolei, title="研发部的逾期事项", due_date=today - datetime.timedelta(days=3))

    page.goto("/login/")
    page.get_by_label("登录名").fill("zhangwei")
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="部门行动项").click()
    page.get_by_role("heading", name="部门行动项").wait_for()
    table = page.locator("table.manage-table tbody")
    assert table.locator("tr").count() == 4
    assert "研发部的逾期事项" not in page.content()
    screenshot(page, "department-01-all")

    page.get_by_label("只看逾期").check()
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**overdue=on**")
    rows = table.locator("tr")
    assert rows.count() == 2
    assert sorted(rows.locator("td:nth-child(2) a").all_inner_texts()) == ["华东区渠道走访", "提交竞品分析"]
    assert page.locator(f"#row-{late.pk}").get_by_text("延期 1 次").is_visible()
    assert page.locator("#top-postponers").get_by_text("王芳").is_visible()
    screenshot(page, "department-02-overdue")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename == f"部门行动项-{today.isoformat()}.xlsx"
    with open(download.path(), "rb") as file:
        sheet = openpyxl.load_workbook(file).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "事项", "来源会议")
    assert sorted(row[1] for row in rows[1:]) == ["华东区渠道走访", "提交竞品分析"]
    assert all(row[9] == "是" for row in rows[1:])
    assert all(isinstance(row[6], datetime.datetime) for row in rows[1:])

    # Bulk: tick one row, ask to move its deadline, see the confirmation step.
    page.locator(f"#row-{late.pk}").get_by_role("checkbox").check()
    page.get_by_label("批量操作").select_option(label="修改完成时限")
    page.get_by_label("新完成时限").fill((today + datetime.timedelta(days=10)).isoformat())
    page.get_by_label("原因").fill("客户数据延后到下周")
    page.get_by_role("button", name="批量处理…").click()
    page.get_by_role("heading", name="确认批量处理").wait_for()
    screenshot(page, "department-03-bulk-confirm")
    page.get_by_role("button", name="确认执行").click()
    page.get_by_text("1 项已处理。").wait_for()
    assert "overdue=on" in page.url
    screenshot(page, "department-04-after-bulk")
    late.refresh_from_db()
    assert late.due_date == today + datetime.timedelta(days=10)

    # A hand-edited URL with a malformed date and day count: messages next to the filters, no crash.
    page.goto("/actions/department/?due_from=2026-13-45&stale_days=abc&overdue=on")
    page.get_by_text("请填写 1 到 3650 之间的整数天数").wait_for()
    assert page.get_by_text("日期格式不正确").is_visible()
    assert page.locator("table.manage-table tbody tr").count() == 1
    screenshot(page, "department-05-bad-filters")

    # Cancelling without a reason: the step says what is missing, next to the field.
    page.goto("/actions/department/")
    page.locator("table.manage-table tbody tr", has_text="下周的推广计划").get_by_role("checkbox").check()
    page.get_by_label("批量操作").select_option(label="取消事项")
    page.get_by_role("button", name="批量处理…").click()
    page.get_by_text("修改完成时限或取消事项时请说明原因。").wait_for()
    screenshot(page, "department-06-bulk-missing-reason")
    page.get_by_label("原因").fill("项目终止")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认执行").click()
    page.get_by_text("1 项已处理。").wait_for()
