"""工作落实报告 in the browser's terms: who may see which scope, the filters and their messages, the
render with its progress, and the downloads. The render itself runs here through reports.jobs.job_run,
the very function the Celery task calls (tests/integration runs it in a real worker)."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pdfplumber
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from actions import services
from meetings.models import Meeting, MeetingSeries
from reports import jobs
from reports.models import RenderJob
from tests.factories import DecisionFactory, MeetingFactory, UserFactory, make_action

URL = reverse("reports:period")
NOW = datetime.datetime(2026, 4, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def march_items(owner, chair, department, meeting):
    """市场部 in March 2026: two items due, one done on time, one overdue; plus one with a hostile title."""
    on_time = make_action(
        lead=owner, title="完成营销自动化系统选型", meeting=meeting, due_date=datetime.date(2026, 3, 10)
    )
    services.action_complete(action=on_time, by=owner, completed_at=NOW - datetime.timedelta(days=40))
    make_action(lead=owner, title="输出竞品动态简报", meeting=meeting, due_date=datetime.date(2026, 3, 20))
    make_action(
        lead=chair,
        title='=HYPERLINK("http://evil.example")<script>x</script>',
        due_date=datetime.date(2026, 3, 25),
    )


def march_query(department, **extra) -> dict:
    return {
        "scope": "department",
        "department": department.pk,
        "period": "month",
        "day": "2026-03-15",
        **extra,
    }


def render(client, query: dict):
    """Ask for the report, run its job as the worker would, and return (job, progress response)."""
    response = client.get(URL, query)
    assert response.status_code == 200
    job = response.context["job"]
    assert job.state == RenderJob.State.PENDING
    assert "排队等待后台处理" in response.content.decode()
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.DONE
    return job, client.get(reverse("reports:job_progress", args=[job.pk]))


def test_head_gets_the_department_report_with_figures_and_downloads(
    client_for, chair, department, march_items
):
    client = client_for(chair)
    job, progress = render(client, march_query(department, target="90"))
    html = progress.content.decode()
    assert "市场部 工作落实报告" in html
    assert "2026年3月" in html
    assert "33.3%" in html  # 1 of 3 due items on time
    assert "未达成" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert 'title="按时完成 ÷ 到期行动项' in html  # every figure carries its definition
    assert "hx-trigger" not in html.split("job-downloads")[0]  # finished: polling stops
    # The department table counts a department's items as the headline does, and says so.
    assert "与核心指标同一口径" in html and "只列出本部门(含下级部门)的人员和部门" in html

    pdf = client.get(reverse("reports:job_download", args=[job.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "工作落实报告" in text and "按时完成率" in text and "输出竞品动态简报" in text
    assert "第 1 页 / 共" in text

    xlsx = client.get(reverse("reports:job_download", args=[job.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames == ["概览", "按部门", "按责任人", "逾期事项", "会议统计", "周期事项", "趋势"]
    summary = {row[0]: row[1] for row in book["概览"].iter_rows(min_row=2, values_only=True)}
    assert summary["按时完成率"] == 33.3 and summary["到期行动项"] == 3
    overdue = list(book["逾期事项"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[2], row[5]) for row in overdue] == [
        ("输出竞品动态简报", "王芳", 26),
        ('\'=HYPERLINK("http://evil.example")<script>x</script>', "张伟", 21),
    ]


def test_spreadsheet_keeps_a_formula_like_title_as_text(client_for, chair, department, march_items):
    april = {"scope": "department", "department": department.pk, "period": "month", "day": "2026-04-15"}
    client = client_for(chair)
    job, _progress = render(client, april)
    xlsx = client.get(reverse("reports:job_download", args=[job.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    names = [row[0] for row in book["按责任人"].iter_rows(min_row=2, values_only=True)]
    assert set(names) == {"王芳", "张伟"}
    sheet = book["逾期事项"]
    assert all(not str(cell.value).startswith("=") for row in sheet.iter_rows() for cell in row if cell.value)


def test_the_same_report_over_the_same_data_renders_once(client_for, chair, department, owner, march_items):
    client = client_for(chair)
    job, _progress = render(client, march_query(department))
    again = client.get(URL, march_query(department))
    assert again.context["job"].pk == job.pk
    assert "下载 PDF" in again.content.decode()
    make_action(lead=owner, title="新的行动项", due_date=datetime.date(2026, 3, 31))
    changed = client.get(URL, march_query(department))
    assert changed.context["job"].pk != job.pk
    assert RenderJob.objects.count() == 2


def test_first_visit_shows_this_month_of_the_first_department_one_heads(client_for, chair, department):
    response = client_for(chair).get(URL)
    assert response.status_code == 200
    assert response.context["job"].params["department"] == department.pk
    assert response.context["job"].params["start"] == "2026-04-01"


def test_a_department_out_of_reach_is_404(client_for, chair, other_department):
    response = client_for(chair).get(URL, march_query(other_department))
    assert response.status_code == 404
    assert not RenderJob.objects.exists()
    # The page says why, in the user's words; a plain 404 (a mistyped id) keeps the generic page.
    assert "部门不存在,或不在您的查看范围内。" in response.text
    plain = client_for(chair).get("/no-such-page/")
    assert plain.status_code == 404 and 'id="not-found-reason"' not in plain.text


def test_the_whole_organisation_is_for_staff(client_for, chair, department, march_items):
    assert client_for(chair).get(URL, {"scope": "organisation", "period": "month"}).status_code == 404
    staff = UserFactory(is_staff=True)
    response = client_for(staff).get(URL, {"scope": "organisation", "period": "year", "day": "2026-01-01"})
    assert response.status_code == 200
    assert response.context["job"].params["start"] == "2026-01-01"


def test_people_who_head_nothing_get_a_clear_403(client_for, owner):
    response = client_for(owner).get(URL)
    assert response.status_code == 403


def test_a_series_report_for_its_chair(client_for, chair, department):
    series = MeetingSeries.objects.create(title="市场部周例会", department=department, chair=chair)
    meeting = MeetingFactory(series=series, starts_at=NOW - datetime.timedelta(days=30))
    make_action(lead=chair, meeting=meeting, title="系列会议的行动项", due_date=datetime.date(2026, 3, 2))
    job, progress = render(
        client_for(chair), {"scope": "series", "series": series.pk, "period": "month", "day": "2026-03-01"}
    )
    assert "市场部周例会 工作落实报告" in progress.content.decode()
    assert "系列会议的行动项" in progress.content.decode()
    other = MeetingSeries.objects.create(title="研发例会")
    outsider_series = {"scope": "series", "series": other.pk, "period": "month"}
    assert client_for(chair).get(URL, outsider_series).status_code == 404


def test_a_series_report_leaves_out_what_its_reader_may_not_see(
    client_for, chair, department, other_department, outsider
):
    """张伟 chairs a series of 研发一部: a 机密 meeting of it he neither chaired nor attended, and a
    confidential decision of a meeting he may read, stay out of his report (meetings.policy), and the
    report rendered for him is his alone; staff see everything."""
    series = MeetingSeries.objects.create(title="研发例会", department=other_department, chair=chair)
    march = NOW - datetime.timedelta(days=40)
    own = MeetingFactory(series=series, chair=chair, department=other_department, starts_at=march)
    secret = MeetingFactory(
        series=series, chair=outsider, department=other_department, starts_at=march, is_confidential=True
    )
    readable = MeetingFactory(
        series=series,
        chair=outsider,
        department=other_department,
        starts_at=march,
        visibility=Meeting.Visibility.ORGANISATION,
    )
    make_action(lead=chair, meeting=own, title="普通行动项", due_date=datetime.date(2026, 3, 2))
    make_action(lead=outsider, meeting=secret, title="机密会议的行动项", due_date=datetime.date(2026, 3, 3))
    hidden = make_action(
        lead=outsider, meeting=readable, title="机密决议的行动项", due_date=datetime.date(2026, 3, 4)
    )
    DecisionFactory(meeting=readable, is_confidential=True).action_items.add(hidden)
    query = {"scope": "series", "series": series.pk, "period": "month", "day": "2026-03-01"}

    job, progress = render(client_for(chair), query)
    html = progress.content.decode()
    assert "普通行动项" in html
    assert "机密会议的行动项" not in html and "机密决议的行动项" not in html
    assert "1 / 1 项逾期" in html
    xlsx = client_for(chair).get(reverse("reports:job_download", args=[job.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert [row[1] for row in book["逾期事项"].iter_rows(min_row=2, values_only=True)] == ["普通行动项"]

    # 研发一部's head reaches the series too, but not a report rendered for someone else's eyes.
    other_department.head = outsider
    other_department.save()
    assert client_for(outsider).get(reverse("reports:job_progress", args=[job.pk])).status_code == 404
    staff = UserFactory(is_staff=True)
    assert client_for(staff).get(reverse("reports:job_progress", args=[job.pk])).status_code == 200
    _job, everything = render(client_for(staff), query)
    assert "机密会议的行动项" in everything.content.decode() and "3 / 3 项逾期" in everything.content.decode()


def test_end_before_start_is_refused_and_the_dates_stay(client_for, chair, department):
    query = march_query(department, period="custom", start="2026-05-01", end="2026-04-01")
    response = client_for(chair).get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "结束日期不能早于开始日期。" in html
    assert 'value="2026-05-01"' in html and 'value="2026-04-01"' in html
    assert not RenderJob.objects.exists()


def test_a_period_over_five_years_is_refused(client_for, chair, department):
    query = march_query(department, period="custom", start="2020-01-01", end="2025-12-31")
    response = client_for(chair).get(URL, query)
    assert response.status_code == 400
    assert "统计期间不能超过 5 年" in response.content.decode()
    fine = client_for(chair).get(
        URL, march_query(department, period="custom", start="2021-04-16", end="2026-04-15")
    )
    assert fine.status_code == 200


def test_bad_target_and_missing_dates_get_chinese_messages(client_for, chair, department):
    response = client_for(chair).get(URL, march_query(department, period="custom", target="120"))
    html = response.content.decode()
    assert "目标应在 0 到 100 之间。" in html
    assert "自定义期间请填写开始日期。" in html


def test_someone_else_cannot_open_a_job_or_its_files(
    client_for, chair, department, outsider, other_department, march_items
):
    job, _progress = render(client_for(chair), march_query(department))
    other_department.head = outsider
    other_department.save()
    client = client_for(outsider)
    assert client.get(reverse("reports:job_progress", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:job_download", args=[job.pk, "pdf"])).status_code == 404
    assert client.post(reverse("reports:job_retry", args=[job.pk])).status_code == 404


def test_a_failed_render_says_so_keeps_no_file_and_can_be_retried(
    client_for, chair, department, march_items, monkeypatch
):
    client = client_for(chair)
    response = client.get(URL, march_query(department))
    job = response.context["job"]

    def broken_renderer(html):
        raise OSError("No space left on device")

    monkeypatch.setattr("reports.period.render_pdf", broken_renderer)
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.FAILED
    job.refresh_from_db()
    assert job.outputs == {}
    assert not default_storage.exists(f"renders/{job.pk}")
    progress = client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()
    assert "生成失败" in progress and "重试" in progress

    monkeypatch.undo()
    retried = client.post(reverse("reports:job_retry", args=[job.pk]))
    assert retried.status_code == 200
    job.refresh_from_db()
    assert job.state == RenderJob.State.PENDING and job.error == ""
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.DONE
    assert "下载 PDF" in client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()


def test_running_a_job_twice_renders_once(client_for, chair, department):
    job = client_for(chair).get(URL, march_query(department)).context["job"]
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.DONE
    finished = RenderJob.objects.get(pk=job.pk).finished_at
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.DONE
    assert RenderJob.objects.get(pk=job.pk).finished_at == finished


def test_the_progress_shows_the_current_step(client_for, chair, department):
    client = client_for(chair)
    job = client.get(URL, march_query(department)).context["job"]
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.RUNNING, progress=60, step="绘制图表")
    html = client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()
    assert "绘制图表" in html and "60%" in html and "hx-trigger" in html


def test_heads_find_the_report_in_the_navigation(client_for, chair, owner):
    assert "工作落实报告" in client_for(chair).get(reverse("actions:my")).content.decode()
    assert "工作落实报告" not in client_for(owner).get(reverse("actions:my")).content.decode()


def test_job_rows_are_unique_per_live_key(chair):
    params = {"scope": "organisation", "today": timezone.localdate().isoformat()}
    first = jobs.job_request(kind="period_report", params=params, user=chair, data_version="v1")
    second = jobs.job_request(kind="period_report", params=params, user=chair, data_version="v1")
    third = jobs.job_request(kind="period_report", params=params, user=chair, data_version="v2")
    assert first.pk == second.pk != third.pk


def test_a_render_over_the_time_limit_says_so(client_for, chair, department, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    client = client_for(chair)
    job = client.get(URL, march_query(department)).context["job"]

    def too_slow(html):
        raise SoftTimeLimitExceeded  # what Celery raises in the task when the soft limit passes

    monkeypatch.setattr("reports.period.render_pdf", too_slow)
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.FAILED
    html = client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()
    assert f"生成超时:超过了 {jobs.TIME_LIMIT} 秒的时间限制" in html and "重试" in html
