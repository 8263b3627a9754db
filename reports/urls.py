from django.urls import path

from reports import views, views_jobs, views_period

app_name = "reports"

urlpatterns = [
    path("meetings/<int:meeting_id>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path(
        "meetings/<int:meeting_id>/versions/<int:number>/minutes.pdf",
        views.minutes_version_pdf,
        name="minutes_version_pdf",
    ),
    path("meetings/<int:meeting_id>/minutes.docx", views.minutes_docx_download, name="minutes_docx"),
    path("meetings/<int:meeting_id>/print/", views.minutes_print, name="minutes_print"),
    path("period/", views_period.period_report, name="period"),
    path("jobs/<uuid:job_id>/", views_jobs.job_progress, name="job_progress"),
    path("jobs/<uuid:job_id>/retry/", views_jobs.job_retry, name="job_retry"),
    path("jobs/<uuid:job_id>/files/<slug:name>/", views_jobs.job_download, name="job_download"),
]
