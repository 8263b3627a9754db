"""A manager downloads minutes too long to render during the request: the download link opens a page
whose progress bar a real Celery worker drives, then the PDF downloads from there."""

import pdfplumber
import pytest

from meetings import services
from tests.browser.conftest import log_in
from tests.browser.test_period_report import shared_media, worker  # noqa: F401 - fixtures
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory
from tests.integration.conftest import celery_worker, smtp_server, workers  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_long_minutes_render_in_the_background_and_download(worker, settings, page, screenshot, tmp_path):  # noqa: F811
    settings.MINUTES_BACKGROUND_PAGES = 3
    market = DepartmentFactory(name="市场部")
    head = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=market)
    market.head = head
    market.save()
    meeting = MeetingFactory(title="2026年度市场工作会议", chair=head, recorder=head, department=market)
    paragraph = "全年市场推广数据回顾,各渠道投放效果对比与线索转化分析。" * 10
    for n in range(6):
        item = services.agenda_item_add(meeting=meeting, title=f"第{n + 1}项:区域市场复盘", presenter=head)
        services.speaker_report_add(agenda_item=item, speaker=head, content="\n".join([paragraph] * 4))
    services.decision_add(meeting=meeting, text="明年线索有效率提升到30%")

    log_in(page, "zhangwei")
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="下载PDF").click()

    page.get_by_role("heading", name="会议纪要 PDF").wait_for()
    assert "由后台生成" in page.content()
    page.locator(".render-job").wait_for()
    screenshot(page, "long-minutes-01-progress")
    page.locator('.render-job[data-state="done"]').wait_for(timeout=90_000)
    screenshot(page, "long-minutes-02-done")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) > 3
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "《2026年度市场工作会议》会议纪要" in text and "明年线索有效率提升到30%" in text

    # Back on the meeting, the same link now finds the finished render and offers it at once.
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="下载PDF").click()
    page.locator('.render-job[data-state="done"]').wait_for()
