from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("行动项")

    def ready(self):
        from actions import channels, minutes, reminders
        from config import outbox

        outbox.register("reminders", reminders.recover)
        outbox.register("robot deliveries", channels.recover)
        minutes.register()  # the action items of the minutes editor
