"""A manager opens a meeting and downloads its minutes as PDF and as Word."""

import datetime
import io

import docx
import pdfplumber
import pytest

from meetings import services
from meetings.models import Attendance
from tests.browser.conftest import log_in
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_downloads_the_minutes_as_pdf_and_docx(page, screenshot, tmp_path):
    market = DepartmentFactory(name="市场部")
    head = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=market)
    market.head = head
    market.save()
    wangfang = UserFactory(username="wangfang", name="王芳", job_title="市场专员", department=market)
    meeting = MeetingFactory(title="市场部第12次周例会", chair=head, recorder=head, department=market)
    Attendance.objects.create(meeting=meeting, user=wangfang)
    item = services.agenda_item_add(meeting=meeting, title="上半年市场推广回顾", presenter=wangfang)
    services.speaker_report_add(agenda_item=item, speaker=wangfang, content="全网累计曝光量超过500万次")
    decision = services.decision_add(meeting=meeting, text="上线营销自动化工具")
    action = make_action(
        lead=wangfang, supports=[head], meeting=meeting, title="完成营销自动化系统选型",
        due_date=datetime.date(2030, 4, 15),
    )  # fmt: skip
    action.decisions.add(decision)

    log_in(page, "zhangwei")
    page.goto(meeting.get_absolute_url())
    page.get_by_role("heading", name="市场部第12次周例会").wait_for()
    screenshot(page, "minutes-download-01-meeting")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="下载PDF").click()
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.suffix == ".pdf"
    with pdfplumber.open(pdf_path) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "《市场部第12次周例会》会议纪要" in text and "上线营销自动化工具" in text

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="下载Word").click()
    assert docx_download.value.suggested_filename.endswith(".docx")
    docx_path = tmp_path / docx_download.value.suggested_filename
    docx_download.value.save_as(docx_path)
    document = docx.Document(io.BytesIO(docx_path.read_bytes()))
    titles = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(title.startswith("完成营销自动化系统选型") for title in titles)
    assert any(p.style.name == "Heading 1" and "行动项" in p.text for p in document.paragraphs)

    # The print view is the same document, for the browser's print dialog.
    with page.expect_popup() as popup:
        page.get_by_role("link", name="打印预览").click()
    preview = popup.value
    preview.get_by_role("heading", name="《市场部第12次周例会》会议纪要").wait_for()
    assert preview.get_by_role("button", name="打印").is_visible()
    screenshot(preview, "minutes-download-02-print-view")
