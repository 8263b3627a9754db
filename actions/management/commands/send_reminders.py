from django.core.management.base import BaseCommand

from actions.models import ActionItem, Reminder
from actions.reminders import planning, sending
from meetings.models import User


class Command(BaseCommand):
    help = (
        "Run one reminder planning pass (what beat does every 10 minutes): plan the reminders due now and "
        "hand them to the workers. --dry-run lists what would be sent now and why, and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent now and why; send nothing."
        )
        parser.add_argument(
            "--here",
            action="store_true",
            help="Send from this process instead of handing the rows to the Celery workers.",
        )

    def handle(self, *args, dry_run=False, here=False, **options):
        if dry_run:
            return self.dry_run()
        result = planning.plan(enqueue=not here)
        ids = result.new_ids + result.recovered_ids
        self.stdout.write(
            f"Planned {len(result.new_ids)} new reminder(s); {len(result.recovered_ids)} recovered."
        )
        if not here:
            return
        sent = failed = 0
        for reminder_id in ids:
            try:
                sent += sending.send_reminder(reminder_id)
            except sending.RetryLater as exc:
                failed += 1
                self.stderr.write(f"Reminder {reminder_id} not sent, left for a retry: {exc}")
        self.stdout.write(f"Sent {sent}, failed {failed}.")

    def dry_run(self):
        result = planning.plan(dry_run=True)
        # plan() rolled its rows back, so match the would-be-new rows by their key instead of by ID.
        keys = {(p.action_id, p.kind, p.recipient_id, p.slot) for p in result.planned}
        existing = set()
        if keys:
            for row in Reminder.objects.filter(slot__in={key[3] for key in keys}).values_list(
                "action_id", "kind", "recipient_id", "slot"
            ):
                existing.add((row[0] or 0, *row[1:]))
        would_send = [
            p for p in result.planned if (p.action_id, p.kind, p.recipient_id, p.slot) not in existing
        ]
        people = {p.recipient_id for p in would_send}
        names = dict(User.objects.filter(pk__in=people).values_list("pk", "name"))
        items = {p.action_id for p in would_send}
        titles = dict(ActionItem.objects.filter(pk__in=items).values_list("pk", "title"))
        self.stdout.write(f"Would send {len(would_send)} reminder(s) now (dry run, nothing sent):")
        for p in would_send:
            label = Reminder.Kind(p.kind).label
            who = names.get(p.recipient_id, p.recipient_id)
            item = f": {titles[p.action_id]}" if p.action_id in titles else ""
            self.stdout.write(f"  {label} → {who}{item} — {p.why}")
        if result.recovered_ids:
            self.stdout.write(
                f"Would re-enqueue {len(result.recovered_ids)} reminder(s) never sent: "
                + ", ".join(map(str, result.recovered_ids))
            )
