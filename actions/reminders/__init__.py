"""Reminders: plan rows first, then send each row once (docs/reminders.md).

- `rules`: what is due when, pure functions of a day, a deadline and the rules in force;
- `preferences`: what each user wants (individual reminders or the digest, channels, time zone);
- `planning`: the planning pass, which inserts the rows due now and queues them;
- `messages`: the e-mail about one item and the weekly digest;
- `sending`: claiming a row, sending it on every channel, queueing the send tasks, resending;
- `log`: the reminders page for administrators.

Each module is imported by its own name (`from actions.reminders import planning`); this package
itself imports nothing.
"""
