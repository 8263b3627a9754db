from django.urls import path

from actions.views import (
    channels,
    item_edit,
    items,
    links,
    manage,
    notifications,
    preferences,
    reminders_admin,
)

app_name = "actions"

urlpatterns = [
    # Owners: 我的行动项 and one item (views/items.py); editors' changes (views/item_edit.py)
    path("", items.my_actions, name="my"),
    path("<int:action_id>/", items.action_detail, name="detail"),
    path("<int:action_id>/complete/", items.action_complete, name="complete"),
    path("<int:action_id>/panel/<str:kind>/", items.action_panel, name="panel"),
    path("<int:action_id>/progress/", items.action_progress, name="progress"),
    path("<int:action_id>/note/", items.action_note, name="note"),
    path("<int:action_id>/deadline/", items.deadline_request, name="deadline"),
    path("<int:action_id>/status/", item_edit.action_status, name="status"),
    path("<int:action_id>/owners/", item_edit.action_owners, name="owners"),
    path("deadline-changes/<int:change_id>/decide/", item_edit.deadline_decide, name="deadline_decide"),
    path("occurrences/<int:occurrence_id>/deliver/", item_edit.occurrence_deliver, name="occurrence_deliver"),
    path("attachments/<int:entry_id>/", items.attachment, name="attachment"),
    # Signed one-click links and the private calendar feed (views/links.py)
    path("link/<str:token>/", links.signed_link, name="link"),
    path("calendar/", links.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", links.calendar_feed, name="calendar_feed"),
    # 提醒设置 (views/preferences.py)
    path("reminders/preferences/", preferences.reminder_preferences, name="reminder_preferences"),
    # Managers: department and organisation lists, bulk actions, exports (views/manage.py)
    path("department/", manage.department_actions, name="department"),
    path("all/", manage.all_actions, name="all"),
    path("export.<str:fmt>", manage.export, name="export"),
    path("bulk/", manage.bulk, name="bulk"),
    # 站内通知 (views/notifications.py)
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/", notifications.notification_open, name="notification_open"),
    path(
        "notifications/<int:notification_id>/read/", notifications.notification_read, name="notification_read"
    ),
    path("notifications/read-all/", notifications.notification_read_all, name="notifications_read_all"),
    # 群机器人 for administrators and department heads (views/channels.py)
    path("robots/", channels.channel_list, name="channels"),
    path("robots/new/", channels.channel_create, name="channel_create"),
    path("robots/<int:channel_id>/", channels.channel_edit, name="channel_edit"),
    path("robots/<int:channel_id>/test/", channels.channel_test, name="channel_test"),
    path("robots/<int:channel_id>/delete/", channels.channel_delete, name="channel_delete"),
    # 提醒记录 for administrators (views/reminders_admin.py)
    path("reminders/", reminders_admin.reminder_log, name="reminders"),
    path("reminders/<int:reminder_id>/resend/", reminders_admin.reminder_resend, name="reminder_resend"),
]
