"""A background render's progress (polled by htmx), its retry and its downloads. Who may see a job is
decided by its kind (JobKind.can_view) on every request; anything else answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from reports import jobs
from reports.models import RenderJob


def _job_for_user(request, job_id) -> RenderJob:
    job = get_object_or_404(RenderJob, pk=job_id)
    if job.kind not in jobs.KINDS or not jobs.get_kind(job.kind).can_view(request.user, job.params):
        raise Http404
    return job


@login_required
def job_progress(request, job_id):
    job = _job_for_user(request, job_id)
    return render(request, "reports/_job_progress.html", jobs.progress_context(job))


@login_required
@require_POST
def job_retry(request, job_id):
    job = jobs.job_retry(job=_job_for_user(request, job_id), user=request.user)
    return render(request, "reports/_job_progress.html", jobs.progress_context(job))


@login_required
def job_download(request, job_id, name: str):
    job = _job_for_user(request, job_id)
    if job.state != RenderJob.State.DONE or name not in job.outputs:
        raise Http404
    meta = job.outputs[name]
    response = FileResponse(
        jobs.open_output(job, name),
        as_attachment=True,
        filename=meta["filename"],
        content_type=meta["content_type"],
    )
    return response
