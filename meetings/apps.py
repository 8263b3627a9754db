from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("会议")

    def ready(self):
        from config import outbox
        from meetings import editor_kinds, notifications

        outbox.register("meeting notices", notifications.recover_notices)
        editor_kinds.register()  # the minutes editor's own kinds of block
