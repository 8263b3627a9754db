from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("meetings/<int:meeting_id>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("meetings/<int:meeting_id>/print/", views.minutes_print, name="minutes_print"),
]
