from django.urls import path

from meetings.views import editor, lifecycle, pages, series

app_name = "meetings"

urlpatterns = [
    path("", pages.meeting_list, name="list"),
    path("new/", pages.meeting_create, name="create"),
    path("<int:meeting_id>/", pages.meeting_detail, name="detail"),
    path("<int:meeting_id>/attendance/", pages.attendance_add, name="attendance_add"),
    path("<int:meeting_id>/agenda/", pages.agenda_item_add, name="agenda_add"),
    path("<int:meeting_id>/reports/", pages.speaker_report_add, name="report_add"),
    path("<int:meeting_id>/decisions/", pages.decision_add, name="decision_add"),
    # The minutes' life: status and approval, comments, history, versions, review, postponing
    # (views/lifecycle.py).
    path("<int:meeting_id>/start/", lifecycle.meeting_start, name="start"),
    path("<int:meeting_id>/submit/", lifecycle.meeting_submit, name="submit"),
    path("<int:meeting_id>/approve/", lifecycle.meeting_approve, name="approve"),
    path("<int:meeting_id>/return/", lifecycle.meeting_return, name="return"),
    path("<int:meeting_id>/reopen/", lifecycle.meeting_reopen, name="reopen"),
    path("<int:meeting_id>/comments/", lifecycle.comment_add, name="comment_add"),
    path("<int:meeting_id>/history/", lifecycle.meeting_history, name="history"),
    path("<int:meeting_id>/versions/", lifecycle.meeting_versions, name="versions"),
    path(
        "<int:meeting_id>/versions/<int:number>.json",
        lifecycle.meeting_version_snapshot,
        name="version_snapshot",
    ),
    path(
        "<int:meeting_id>/agenda/<int:item_id>/postponed/",
        lifecycle.agenda_item_postponed,
        name="agenda_postponed",
    ),
    path("<int:meeting_id>/postpone/", lifecycle.agenda_postpone, name="agenda_postpone"),
    path("<int:meeting_id>/save-template/", lifecycle.save_as_template, name="save_template"),
    path("<int:meeting_id>/invite/", lifecycle.send_invitation, name="invite"),
    path("<int:meeting_id>/meeting.ics", lifecycle.meeting_ics_download, name="ics"),
    # Series and templates (views/series.py). The private calendar feed of meetings is mounted under
    # meetings/calendar/ by config/urls.py (actions.views.meeting_calendar).
    path("series/", series.series_list, name="series_list"),
    path("series/new/", series.series_create, name="series_create"),
    path("series/<int:series_id>/", series.series_detail, name="series_detail"),
    path("series/<int:series_id>/edit/", series.series_edit, name="series_edit"),
    path("series/<int:series_id>/next/", series.series_next_meeting, name="series_next"),
    path("series/<int:series_id>/series.ics", series.series_ics_download, name="series_ics"),
    path("templates/", series.template_list, name="template_list"),
    path("templates/<int:template_id>/use/", series.template_use, name="template_use"),
    path("templates/<int:template_id>/delete/", series.template_delete, name="template_delete"),
    # The live minutes editor (记录纪要); its action items' owners and deadline preview are in actions.
    path("<int:meeting_id>/minutes/", editor.editor, name="editor"),
    path("<int:meeting_id>/minutes/save/", editor.save_field, name="editor_save"),
    path("<int:meeting_id>/minutes/add/<str:kind>/", editor.add_block, name="editor_add"),
    path("<int:meeting_id>/minutes/reorder/", editor.reorder_agenda, name="editor_reorder"),
    path("<int:meeting_id>/minutes/delete/<str:kind>/<int:pk>/", editor.delete_block, name="editor_delete"),
    path("<int:meeting_id>/minutes/news/", editor.news, name="editor_news"),
    path("<int:meeting_id>/minutes/directory/", editor.people_directory, name="editor_directory"),
    path("<int:meeting_id>/minutes/token/", editor.csrf_token, name="editor_token"),
    path("<int:meeting_id>/minutes/signed-in/", editor.relogin_done, name="editor_relogin"),
]
