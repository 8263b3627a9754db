"""The period report's background render on a real Celery worker over real Redis and PostgreSQL: the
page polls until the worker is done, then serves the files the worker wrote."""

import datetime
import io
import time

import openpyxl
import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reports import jobs
from reports.models import RenderJob
from tests.factories import DepartmentFactory, UserFactory, make_action

pytestmark = pytest.mark.integration


@pytest.fixture
def render_media(tmp_path, settings, monkeypatch):
    """One media folder for this process and the worker it starts."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    return media


@pytest.fixture
def worker(render_media, celery_worker):
    return celery_worker


@pytest.fixture
def market(transactional_db):
    department = DepartmentFactory(name="市场部")
    head = UserFactory(username="zhangwei", name="张伟", department=department)
    department.head = head
    department.save()
    wangfang = UserFactory(name="王芳", department=department)
    today = timezone.localdate()
    make_action(lead=wangfang, title="提交竞品分析", due_date=today - datetime.timedelta(days=3))
    make_action(lead=wangfang, title="华东区渠道走访", due_date=today + datetime.timedelta(days=3))
    return department


def wait_for_state(client, job, states, timeout=90) -> tuple[str, list[str]]:
    """Poll the progress fragment like htmx does; return the final html and the states seen."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()
        state = html.split('data-state="', 1)[1].split('"', 1)[0]
        seen.append(state)
        if state in states:
            return html, seen
        time.sleep(0.3)
    pytest.fail(f"job stayed {seen[-1:]} for {timeout} s")


def test_worker_renders_the_report_and_the_page_serves_its_files(worker, client, market):
    client.force_login(market.head)
    response = client.get(
        reverse("reports:period"), {"scope": "department", "department": market.pk, "period": "month"}
    )
    job = response.context["job"]
    html, seen = wait_for_state(client, job, {"done", "failed"})
    assert seen[-1] == "done", html
    assert "下载 PDF" in html and "提交竞品分析" in html
    job.refresh_from_db()
    assert job.attempts == 1 and job.progress == 100
    assert set(job.outputs) == {"html", "pdf", "xlsx"}

    pdf = client.get(reverse("reports:job_download", args=[job.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(reverse("reports:job_download", args=[job.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert [row[1] for row in book["逾期事项"].iter_rows(min_row=2, values_only=True)] == ["提交竞品分析"]

    # Asking again over the same data reuses the finished render.
    again = client.get(
        reverse("reports:period"), {"scope": "department", "department": market.pk, "period": "month"}
    )
    assert again.context["job"].pk == job.pk
    assert RenderJob.objects.count() == 1


def test_worker_renders_long_minutes_and_the_download_link_serves_them(worker, client, market, settings):
    from meetings import services
    from tests.factories import MeetingFactory

    settings.MINUTES_BACKGROUND_PAGES = 1  # this meeting counts as long
    meeting = MeetingFactory(
        title="市场部季度复盘会", chair=market.head, recorder=market.head, department=market
    )
    item = services.agenda_item_add(meeting=meeting, title="季度指标回顾")
    services.speaker_report_add(agenda_item=item, speaker=market.head, content="线索转化分析。" * 400)
    services.decision_add(meeting=meeting, text="下季度线索有效率提升到30%")
    client.force_login(market.head)
    response = client.get(reverse("reports:minutes_pdf", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/html")
    job = response.context["job"]
    html, seen = wait_for_state(client, job, {"done", "failed"})
    assert seen[-1] == "done", html
    assert "下载 PDF" in html
    pdf = client.get(reverse("reports:job_download", args=[job.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_render_that_fails_in_the_worker_is_reported_in_chinese(worker, market):
    params = {
        "scope": "department",
        "department": 987654,  # gone by the time the worker runs
        "series": None,
        "period": "month",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "target": None,
        "language": "zh-hans",
        "today": "2026-04-15",
    }
    job = jobs.job_request(kind="period_report", params=params, user=market.head, data_version="x")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.state == RenderJob.State.FAILED
    assert jobs.error_message(job).startswith("生成失败")
    assert job.outputs == {}


@pytest.fixture
def no_worker(monkeypatch):
    """The broker answers but no worker listens: a Redis database nobody else uses."""
    from config.celery import app

    url = "redis://127.0.0.1:6379/13"
    monkeypatch.setattr(app.conf, "broker_url", url)
    monkeypatch.setattr(app, "_pool", None)
    cache.delete("reports:workers-alive")
    yield
    cache.delete("reports:workers-alive")
    # The queued message will never be consumed: leave the database as we found it.
    redis.Redis.from_url(url).flushdb()


def test_the_page_says_when_no_worker_is_running(no_worker, client, market, settings):
    settings.REPORT_WORKER_GRACE = 5
    client.force_login(market.head)
    response = client.get(
        reverse("reports:period"), {"scope": "department", "department": market.pk, "period": "month"}
    )
    job = response.context["job"]
    assert "后台服务" not in response.content.decode()  # just queued: no alarm yet
    RenderJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=30))
    html = client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()
    assert "后台服务(Celery worker)当前没有运行" in html
    assert 'hx-trigger="load delay:5s"' in html  # keeps checking, more slowly
