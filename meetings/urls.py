from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/attendance/", views.attendance_add, name="attendance_add"),
    path("<int:meeting_id>/agenda/", views.agenda_item_add, name="agenda_add"),
    path("<int:meeting_id>/reports/", views.speaker_report_add, name="report_add"),
    path("<int:meeting_id>/decisions/", views.decision_add, name="decision_add"),
    path("<int:meeting_id>/actions/", views.action_item_add, name="action_add"),
]
