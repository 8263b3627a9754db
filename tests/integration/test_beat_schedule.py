"""Every entry of the beat schedule, applied through Celery as beat applies it, runs on a real worker.

Calling a task's function directly skips Celery's own checks: a task whose soft time limit exceeds its
hard one (say, `time_limit=60` with the global soft limit of 240 s) is refused at apply time, so beat
never runs it, and only this test would tell.
"""

import pytest
from django.conf import settings

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app(workers):
    """The project's Celery app, pointed at the test broker, with every app's tasks loaded (as a worker
    and beat load them)."""
    workers.app.loader.import_default_modules()
    return workers.app


def _limits(task):
    """The limits a task is sent with: its own, or the global ones it inherits."""
    conf = task.app.conf
    hard = task.time_limit if task.time_limit is not None else conf.task_time_limit
    soft = task.soft_time_limit if task.soft_time_limit is not None else conf.task_soft_time_limit
    return soft, hard


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_each_beat_entry_is_applied_through_celery_and_runs(celery_worker, app, entry):
    spec = settings.CELERY_BEAT_SCHEDULE[entry]
    task = app.tasks[spec["task"]]
    # No check of ours first: Celery itself refuses, at apply time, limits it cannot honour.
    result = task.apply_async(
        args=spec.get("args", ()), kwargs=spec.get("kwargs", {}), **spec.get("options", {})
    )
    result.get(timeout=60)
    assert result.successful()


def test_every_task_has_a_soft_limit_below_its_hard_one(app):
    """Not only the scheduled ones: any task sent with limits Celery refuses would never run."""
    ours = {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in ("actions", "meetings", "reports", "config")
    }
    assert ours
    for name, task in ours.items():
        soft, hard = _limits(task)
        assert soft is None or hard is None or soft < hard, (
            f"{name}: soft limit {soft} s ≥ hard limit {hard} s"
        )
