"""A department head opens last month's 工作落实报告, watches the progress bar finish (a real Celery
worker renders it), and downloads the PDF and the Excel file."""

import datetime
import io
import subprocess
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from django.utils import timezone

from actions import services
from tests.browser.conftest import log_in
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.integration.conftest import celery_worker, smtp_server, workers  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(tmp_path, settings, monkeypatch):
    """The live server and the worker it talks to write and read one media folder."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    return media


@pytest.fixture
def worker(shared_media, celery_worker):  # noqa: F811 - the fixture imported above
    return celery_worker


def last_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


@pytest.fixture
def market():
    """市场部 (with 华东区 below it) and 研发一部, with last month's items: 5 of 8 due done on time."""
    today = timezone.localdate()
    start, _end = last_month(today)
    created = datetime.datetime.combine(start, datetime.time(9), tzinfo=timezone.get_current_timezone())
    market = DepartmentFactory(name="市场部")
    east = DepartmentFactory(name="华东区", parent=market)
    research = DepartmentFactory(name="研发一部")
    head = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=market)
    market.head = head
    market.save()
    wangfang = UserFactory(name="王芳", department=market)
    liuyang = UserFactory(name="刘洋", department=east)
    zhaolei = UserFactory(name="赵磊", department=research)
    meeting = MeetingFactory(
        title="市场部第12次周例会", chair=head, department=market, starts_at=timezone.now()
    )
    rows = [
        (wangfang, "完成营销自动化系统选型", 3, 0),
        (wangfang, "输出竞品动态简报", 8, 0),
        (wangfang, "优化官网落地页", 12, 2),
        (liuyang, "华东区渠道走访", 5, 0),
        (liuyang, "华东区经销商大会筹备", 15, 0),
        (liuyang, "整理华东区客户反馈", 20, None),
        (head, "制定下半年推广预算", 25, 0),
        (head, "直播线索转化复盘", 27, None),
        (zhaolei, "研发部的事项", 10, None),
    ]
    for owner, title, day, late_by in rows:
        due = start + datetime.timedelta(days=day - 1)
        item = make_action(lead=owner, title=title, meeting=meeting, due_date=due)
        type(item).objects.filter(pk=item.pk).update(created_at=created)
        if late_by is not None:
            completed = datetime.datetime.combine(
                due + datetime.timedelta(days=late_by),
                datetime.time(15),
                tzinfo=timezone.get_current_timezone(),
            )
            services.action_complete(action=item, by=owner, completed_at=completed)
    return market


def test_head_watches_the_report_render_and_downloads_pdf_and_excel(worker, market, page, screenshot):
    start, end = last_month(timezone.localdate())
    log_in(page, "zhangwei")
    page.get_by_role("link", name="工作落实报告").click()
    page.get_by_role("heading", name="工作落实报告").wait_for()

    # The series picker and the custom dates hide until they apply.
    assert page.locator("[data-for=series]").is_hidden()
    assert page.locator("[data-for=start]").is_hidden()
    page.get_by_label("范围").select_option("department")
    page.get_by_label("部门", exact=True).select_option(str(market.pk))
    page.get_by_label("统计周期").select_option("month")
    page.get_by_label("所在日期").fill(start.replace(day=15).isoformat())
    page.get_by_label("按时完成率目标(%)").fill("90")
    page.get_by_role("button", name="生成报告").click()

    page.locator(".render-job .progress").wait_for()
    screenshot(page, "period-01-progress")
    page.locator('.render-job[data-state="done"]').wait_for(timeout=90_000)
    report = page.locator("#period-report")
    assert "市场部(含下级部门) 工作落实报告" in report.inner_text()
    assert page.locator('[data-metric="on_time_rate"] .headline-value').inner_text() == "62.5%"  # 5 / 8
    assert "未达成" in report.inner_text()
    assert page.locator("#chart-on-time svg").count() == 1
    assert "研发部的事项" not in page.content()
    page.locator('[data-metric="on_time_rate"] .figure-help').hover()
    page.locator(".tooltip").wait_for()
    assert "按时完成 ÷ 到期行动项" in page.locator(".tooltip").inner_text()
    screenshot(page, "period-02-report")

    folder = Path(screenshot(page, "period-03-done")).parent
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="下载 PDF").click()
    pdf_path = folder / "period-report.pdf"
    pdf_download.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        first = pdf.pages[0].extract_text()
    assert "工作落实报告" in first and "62.5%" in first
    # Page 1 as a picture, for a person to look at.
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(folder / "period-pdf-page1"),
        ],
        check=True,
    )
    assert (folder / "period-pdf-page1.png").stat().st_size > 10_000

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="下载 Excel").click()
    xlsx_path = folder / "period-report.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    book = openpyxl.load_workbook(xlsx_path)
    assert "按部门" in book.sheetnames
    departments = {row[0]: row for row in book["按部门"].iter_rows(min_row=2, values_only=True)}
    assert set(departments) == {"市场部", "华东区"}
    assert departments["华东区"][5] == 66.7  # 华东区: 2 of 3 due on time, 1 still open and late
    assert end.month == start.month
