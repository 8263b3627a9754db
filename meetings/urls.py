from django.urls import path

from meetings.views import pages

app_name = "meetings"

urlpatterns = [
    path("", pages.meeting_list, name="list"),
    path("new/", pages.meeting_create, name="create"),
    path("<int:meeting_id>/", pages.meeting_detail, name="detail"),
    path("<int:meeting_id>/attendance/", pages.attendance_add, name="attendance_add"),
    path("<int:meeting_id>/agenda/", pages.agenda_item_add, name="agenda_add"),
    path("<int:meeting_id>/reports/", pages.speaker_report_add, name="report_add"),
    path("<int:meeting_id>/decisions/", pages.decision_add, name="decision_add"),
    path("<int:meeting_id>/actions/", pages.action_item_add, name="action_add"),
]
