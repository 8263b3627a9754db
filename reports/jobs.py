"""Renders that take a while run in a Celery task; the page polls their progress (htmx) and then offers
the download. Any long render can use this; the period report does.

How a kind of render plugs in:

    period_job = JobKind(
        name="period_report",
        render=render_period_report,   # (params, progress) -> {"pdf": Output(...), "html": Output(...)}
        can_view=can_view_period,      # (user, params) -> bool; False answers 404
    )
    KINDS = {"period_report": "reports.period.period_job", ...}   # below: the worker imports it by name

Then a view calls `job_request(kind="period_report", params={...}, user=..., data_version=...)` and
renders "reports/_job_progress.html" with the job. `params` must be JSON and must hold everything the
render depends on besides the data (the user's language, the reader's access level, "today"); the
result is cached by (kind, params, data version), so asking twice renders once. The job runs in the
Celery task `reports.tasks.render_job`, queued by name (RENDER_TASK): the tasks module builds on this
one, never the reverse. The render calls `progress(percent, step)` as it goes; `Output` files are
written to storage only once every one of them is ready, so a failed render leaves no half-written
file.
"""

import datetime
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import signature
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.celery import app
from reports.models import RenderJob

logger = logging.getLogger(__name__)

# The Celery task that runs a job (reports.tasks, which calls job_run): queued by name, so this module
# needs nothing from the tasks module and the tasks module stays a thin layer on top of this one.
RENDER_TASK = "reports.tasks.render_job"

KINDS = {
    "period_report": "reports.period.period_job",
    "minutes_pdf": "reports.minutes.minutes_job",
}

# A render gets this long before Celery stops it (the task's soft limit; the hard limit comes 30 s later).
TIME_LIMIT = settings.REPORT_RENDER_TIME_LIMIT

# What a failed job tells the user, by the code stored in RenderJob.error.
ERRORS = {
    "timeout": _("生成超时:超过了 %(seconds)s 秒的时间限制。请缩小统计范围后重试。"),
    "broker": _("无法提交后台任务:任务队列(Redis)暂时不可用。请稍后重试,或联系管理员。"),
    "failed": _("生成失败:处理数据时出错,已记录日志。请重试;如仍失败,请联系管理员。"),
    "lost": _("生成中断:后台服务在生成过程中停止。请重试。"),
}


@dataclass
class Output:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class JobKind:
    name: str
    render: Callable[[dict, Callable[[int, str], None]], dict[str, Output]]
    can_view: Callable[[object, dict], bool]


def get_kind(name: str) -> JobKind:
    return import_string(KINDS[name])


def cache_key(kind: str, params: dict, data_version: str) -> str:
    payload = json.dumps({"kind": kind, "params": params, "version": data_version}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _live(key: str):
    return RenderJob.objects.filter(cache_key=key).exclude(state=RenderJob.State.FAILED).first()


def _outputs_exist(job: RenderJob) -> bool:
    return all(default_storage.exists(meta["name"]) for meta in job.outputs.values())


def job_request(*, kind: str, params: dict, user, data_version: str) -> RenderJob:
    """The render for these parameters over this data: the existing one (queued, running or done),
    or a new job, enqueued once the transaction commits."""
    get_kind(kind)  # an unknown kind fails here, in the request, not later in the worker
    key = cache_key(kind, params, data_version)
    job = _live(key)
    if job is not None and job.state == RenderJob.State.DONE and not _outputs_exist(job):
        # Its files were cleaned away: render again.
        RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.FAILED, error="lost")
        job = None
    if job is not None:
        return job
    try:
        with transaction.atomic():
            job = RenderJob.objects.create(kind=kind, params=params, cache_key=key, requested_by=user)
    except IntegrityError:
        # Someone asked for the same render a moment ago: follow theirs.
        return _live(key)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def job_retry(*, job: RenderJob, user) -> RenderJob:
    """Try a failed render again (the same row, so the page keeps polling the same job). If the same
    render is live again meanwhile, that one is returned."""
    if job.state != RenderJob.State.FAILED:
        return job
    live = _live(job.cache_key)
    if live is not None:
        return live
    try:
        with transaction.atomic():
            updated = RenderJob.objects.filter(pk=job.pk, state=RenderJob.State.FAILED).update(
                state=RenderJob.State.PENDING,
                error="",
                progress=0,
                step="",
                created_at=timezone.now(),
                started_at=None,
                finished_at=None,
                requested_by=user,
            )
    except IntegrityError:
        return _live(job.cache_key)
    if updated:
        transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return job


