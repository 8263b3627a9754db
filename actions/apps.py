from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("行动项")

    def ready(self):
        from actions import channels, hooks, minutes, robot_tasks, tasks  # noqa: F401  (see meetings)
        from actions.reminders import planning
        from config import outbox

        outbox.register("reminders", planning.recover)
        outbox.register("robot deliveries", channels.recover)
        # What action items add to meetings (meetings.hooks): actions builds on meetings, never the reverse.
        hooks.register()
        minutes.register()  # the action items of the minutes editor
