"""The scheduler the fault suite's beat runs: the product's schedule without its crontab entries.

The planning pass (every 10 minutes) and the daily jobs would otherwise fire whenever the suite happens to
cross a ten-minute mark, and plan with the product's default quiet days and digest weekday; the tests
stand for the planning pass themselves. The outbox sweep, the subject of the suite, runs as configured.
"""

from celery.beat import PersistentScheduler
from celery.schedules import crontab


class OutboxOnlyScheduler(PersistentScheduler):
    def setup_schedule(self):
        self.app.conf.beat_schedule = {
            name: entry
            for name, entry in self.app.conf.beat_schedule.items()
            if not isinstance(entry["schedule"], crontab)
        }
        super().setup_schedule()
