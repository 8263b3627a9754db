from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("会议")

    def ready(self):
        from config import outbox
        from meetings import editor_kinds, notifications, tasks  # noqa: F401

        # The code queues its tasks by name (the tasks modules import it, not the reverse); importing
        # them here registers them in every process, so a name resolves to the task itself (its
        # options, and eager running where a test asks for it).
        outbox.register("meeting notices", notifications.recover_notices)
        editor_kinds.register()  # the minutes editor's own kinds of block
