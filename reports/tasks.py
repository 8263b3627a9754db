"""Celery tasks of the reports app: thin, take IDs, call reports.jobs."""

from celery import shared_task

from reports import jobs


@shared_task(
    name=jobs.RENDER_TASK,
    acks_late=True,
    soft_time_limit=jobs.TIME_LIMIT,
    time_limit=jobs.TIME_LIMIT + 30,
)
def render_job(job_id: str) -> str:
    """Render one RenderJob. Idempotent: a second delivery of the same message finds it taken."""
    return jobs.job_run(job_id=job_id)


@shared_task(name="reports.tasks.cleanup_renders")
def cleanup_renders() -> dict:
    """Delete old and abandoned renders with their files (daily, from beat). Safe to run twice."""
    return jobs.cleanup()
