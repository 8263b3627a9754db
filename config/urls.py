from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions.views import meeting_calendar
from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("meetings/", include("meetings.urls")),
    # A meeting's action items (the 添加行动项 form, the carry-over review, the editor's owners and
    # deadline preview) are actions' views, at the meeting's paths.
    path("meetings/", include("actions.urls_meetings")),
    # The feed of the meetings one attends shares its token with the action-item feed, so actions
    # serves it, where calendar apps subscribe.
    path("meetings/calendar/", include(meeting_calendar.urlpatterns)),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

# The 404 page shows the reason a view gives for the user (config.errors.NotFound).
handler404 = "config.views.page_not_found"
# The 500 page; while the database cannot be reached, 503 (JSON for the editor's script).
handler500 = "config.views.server_error"
