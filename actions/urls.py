from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.my_actions, name="my"),
    path("<int:action_id>/", views.action_detail, name="detail"),
    path("<int:action_id>/complete/", views.action_complete, name="complete"),
]
