from django.core.management.base import BaseCommand

from actions import reminders


class Command(BaseCommand):
    help = "E-mail the owners of action items due tomorrow (the same work as the 09:00 beat task)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Hand the sending to the Celery workers instead of sending from this process.",
        )

    def handle(self, *args, queue=False, **options):
        reminder_ids = reminders.plan_due_tomorrow()
        if queue:
            from actions.tasks import send_reminder_task

            for reminder_id in reminder_ids:
                send_reminder_task.delay(reminder_id)
            self.stdout.write(f"Queued {len(reminder_ids)} reminder(s).")
            return
        sent = failed = 0
        for reminder_id in reminder_ids:
            try:
                sent += reminders.send_reminder(reminder_id)
            except Exception as exc:
                failed += 1
                self.stderr.write(f"Reminder {reminder_id} not sent: {exc}")
        self.stdout.write(f"Planned {len(reminder_ids)} reminder(s), sent {sent}, failed {failed}.")
