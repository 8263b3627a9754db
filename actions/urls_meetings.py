"""The action items' endpoints on a meeting's pages, at the paths under /meetings/ they have always had:
config/urls.py mounts this list there, in the namespace `meeting_actions`. Pages left open across a
deploy keep posting where they did."""

from django.urls import path

from actions.views import meeting, minutes

app_name = "meeting_actions"

urlpatterns = [
    # The meeting page: 添加行动项 and the carry-over review (views/meeting.py)
    path("<int:meeting_id>/actions/", meeting.action_item_add, name="add"),
    path("<int:meeting_id>/review/<int:action_id>/", meeting.review_update, name="review_update"),
    # The minutes editor's action items (views/minutes.py; the rest of the editor is in meetings)
    path(
        "<int:meeting_id>/minutes/actions/<int:action_id>/owners/", minutes.set_owners, name="editor_owners"
    ),
    path("<int:meeting_id>/minutes/deadline/", minutes.deadline_preview, name="editor_deadline"),
]
