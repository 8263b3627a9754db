"""Old and abandoned background renders are deleted, files first, by a daily task (reports.jobs.cleanup)."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from reports import jobs
from reports.models import RenderJob

NOW = datetime.datetime(2026, 4, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
State = RenderJob.State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_RENDER_KEEP_DAYS = 7


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


def make_job(*, state, created, started=None, finished=None, files=("report.pdf", "report.xlsx")):
    """A job with its outputs really stored under renders/<id>/, as job_run() leaves them."""
    job = RenderJob.objects.create(
        kind="period_report",
        params={},
        cache_key=uuid.uuid4().hex,
        state=state,
        created_at=created,
        started_at=started,
        finished_at=finished,
    )
    outputs = {}
    for filename in files:
        name = default_storage.save(f"renders/{job.pk}/{filename}", ContentFile(b"content"))
        outputs[filename] = {"name": name, "filename": filename, "content_type": "x", "size": 7}
    RenderJob.objects.filter(pk=job.pk).update(outputs=outputs)
    job.refresh_from_db()
    return job


def stored_names(job) -> list[str]:
    return [meta["name"] for meta in job.outputs.values()]


def exists(job) -> bool:
    return RenderJob.objects.filter(pk=job.pk).exists()


def test_a_render_done_eight_days_ago_is_deleted_with_its_files():
    job = make_job(
        state=State.DONE, created=ago(days=8, minutes=2), started=ago(days=8, minutes=1), finished=ago(days=8)
    )
    assert jobs.cleanup() == {"jobs": 1, "files": 2}
    assert not exists(job)
    assert not any(default_storage.exists(name) for name in stored_names(job))
    assert not default_storage.exists(f"renders/{job.pk}")


def test_a_failed_render_is_deleted_after_the_same_time():
    job = make_job(state=State.FAILED, created=ago(days=9), finished=ago(days=8), files=())
    assert jobs.cleanup() == {"jobs": 1, "files": 0}
    assert not exists(job)


def test_a_render_done_six_days_ago_is_kept():
    job = make_job(state=State.DONE, created=ago(days=6, minutes=1), finished=ago(days=6))
    assert jobs.cleanup() == {"jobs": 0, "files": 0}
    assert exists(job)
    assert all(default_storage.exists(name) for name in stored_names(job))


def test_keep_days_follows_the_setting(settings):
    settings.REPORT_RENDER_KEEP_DAYS = 3
    job = make_job(state=State.DONE, created=ago(days=4, minutes=1), finished=ago(days=4))
    assert jobs.cleanup() == {"jobs": 1, "files": 2}
    assert not exists(job)


def test_a_render_running_for_a_minute_is_kept_even_after_a_day_in_the_queue():
    fresh = make_job(state=State.RUNNING, created=ago(minutes=2), started=ago(minutes=1), files=())
    queued_long = make_job(state=State.RUNNING, created=ago(days=2), started=ago(minutes=1), files=())
    assert jobs.cleanup() == {"jobs": 0, "files": 0}
    assert exists(fresh) and exists(queued_long)


def test_a_render_queued_two_days_ago_is_abandoned_and_deleted():
    job = make_job(state=State.PENDING, created=ago(days=2), files=())
    assert jobs.cleanup() == {"jobs": 1, "files": 0}
    assert not exists(job)


def test_a_render_left_running_by_a_dead_worker_is_deleted_with_its_unrecorded_files():
    job = make_job(state=State.RUNNING, created=ago(days=2), started=ago(days=2), files=())
    default_storage.save(f"renders/{job.pk}/half-written.pdf", ContentFile(b"%PDF"))
    assert jobs.cleanup() == {"jobs": 1, "files": 1}
    assert not exists(job)
    assert not default_storage.exists(f"renders/{job.pk}")


def test_a_pending_render_from_an_hour_ago_is_kept():
    job = make_job(state=State.PENDING, created=ago(hours=1), files=())
    assert jobs.cleanup() == {"jobs": 0, "files": 0}
    assert exists(job)


def test_a_render_whose_files_are_already_gone_is_deleted_without_error():
    job = make_job(state=State.DONE, created=ago(days=10), finished=ago(days=10))
    for name in stored_names(job):
        default_storage.delete(name)
    default_storage.delete(f"renders/{job.pk}")
    assert jobs.cleanup() == {"jobs": 1, "files": 0}
    assert not exists(job)


def test_the_counts_add_up_over_several_batches(monkeypatch):
    monkeypatch.setattr(jobs, "CLEANUP_BATCH", 2)
    old = [make_job(state=State.DONE, created=ago(days=30), finished=ago(days=30)) for _ in range(5)]
    kept = make_job(state=State.DONE, created=ago(days=1), finished=ago(days=1))
    abandoned = make_job(state=State.PENDING, created=ago(days=3), files=())
    assert jobs.cleanup() == {"jobs": 6, "files": 10}
    assert list(RenderJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not any(exists(job) for job in [*old, abandoned])
    assert jobs.cleanup() == {"jobs": 0, "files": 0}


def test_the_daily_task_cleans_up():
    from reports.tasks import cleanup_renders

    job = make_job(state=State.DONE, created=ago(days=8), finished=ago(days=8))
    assert cleanup_renders() == {"jobs": 1, "files": 2}
    assert not exists(job)


def test_beat_runs_the_cleanup_every_night_at_half_past_three(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["cleanup-renders"]
    app.loader.import_default_modules()  # what a worker does at start-up: autodiscover tasks
    assert entry["task"] == "reports.tasks.cleanup_renders" and entry["task"] in app.tasks
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}