def _enqueue(job_id) -> None:
    try:
        # Fail fast when the broker is down: the page says so instead of waiting forever.
        signature(RENDER_TASK).apply_async(
            args=[str(job_id)],
            # The job's row holds the outcome; a result would make Celery subscribe to the result
            # backend, which retries for about 20 s when Redis is down.
            ignore_result=True,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except Exception:
        logger.exception("Could not enqueue render job %s", job_id)
        _fail(job_id, "broker")


def _fail(job_id, code: str) -> None:
    RenderJob.objects.filter(pk=job_id).update(
        state=RenderJob.State.FAILED, error=code, finished_at=timezone.now()
    )


def _claim(job_id) -> RenderJob | None:
    """Take the job for this worker, once. A job left RUNNING by a worker that died (acks_late hands the
    message to another worker) may be taken again after the time limit."""
    now = timezone.now()
    abandoned = now - datetime.timedelta(seconds=TIME_LIMIT + 60)
    claimed = (
        RenderJob.objects.filter(pk=job_id)
        .filter(Q(state=RenderJob.State.PENDING) | Q(state=RenderJob.State.RUNNING, started_at__lt=abandoned))
        .update(state=RenderJob.State.RUNNING, started_at=now, attempts=F("attempts") + 1, progress=1)
    )
    return RenderJob.objects.get(pk=job_id) if claimed else None


def job_run(*, job_id) -> str:
    """Run one job (the Celery task calls this). Safe to call twice: only the first call renders.
    Returns the job's final state."""
    job = _claim(job_id)
    if job is None:
        return RenderJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or "missing"
    kind = get_kind(job.kind)

    def progress(percent: int, step: str) -> None:
        RenderJob.objects.filter(pk=job.pk, state=RenderJob.State.RUNNING).update(
            progress=max(1, min(99, int(percent))), step=str(step)[:200]
        )

    saved: list[str] = []
    try:
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            outputs = kind.render(job.params, progress)
            progress(95, _("保存文件"))
        meta = {}
        for name, output in outputs.items():
            stored = default_storage.save(f"renders/{job.pk}/{output.filename}", ContentFile(output.content))
            saved.append(stored)
            meta[name] = {
                "name": stored,
                "filename": output.filename,
                "content_type": output.content_type,
                "size": len(output.content),
            }
    except SoftTimeLimitExceeded:
        logger.warning("Render job %s (%s) hit the time limit", job.pk, job.kind)
        _discard(saved)
        _fail(job.pk, "timeout")
        return RenderJob.State.FAILED
    except Exception:
        logger.exception("Render job %s (%s) failed", job.pk, job.kind)
        _discard(saved)
        _fail(job.pk, "failed")
        return RenderJob.State.FAILED
    RenderJob.objects.filter(pk=job.pk).update(
        state=RenderJob.State.DONE, progress=100, step="", outputs=meta, finished_at=timezone.now()
    )
    return RenderJob.State.DONE


def _discard(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def error_message(job: RenderJob) -> str:
    return str(ERRORS.get(job.error, ERRORS["failed"])) % {"seconds": TIME_LIMIT}


def workers_alive() -> bool:
    """Whether any Celery worker answers a ping. Remembered for a few seconds: every polling page asks."""
    alive = cache.get("reports:workers-alive")
    if alive is None:
        try:
            alive = bool(app.control.ping(timeout=1.0))
        except Exception:
            logger.warning("Could not ping Celery workers", exc_info=True)
            alive = False
        cache.set("reports:workers-alive", alive, 5)
    return alive


def worker_down(job: RenderJob) -> bool:
    """A job still queued after REPORT_WORKER_GRACE seconds while no worker answers: say so, don't spin."""
    if job.state != RenderJob.State.PENDING:
        return False
    waited = (timezone.now() - job.created_at).total_seconds()
    return waited > settings.REPORT_WORKER_GRACE and not workers_alive()


def open_output(job: RenderJob, name: str):
    return default_storage.open(job.outputs[name]["name"], "rb")


def read_output(job: RenderJob, name: str) -> bytes:
    with open_output(job, name) as handle:
        return handle.read()


def progress_context(job: RenderJob) -> dict:
    """What reports/_job_progress.html shows: the bar, a worker-down notice, the error, the downloads,
    and (for renders with an "html" output) the rendered page itself."""
    context = {"job": job, "worker_down": worker_down(job)}
    if job.state == RenderJob.State.FAILED:
        context["error_message"] = error_message(job)
    if job.state == RenderJob.State.DONE:
        context["downloads"] = [(name, meta) for name, meta in job.outputs.items() if name != "html"]
        if "html" in job.outputs:
            # Our own template's output, escaped when it was rendered.
            context["html"] = mark_safe(read_output(job, "html").decode())  # noqa: S308
    return context


# cleanup() deletes this many jobs per transaction, so a large backlog is never loaded at once.
CLEANUP_BATCH = 500


def cleanup(now=None) -> dict:
    """Delete old renders, their files first and then their rows: jobs that finished (done or failed)
    more than REPORT_RENDER_KEEP_DAYS days ago, and jobs queued or running for over a day that no worker
    is running any more. Beat calls it daily (reports.tasks.cleanup_renders); safe to run twice, or twice
    at once. Asking again for a deleted render simply renders it again.
    Returns {"jobs": rows deleted, "files": files deleted}."""
    now = now or timezone.now()
    finished_before = now - datetime.timedelta(days=settings.REPORT_RENDER_KEEP_DAYS)
    queued_before = now - datetime.timedelta(days=1)
    # As in _claim(): a job running past its time limit has lost its worker. One that waited a day in the
    # queue and was taken a minute ago is still rendering, so it is kept.
    started_before = now - datetime.timedelta(seconds=TIME_LIMIT + 60)
    finished = Q(state__in=[RenderJob.State.DONE, RenderJob.State.FAILED]) & (
        Q(finished_at__lt=finished_before) | Q(finished_at__isnull=True, created_at__lt=finished_before)
    )
    abandoned = Q(
        state__in=[RenderJob.State.PENDING, RenderJob.State.RUNNING], created_at__lt=queued_before
    ) & (Q(started_at__isnull=True) | Q(started_at__lt=started_before))
    stale = RenderJob.objects.filter(finished | abandoned).order_by()
    counts = {"jobs": 0, "files": 0}
    while True:
        with transaction.atomic():
            # The rows stay locked until they are gone: a worker claiming one of these jobs meanwhile waits,
            # then finds nothing to run. skip_locked lets a second cleanup take other rows.
            batch = list(
                stale.select_for_update(skip_locked=True).values_list("pk", "outputs")[:CLEANUP_BATCH]
            )
            if not batch:
                return counts
            for job_id, outputs in batch:
                counts["files"] += _delete_files(job_id, outputs)
            deleted, _per_model = RenderJob.objects.filter(
                pk__in=[job_id for job_id, _outputs in batch]
            ).delete()
            counts["jobs"] += deleted


def _delete_files(job_id, outputs: dict) -> int:
    """Delete a job's files: those it recorded, and anything else in its folder (a worker killed while
    saving leaves files it never recorded). Files already gone are skipped. Returns how many it deleted."""
    folder = f"renders/{job_id}"
    names = {meta["name"] for meta in outputs.values()}
    try:
        names.update(f"{folder}/{name}" for name in default_storage.listdir(folder)[1])
    except FileNotFoundError:
        pass
    deleted = 0
    for name in sorted(names):
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    try:
        default_storage.delete(folder)  # the empty folder a file system keeps; object stores have none
    except OSError:
        logger.warning("Could not delete the render folder %s", folder, exc_info=True)
    return deleted
